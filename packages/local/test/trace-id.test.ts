// The trace of the caller continues into the server: the core client sends `traceparent` (the
// app uses OpenTelemetry), and every audit line the request wrote names its trace id.
import { trace } from '@opentelemetry/api';
import type { LocalServer } from '@haltstate/local';
import { installTelemetry, type TestTelemetry } from '@test-support/otel';
import { clientFor, startServer, TENANTS, uniqueKey } from './helpers/server';

const acme = TENANTS[0]!;
const auditOf = async (server: LocalServer, ndjson = false) => {
  const response = await fetch(`${server.url}/local/audit`, { headers: { 'x-tenant-id': acme.id, authorization: `Bearer ${acme.adminKey}`, ...(ndjson ? { accept: 'application/x-ndjson' } : {}) } });
  const text = await response.text();
  return (ndjson ? text.trim().split('\n').map((line) => JSON.parse(line)) : JSON.parse(text)) as Array<{ kind: string; action: string | null; traceId: string | null }>;
};

describe('trace id in the audit trail', () => {
  let server: LocalServer;
  let otel: TestTelemetry;
  beforeAll(async () => {
    otel = installTelemetry();
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
    await otel.shutdown();
  });

  it("records the trace id of each request's traceparent on the lines it wrote, in JSON and JSON Lines", async () => {
    const client = clientFor(server);
    const key = uniqueKey('traced');
    const traceId = await trace.getTracer('app').startActiveSpan('agent.step', async (span) => {
      await client.check({ action: 'payment.process', params: { amount: 10, currency: 'USD' } });
      await client.guard({ action: 'payment.refund', params: { amount: 10, currency: 'USD' }, idempotencyKey: key }, () => 'ok');
      await client.flush();
      span.end();
      return span.spanContext().traceId;
    });
    // Outside any app span the client's span is a root: its own trace, still sent.
    await client.check({ action: 'read.root' });
    await client.close();
    // A caller that sends no traceparent (or no valid one) leaves the column empty.
    for (const traceparent of [undefined, 'not-a-traceparent']) {
      await fetch(`${server.url}/api/sentinel/action/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tenant-id': acme.id, 'x-api-key': acme.apiKey, ...(traceparent ? { traceparent } : {}) },
        body: JSON.stringify({ agent_id: 'raw', action: 'read.untraced', params: {} }),
      });
    }
    for (const entries of [await auditOf(server), await auditOf(server, true)]) {
      const traced = entries.filter((entry) => entry.action?.startsWith('payment.'));
      expect(traced.map((entry) => entry.kind)).toEqual(['check', 'guard', 'guard_report']);
      expect(traced.map((entry) => entry.traceId)).toEqual([traceId, traceId, traceId]);
      const root = entries.find((entry) => entry.action === 'read.root')!;
      expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(root.traceId).not.toBe(traceId);
      expect(entries.filter((entry) => entry.action === 'read.untraced').map((entry) => entry.traceId)).toEqual([null, null]);
    }
  });
});
