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
