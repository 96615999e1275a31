// Without OpenTelemetry the client works as before and records nothing: with the API installed
// but no provider registered (the default of any app that does not set one up), and with the
// API not installed at all (an optional peer dependency the app may not have).
import { HaltStateClient } from '@haltstate/core';
import { trace } from '@opentelemetry/api';
import { api, BASE_URL, json, KEY, PREFIX, setupNock, TENANT } from './helpers/api';
import { installTelemetry } from '@test-support/otel';

setupNock();

/** What the requests of one guard carried, and what it returned. */
async function guardOnce(Client: typeof HaltStateClient): Promise<{ value: number; headers: string[] }> {
  const headers: string[] = [];
  api()
    .post(`${PREFIX}/action/guard`)
    .reply(function () {
      headers.push(...Object.keys(this.req.headers));
      return [200, { status: 'allowed' }, json];
    });
  api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
  const client = new Client({ tenantId: TENANT, apiKey: KEY, baseUrl: BASE_URL, retries: 0 });
  const value = await client.guard({ action: 'a.b', idempotencyKey: `k-${Math.random()}` }, () => 42);
  await client.close();
  return { value, headers };
}

it('with the API but no provider: runs, sends no trace context', async () => {
  const { value, headers } = await guardOnce(HaltStateClient);
  expect(value).toBe(42);
  expect(headers).not.toContain('traceparent');
  expect(headers).not.toContain('tracestate');
});

it('a provider registered after a client made untraced calls is used from the next call on', async () => {
  api().post(`${PREFIX}/action/check`).times(2).reply(200, { decision: 'ALLOW', reason: 'ok', policy_id: 'p' }, json);
  const client = new HaltStateClient({ tenantId: TENANT, apiKey: KEY, baseUrl: BASE_URL, retries: 0 });
  await client.check('a.before');
  const telemetry = installTelemetry();
  try {
    await client.check('a.after');
    expect(telemetry.spans().map((span) => [span.name, span.attributes['haltstate.action']])).toEqual([['haltstate.check', 'a.after']]);
  } finally {
    await client.close();
    await telemetry.shutdown();
  }
});

it('when @opentelemetry/api cannot be loaded: runs, records nothing, sends no trace context, even inside an app span', async () => {
  let Isolated: typeof HaltStateClient | undefined;
  jest.isolateModules(() => {
    jest.doMock('@opentelemetry/api', () => {
      throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
    });
    Isolated = (require('@haltstate/core') as typeof import('@haltstate/core')).HaltStateClient;
  });
  // The app itself has a working SDK: only this copy of the client cannot load the API.
  const otel = installTelemetry();
  try {
    const { value, headers } = await trace.getTracer('app').startActiveSpan('app.step', async (span) => {
      try {
        return await guardOnce(Isolated!);
      } finally {
        span.end();
      }
    });
    expect(value).toBe(42);
    expect(headers).not.toContain('traceparent');
    expect(otel.spans().map((span) => span.name)).toEqual(['app.step']);
    // The same call from the client that has the API is traced: the test above is not vacuous.
    const traced = await trace.getTracer('app').startActiveSpan('app.step', async (span) => {
      try {
        return await guardOnce(HaltStateClient);
      } finally {
        span.end();
      }
    });
    expect(traced.headers).toContain('traceparent');
  } finally {
    jest.dontMock('@opentelemetry/api');
    await otel.shutdown();
  }
});
