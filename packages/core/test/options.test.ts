import { HaltStateClient, HaltStateValidationError, resolveOptions } from '@haltstate/core';
import { inspect } from 'node:util';
import { KEY } from './helpers/api';

const validationError = (fn: () => unknown): HaltStateValidationError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HaltStateValidationError);
    return error as HaltStateValidationError;
  }
  throw new Error('expected a HaltStateValidationError');
};

describe('client options', () => {
  it('applies options over environment over defaults', () => {
    const env = { HALTSTATE_TENANT_ID: 'env-tenant', HALTSTATE_API_KEY: KEY, HALTSTATE_AGENT_ID: 'env-agent', HALTSTATE_TIMEOUT: '2.5', HALTSTATE_FAIL_OPEN: 'true' };
    const fromEnv = resolveOptions({}, env);
    expect(fromEnv).toMatchObject({ tenantId: 'env-tenant', agentId: 'env-agent', timeoutMs: 2500, failOpen: true, baseUrl: 'https://haltstate.ai', retries: 2, namespace: 'legacy', allowInsecureHttp: false });
    const fromOptions = resolveOptions({ tenantId: 'opt', agentId: 'opt-agent', timeoutMs: 100, failOpen: false }, env);
    expect(fromOptions).toMatchObject({ tenantId: 'opt', agentId: 'opt-agent', timeoutMs: 100, failOpen: false });
  });

  it('reads HALTSTATE_BASE_URL, then HALTSTATE_API_BASE, and strips a trailing slash', () => {
    const base = { HALTSTATE_TENANT_ID: 't', HALTSTATE_API_KEY: KEY };
    expect(resolveOptions({}, { ...base, HALTSTATE_API_BASE: 'https://alias.example/' }).baseUrl).toBe('https://alias.example');
    expect(resolveOptions({}, { ...base, HALTSTATE_API_BASE: 'https://alias.example', HALTSTATE_BASE_URL: 'https://main.example//' }).baseUrl).toBe('https://main.example');
  });

  it('names the option and the variable when the tenant id or key is missing', () => {
    const tenant = validationError(() => resolveOptions({ apiKey: KEY }, {}));
    expect(tenant.message).toContain('tenantId is required');
    expect(tenant.message).toContain('HALTSTATE_TENANT_ID');
    expect(tenant.path).toBe('tenantId');
    const key = validationError(() => resolveOptions({ tenantId: 't' }, {}));
    expect(key.message).toContain('HALTSTATE_API_KEY');
    expect(key.path).toBe('apiKey');
    expect(validationError(() => resolveOptions({ tenantId: '  ', apiKey: KEY }, {})).message).toContain('tenantId must not be empty');
  });

  it('refuses plain http to a non-loopback host unless opted in', () => {
    const error = validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY, baseUrl: 'http://haltstate.example' }, {}));
    expect(error.message).toContain('allowInsecureHttp');
    expect(resolveOptions({ tenantId: 't', apiKey: KEY, baseUrl: 'http://haltstate.example', allowInsecureHttp: true }, {}).baseUrl).toBe('http://haltstate.example');
    for (const url of ['http://localhost:8787', 'http://127.0.0.1:1', 'http://[::1]:8787']) {
      expect(resolveOptions({ tenantId: 't', apiKey: KEY, baseUrl: url }, {}).baseUrl).toBe(url);
    }
  });

  it('rejects bad values with the option named', () => {
    expect(validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY, baseUrl: 'ftp://x' }, {})).path).toBe('baseUrl');
    expect(validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY, timeoutMs: -1 }, {})).path).toBe('timeoutMs');
    expect(validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY, retries: 1.5 }, {})).path).toBe('retries');
    expect(validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY, namespace: 'other' as 'legacy' }, {})).path).toBe('namespace');
    expect(validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY }, { HALTSTATE_FAIL_OPEN: 'maybe' })).message).toContain('HALTSTATE_FAIL_OPEN');
    expect(validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY }, { HALTSTATE_TIMEOUT: 'soon' })).message).toContain('HALTSTATE_TIMEOUT');
  });

  it('says HALTSTATE_TIMEOUT is in seconds when a value in milliseconds is too large', () => {
    const error = validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY }, { HALTSTATE_TIMEOUT: '5000' }));
    expect(error.message).toContain('HALTSTATE_TIMEOUT is in seconds');
    expect(error.message).toContain('5000 s is over the maximum of 600 s');
    expect(error.message).toContain('HALTSTATE_TIMEOUT=5');
    expect(error.path).toBe('HALTSTATE_TIMEOUT');
    expect(validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY }, { HALTSTATE_TIMEOUT: '-2' })).message).toMatch(/HALTSTATE_TIMEOUT must be a positive number of seconds \(e\.g\. 5\), got "-2"/);
  });

  it('names the option, its unit and its range in every bad value', () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ timeoutMs: 5_000_000 }, 'timeoutMs', /timeoutMs is in milliseconds; 5000000 ms is over the maximum of 600000 ms \(10 minutes\)/],
      [{ timeoutMs: -1 }, 'timeoutMs', /timeoutMs must be a positive whole number of milliseconds, got -1/],
      [{ timeoutMs: '5000' }, 'timeoutMs', /timeoutMs must be a positive whole number of milliseconds, got "5000" \(a string\)/],
      [{ retries: 1.5 }, 'retries', /retries must be a whole number from 0 to 10, got 1\.5/],
      [{ retries: 11 }, 'retries', /retries must be a whole number from 0 to 10, got 11/],
      [{ maxQueuedReports: 0 }, 'maxQueuedReports', /maxQueuedReports must be a positive whole number, got 0/],
      [{ namespace: 'other' }, 'namespace', /namespace must be "legacy" or "branded", got "other"/],
      [{ failOpen: 'yes' }, 'failOpen', /failOpen must be true or false, got "yes"/],
      [{ allowInsecureHttp: 1 }, 'allowInsecureHttp', /allowInsecureHttp must be true or false, got 1/],
    ];
    for (const [options, path, message] of cases) {
      const error = validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY, ...options } as never, {}));
      expect([error.path, error.message]).toEqual([path, expect.stringMatching(message)]);
    }
  });

  it('refuses an unknown option and suggests the right name', () => {
    const cases: Array<[string, string]> = [
      ['timeout', 'timeoutMs'],
      ['timeoutMS', 'timeoutMs'],
      ['api_key', 'apiKey'],
      ['baseURL', 'baseUrl'],
      ['base_url', 'baseUrl'],
      ['tenant', 'tenantId'],
      ['maxRetries', 'retries'],
      ['agentID', 'agentId'],
      ['failopen', 'failOpen'],
      ['digestSecrte', 'digestSecret'],
    ];
    for (const [wrong, right] of cases) {
      const error = validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY, [wrong]: 1 } as never, {}));
      expect(error.path).toBe(wrong);
      expect(error.message).toContain(`Unknown HaltState client option "${wrong}": did you mean "${right}"`);
    }
    expect(validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY, timeout: 5000 } as never, {})).message).toContain('"timeoutMs" (milliseconds)');
    const unknown = validationError(() => resolveOptions({ tenantId: 't', apiKey: KEY, colour: 'blue' } as never, {}));
    expect(unknown.message).toMatch(/Unknown HaltState client option "colour"; the options are tenantId, apiKey, .*fetch/);
  });

  it('refuses unknown keys in a call and its wait, with a suggestion', async () => {
    const client = new HaltStateClient({ tenantId: 't', apiKey: KEY, baseUrl: 'http://127.0.0.1:1' });
    await expect(client.check('a.b', {}, { timeout: 100 } as never)).rejects.toMatchObject({ name: 'HaltStateValidationError', path: 'timeout', message: expect.stringContaining('did you mean "timeoutMs"') });
    await expect(client.guard({ action: 'a.b', idempotency_key: 'k' } as never, () => 1)).rejects.toMatchObject({ path: 'idempotency_key', message: expect.stringContaining('did you mean "idempotencyKey"') });
    await expect(client.guard({ action: 'a.b', wait: { timeout: 1000 } } as never, () => 1)).rejects.toMatchObject({ path: 'wait.timeout', message: expect.stringContaining('did you mean "timeoutMs"') });
    await expect(client.guard({ action: 'a.b', wait: { timeoutMs: -5 } }, () => 1)).rejects.toMatchObject({ path: 'wait.timeoutMs', message: expect.stringContaining('wait.timeoutMs must be a positive number of milliseconds, got -5') });
    await expect(client.waitForApproval('apr', { interval: 5 } as never)).rejects.toMatchObject({ path: 'interval', message: expect.stringContaining('did you mean "pollIntervalMs"') });
    await client.close();
  });

  it('closes itself at the end of an `await using` scope', async () => {
    let closed = false;
    {
      await using client = new HaltStateClient({ tenantId: 't', apiKey: KEY, baseUrl: 'http://127.0.0.1:1' });
      const close = client.close.bind(client);
      client.close = async (...args) => ((closed = true), close(...args));
    }
    expect(closed).toBe(true);
  });

  it('never shows the API key when the client is printed or serialised', () => {
    const client = new HaltStateClient({ tenantId: 't', apiKey: KEY, baseUrl: 'http://127.0.0.1:1' });
    for (const text of [inspect(client, { depth: 10, showHidden: true }), JSON.stringify(client), String(client), `${client}`]) {
      expect(text).not.toContain(KEY);
      expect(text).toContain('t');
    }
  });
});
