import type { LocalServer } from '@haltstate/local';
import { startServer, TENANTS } from './helpers/server';

let server: LocalServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const get = (path: string, key: string, tenant?: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}`, ...(tenant ? { 'x-tenant-id': tenant } : {}) } });

describe('sign-in tokens and whoami', () => {
  it('a tenant sign-in token works like its admin key on the admin routes, for that tenant only', async () => {
    const token = server.signInToken('acme');
    expect(token).toMatch(/^hs_signin_[0-9a-f]{48}$/);
    expect(server.signInToken('globex')).not.toBe(token);
    expect(await (await get('/local/whoami', token)).json()).toEqual({ tenant_id: 'acme' });
    expect((await get('/local/approvals', token, 'acme')).status).toBe(200);
    expect((await get('/local/approvals', token, 'globex')).status).toBe(401);
  });

  it('is not an agent key: 403 on an agent route', async () => {
    const response = await fetch(`${server.url}/api/sentinel/heartbeat?agent_id=a`, { headers: { 'x-api-key': server.signInToken('acme') } });
    expect(response.status).toBe(403);
  });

  it('whoami follows the auth rule: 401 for an unknown key, 403 for an agent key', async () => {
    expect((await get('/local/whoami', 'hs_unknown_key_0000')).status).toBe(401);
    expect((await get('/local/whoami', TENANTS[0]!.apiKey)).status).toBe(403);
    expect(await (await get('/local/whoami', TENANTS[1]!.adminKey)).json()).toEqual({ tenant_id: 'globex' });
  });

  it('signInUrl carries a new one-time code in the fragment, never a key or token; an unknown tenant throws', () => {
    const link = server.signInUrl();
    expect(link).toMatch(new RegExp(`^${server.url}/#code=hs_code_[A-Za-z0-9_-]{24}$`));
    expect(server.signInUrl('globex')).not.toBe(link);
    for (const secret of [server.signInToken('acme'), TENANTS[0]!.adminKey]) expect(link).not.toContain(secret);
    expect(() => server.signInToken('nobody')).toThrow(/No tenant "nobody" on this server \(tenants: acme, globex\)/);
    expect(() => server.signInUrl('nobody')).toThrow(/No tenant "nobody"/);
  });
});
