// The admin client never sends the admin key anywhere but the URL it was given.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminClient, AdminError } from '@haltstate/local';

const listen = (server: Server) =>
  new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('AdminClient and redirects', () => {
  const received: IncomingHttpHeaders[] = [];
  const elsewhere = createServer((request, response) => {
    received.push(request.headers);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"approvals":[]}');
  });
  let elsewhereUrl: string;
  let redirectStatus = 307;
  const redirecting = createServer((request, response) => {
    response.writeHead(redirectStatus, { location: `${elsewhereUrl}${request.url}` }).end();
  });
  let redirectingUrl: string;

  beforeAll(async () => {
    elsewhereUrl = await listen(elsewhere);
    redirectingUrl = await listen(redirecting);
  });
  afterAll(async () => {
    await close(elsewhere);
    await close(redirecting);
  });
  beforeEach(() => {
    received.length = 0;
    redirectStatus = 307;
  });

  const admin = () => new AdminClient({ url: redirectingUrl, tenantId: 'acme', adminKey: 'hs_admin_SECRET-do-not-leak' });

  it.each([
    ['GET approvals', () => admin().approvals()],
    ['POST approve', () => admin().approve('a1', { approver: 'alice' })],
    ['PUT agent status', () => admin().setAgentStatus('bot', 'KILL')],
  ])('%s: a 307 is an error, and the redirect target receives nothing', async (_, call) => {
    const error = (await call().catch((caught: unknown) => caught)) as AdminError;
    expect(error).toBeInstanceOf(AdminError);
    expect(error.status).toBe(307);
    expect(error.message).toMatch(/redirect.*not followed/);
    expect(error.message).not.toContain('SECRET');
    expect(received).toEqual([]);
  });

  it.each([301, 302, 303, 308])('%i is refused the same way', async (status) => {
    redirectStatus = status;
    const error = (await admin().approvals().catch((caught: unknown) => caught)) as AdminError;
    expect(error).toMatchObject({ status });
    expect(received).toEqual([]);
  });
});
