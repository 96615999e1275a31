// Event streams are capped per key: one more than streamsPerKey is a 429 naming the cap, and a
// closed stream gives its place back. Other keys keep their own allowance.
import { once } from 'node:events';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { LocalServer } from '@haltstate/local';
import { startServer, TENANTS } from '../helpers/server';

const [acme, globex] = TENANTS as [(typeof TENANTS)[0], (typeof TENANTS)[0]];

let server: LocalServer;
beforeAll(async () => {
  server = await startServer({ limits: { streamsPerKey: 2 } });
});
afterAll(() => server.close());

/** Opens a stream; resolves with its response once the headers are in (a 200 has sent CONNECTED by then or soon). */
async function open(path: string, headers: Record<string, string>): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  const req = request(`${server.url}${path}`, { headers, agent: false });
  req.on('error', () => undefined); // destroying it below is how a test closes a stream
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.on('error', () => undefined);
  return { req, res };
}
const agentStream = (key: string, tenant: string) => open(`/api/sentinel/approvals/stream?tenant_id=${tenant}`, { 'x-api-key': key });
const pageStream = (key: string) => open('/local/stream', { authorization: `Bearer ${key}` });

it('a third agent stream of one key is a 429 naming streamsPerKey; another key still streams', async () => {
  // The server's side of the first stream's connection: the test waits for the server to see it close.
  const accepted = once(server.app.server, 'connection') as Promise<[Socket]>;
  const first = await agentStream(acme.apiKey, acme.id);
  const [serverSide] = await accepted;
  const second = await agentStream(acme.apiKey, acme.id);
  expect([first.res.statusCode, second.res.statusCode]).toEqual([200, 200]);
  const third = await agentStream(acme.apiKey, acme.id);
  expect(third.res.statusCode).toBe(429);
  expect(third.res.headers['retry-after']).toBeDefined();
  third.res.setEncoding('utf8');
  let body = '';
  for await (const chunk of third.res) body += chunk;
  expect(JSON.parse(body).detail).toMatch(/this key already has 2 open \(server limit streamsPerKey\)/);
  const other = await agentStream(globex.apiKey, globex.id);
  expect(other.res.statusCode).toBe(200);

  // Closing one gives its place back once the server has seen the close.
  const seen = serverSide.destroyed ? Promise.resolve() : once(serverSide, 'close');
  first.req.destroy();
  await seen;
  await new Promise((resolve) => setImmediate(resolve));
  const again = await agentStream(acme.apiKey, acme.id);
  expect(again.res.statusCode).toBe(200);
  for (const stream of [second, other, again]) stream.req.destroy();
});

it('the page stream (/local/stream) is capped per admin key the same way', async () => {
  const streams = [await pageStream(acme.adminKey), await pageStream(acme.adminKey)];
  expect(streams.map((stream) => stream.res.statusCode)).toEqual([200, 200]);
  const refused = await pageStream(acme.adminKey);
  expect(refused.res.statusCode).toBe(429);
  refused.req.destroy();
  for (const stream of streams) stream.req.destroy();
});
