// OpenTelemetry through a real SDK (in-memory exporters): spans as children of the caller's span,
// their attributes, W3C trace context on the wire (every attempt of a call in one trace), the
// metrics, and that no attribute ever holds a params value or the key.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { api, json, KEY, makeClient, PREFIX, setupNock } from './helpers/api';
import { installTelemetry, type TestTelemetry } from '@test-support/otel';

setupNock();

let otel: TestTelemetry;
beforeAll(() => {
  otel = installTelemetry();
});
afterEach(() => otel.reset());
afterAll(() => otel.shutdown());

/** Values a test sends in params: none may appear in a span or metric attribute. */
const SECRET_PARAMS = { card: 'PARAM-VALUE-4242-4242', note: 'PARAM-VALUE-private-note', amount: 987_654_321 };
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

function scanAttributes(values: unknown[]): void {
  const text = JSON.stringify(values);
  for (const value of [...Object.values(SECRET_PARAMS).map(String), KEY, 'SECRET-do-not-leak']) expect(text).not.toContain(value);
}

describe('spans', () => {
  it('check, guard, wait and report are children of the caller span, with their attributes', async () => {
    const headers: string[] = [];
    const capture = (value: string) => (headers.push(value), true);
    api().matchHeader('traceparent', capture).post(`${PREFIX}/action/check`).reply(200, { decision: 'ALLOW', reason: 'small', policy_id: 'pol_small' }, json);
    api().matchHeader('traceparent', capture).post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: 'apr_1' }, json);
    api().matchHeader('traceparent', capture).get(`${PREFIX}/approval/apr_1`).reply(200, { status: 'approved', approver: 'alice' }, json);
    api().matchHeader('traceparent', capture).post(`${PREFIX}/action/guard`).reply(200, { status: 'approved', approval_id: 'apr_1', approver: 'alice', policy_id: 'pol_big' }, json);
    api().matchHeader('traceparent', capture).post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
    const client = makeClient();
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('agent.step', async (root) => {
      await client.check({ action: 'payment.process', params: SECRET_PARAMS });
      await client.guard({ action: 'payment.refund', params: SECRET_PARAMS, idempotencyKey: 'refund-1', wait: true }, () => 'done');
      root.end();
    });
    await client.flush();

    const root = otel.span('agent.step');
    const check = otel.span('haltstate.check');
    const guard = otel.span('haltstate.guard');
    const wait = otel.span('haltstate.wait');
    const report = otel.span('haltstate.report');
    expect([parentOf(check), parentOf(guard)]).toEqual([idOf(root), idOf(root)]);
    expect(parentOf(wait)).toBe(idOf(guard));
    expect(parentOf(report)).toBe(idOf(guard));
    for (const span of [check, guard, wait, report]) expect(span.spanContext().traceId).toBe(root.spanContext().traceId);

    expect(check.attributes).toEqual({
      'haltstate.action': 'payment.process',
      'haltstate.agent.id': 'bot-1',
      'haltstate.mode': 'enforce',
      'haltstate.decision': 'ALLOW',
      'haltstate.policy.id': 'pol_small',
      'haltstate.request.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'haltstate.failed_open': false,
    });
    expect(guard.attributes).toEqual({ 'haltstate.action': 'payment.refund', 'haltstate.agent.id': 'bot-1', 'haltstate.mode': 'enforce', 'haltstate.decision': 'approved', 'haltstate.approval.id': 'apr_1', 'haltstate.policy.id': 'pol_big' });
    expect(wait.attributes).toEqual({ 'haltstate.approval.id': 'apr_1', 'haltstate.approval.status': 'approved', 'haltstate.wait.duration': expect.any(Number) });
    expect(report.attributes).toEqual({ 'haltstate.report.kind': 'guard_report', 'haltstate.action': 'payment.refund', 'haltstate.agent.id': 'bot-1', 'haltstate.report.attempt': 1 });
    for (const span of [check, guard, wait, report]) expect(span.status.code).toBe(SpanStatusCode.UNSET);

    // Each request continues the trace from the span that sent it.
    const sentBy = headers.map((header) => TRACEPARENT.exec(header)!);
    expect(sentBy.map((match) => match[1])).toEqual(Array(5).fill(root.spanContext().traceId));
    expect(sentBy.map((match) => match[2])).toEqual([idOf(check), idOf(guard), idOf(wait), idOf(guard), idOf(report)]);

    scanAttributes(otel.spans().map((span) => span.attributes));
  });

  it('every retry of a call carries the same traceparent', async () => {
    const headers: string[] = [];
    const capture = (value: string) => (headers.push(value), true);
    api().matchHeader('traceparent', capture).post(`${PREFIX}/action/guard`).reply(503, { detail: 'busy' }, { ...json, 'retry-after': '0' });
    api().matchHeader('traceparent', capture).post(`${PREFIX}/action/guard`).reply(200, { status: 'allowed' }, json);
    api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
    const client = makeClient({ retries: 1 });
    await client.guard({ action: 'a.b', idempotencyKey: 'k-retry' }, () => 1);
    await client.flush();
    expect(headers).toHaveLength(2);
    expect(headers[0]).toBe(headers[1]);
    expect(TRACEPARENT.exec(headers[0]!)![2]).toBe(idOf(otel.span('haltstate.guard')));
  });

  it('a failure ends the span with status ERROR and error.type, never the message', async () => {
    api().post(`${PREFIX}/action/check`).replyWithError({ code: 'ECONNREFUSED', message: `refused ${SECRET_PARAMS.card}` });
    const client = makeClient();
    await expect(client.check({ action: 'a.b', params: SECRET_PARAMS })).rejects.toMatchObject({ code: 'HALTSTATE_CONNECTION' });
    const check = otel.span('haltstate.check');
    expect(check.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(check.attributes['error.type']).toBe('HALTSTATE_CONNECTION');
    expect(check.events).toEqual([]);
    scanAttributes([check.attributes, check.status]);
  });

  it('a function that throws inside guard marks the guard span ERROR with its class name', async () => {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'allowed' }, json);
    api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
    const client = makeClient();
    await expect(client.guard({ action: 'a.b', idempotencyKey: 'k-throw' }, () => { throw new TypeError(SECRET_PARAMS.note); })).rejects.toThrow(TypeError);
    await client.flush();
    expect(otel.span('haltstate.guard').attributes['error.type']).toBe('TypeError');
    scanAttributes(otel.spans().map((span) => [span.attributes, span.status]));
  });

  it('a denial is an answer, not an error: status stays UNSET and the outcome is named', async () => {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied', reason: 'no', policy_id: 'pol_no' }, json);
    const client = makeClient();
    await expect(client.guard({ action: 'a.b', idempotencyKey: 'k-deny' }, () => 1)).rejects.toMatchObject({ code: 'HALTSTATE_ACTION_DENIED' });
    const guard = otel.span('haltstate.guard');
    expect(guard.status.code).toBe(SpanStatusCode.UNSET);
    expect(guard.attributes).toMatchObject({ 'haltstate.decision': 'denied', 'haltstate.policy.id': 'pol_no', 'haltstate.outcome': 'HALTSTATE_ACTION_DENIED' });
  });

  it('fail-open and shadow runs say so', async () => {
    api().post(`${PREFIX}/action/check`).replyWithError({ code: 'ECONNREFUSED', message: 'refused' });
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied', reason: 'no', policy_id: 'pol_no' }, json);
    api().post(`${PREFIX}/action/report`).reply(200, {}, json);
    const warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      await makeClient({ failOpen: true }).check({ action: 'a.open' });
      const shadow = makeClient({ mode: 'shadow' });
      await expect(shadow.guard({ action: 'a.shadow', idempotencyKey: 'k-shadow' }, () => 'ran')).resolves.toBe('ran');
      await shadow.flush();
    } finally {
      warnings.mockRestore();
    }
    expect(otel.span('haltstate.check').attributes).toMatchObject({ 'haltstate.decision': 'ALLOW', 'haltstate.failed_open': true });
    expect(otel.span('haltstate.guard').attributes).toMatchObject({ 'haltstate.mode': 'shadow', 'haltstate.decision': 'denied' });
    expect(otel.span('haltstate.report').attributes).toMatchObject({ 'haltstate.report.kind': 'report', 'haltstate.action': 'a.shadow' });
  });

  it('execute without a key is a guard span around its check', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'ALLOW' }, json);
    api().post(`${PREFIX}/action/report`).reply(200, {}, json);
    const client = makeClient();
    await client.execute({ action: 'email.send', params: SECRET_PARAMS }, () => 'sent');
    await client.flush();
    expect(parentOf(otel.span('haltstate.check'))).toBe(idOf(otel.span('haltstate.guard')));
    expect(parentOf(otel.span('haltstate.report'))).toBe(idOf(otel.span('haltstate.guard')));
  });

  it('guardState is its own span', async () => {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: 'apr_9' }, json);
    await makeClient().guardState({ action: 'file.delete', params: SECRET_PARAMS, idempotencyKey: 'k-state' });
    expect(otel.span('haltstate.guard_state').attributes).toEqual({ 'haltstate.action': 'file.delete', 'haltstate.agent.id': 'bot-1', 'haltstate.decision': 'pending', 'haltstate.approval.id': 'apr_9' });
  });
});

describe('metrics', () => {
  it('counts decisions by outcome, records latency, the wait, the queue and drops', async () => {
    api().post(`${PREFIX}/action/check`).times(2).reply(200, { decision: 'DENY', reason: 'no' }, json);
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'ALLOW' }, json);
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: 'apr_m' }, json);
    api().get(`${PREFIX}/approval/apr_m`).reply(200, { status: 'rejected', approver: 'bob', reason: 'no' }, json);
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'denied', approval_id: 'apr_m', reason: 'no', approver: 'bob' }, json);
    const before = sumOf(await otel.points('haltstate.reports.dropped'));
    const client = makeClient({ maxQueuedReports: 1 });
    await client.check({ action: 'm.deny', params: SECRET_PARAMS });
    await client.check({ action: 'm.deny', params: SECRET_PARAMS });
    const allowed = await client.check({ action: 'm.allow' });
    await expect(client.guard({ action: 'm.wait', idempotencyKey: 'k-m', wait: true }, () => 1)).rejects.toMatchObject({ code: 'HALTSTATE_ACTION_DENIED' });

    const decisions = await otel.points('haltstate.decisions');
    const count = (action: string, decision: string) => decisions.find((point) => point.attributes['haltstate.action'] === action && point.attributes['haltstate.decision'] === decision)?.value;
    expect([count('m.deny', 'DENY'), count('m.allow', 'ALLOW'), count('m.wait', 'pending')]).toEqual([2, 1, 1]);
    expect(decisions.find((point) => point.attributes['haltstate.action'] === 'm.deny')!.attributes).toEqual({ 'haltstate.source': 'check', 'haltstate.action': 'm.deny', 'haltstate.decision': 'DENY', 'haltstate.mode': 'enforce', 'haltstate.failed_open': false });

    const latency = await otel.points('haltstate.check.duration');
    expect(latency.find((point) => point.attributes['haltstate.decision'] === 'DENY')!.value).toMatchObject({ count: 2 });
    const waits = await otel.points('haltstate.approval.wait.duration');
    expect(waits.find((point) => point.attributes['haltstate.approval.status'] === 'rejected')!.value).toMatchObject({ count: 1 });

    // The report queue holds one: the second report is dropped, and the queue's size is observed.
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    api().post(`${PREFIX}/action/report`).reply(async () => (await held, [200, {}, json]));
    await client.report(allowed, { status: 'success' });
    await client.report(allowed, { status: 'success' });
    const queued = await otel.points('haltstate.report.queue.size');
    expect(queued.find((point) => point.attributes['haltstate.tenant.id'] === 'acme')!.value).toBeGreaterThanOrEqual(1);
    expect(sumOf(await otel.points('haltstate.reports.dropped')) - before).toBe(1);
    expect((await otel.points('haltstate.reports.dropped')).map((point) => point.attributes)).toContainEqual({ 'haltstate.report.drop_reason': 'queue_full' });
    release();
    await expect(client.close()).resolves.toMatchObject({ delivered: 1, pending: 0 });

    scanAttributes([decisions, latency, waits, queued].flatMap((points) => points.map((point) => point.attributes)));
  });
});

function sumOf(points: Array<{ value: unknown }>): number {
  return points.reduce((sum, point) => sum + (typeof point.value === 'number' ? point.value : 0), 0);
}
