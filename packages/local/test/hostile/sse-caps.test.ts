// Event streams are capped per key: one more than streamsPerKey is a 429 naming the cap, and a
// closed stream gives its place back. Other keys keep their own allowance.
import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { LocalServer } from '@haltstate/local';
import { startServer, TENANTS } from '../helpers/server';

const [acme, globex] = TENANTS as [(typeof TENANTS)[0], (typeof TENANTS)[0]];

let server: LocalServer;
beforeAll(async () => {
  server = await startServer({ limits: { streamsPerKey: 2 } });
});
afterAll(() => server.close());

/**
 * Opens a stream with fetch; resolves once the headers are in. fetch, not node:http: another test
 * file in the same jest worker may have loaded nock, whose http interceptor stays in the process
 * and holds a streamed response back until it ends.
 */
async function open(path: string, headers: Record<string, string>): Promise<{ response: Response; close: () => void }> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}${path}`, { headers, signal: controller.signal });
  return { response, close: () => controller.abort() };
}
const agentStream = (key: string, tenant: string) => open(`/api/sentinel/approvals/stream?tenant_id=${tenant}`, { 'x-api-key': key });
const pageStream = (key: string) => open('/local/stream', { authorization: `Bearer ${key}` });

it('a third agent stream of one key is a 429 naming streamsPerKey; another key still streams', async () => {
  // The server's side of the first stream's connection: the test waits for the server to see it close.
  const accepted = once(server.app.server, 'connection') as Promise<[Socket]>;
  const first = await agentStream(acme.apiKey, acme.id);
  const [serverSide] = await accepted;
  const second = await agentStream(acme.apiKey, acme.id);
  expect([first.response.status, second.response.status]).toEqual([200, 200]);
  const third = await agentStream(acme.apiKey, acme.id);
  expect(third.response.status).toBe(429);
  expect(third.response.headers.get('retry-after')).not.toBeNull();
  expect(((await third.response.json()) as { detail: string }).detail).toMatch(/this key already has 2 open \(server limit streamsPerKey\)/);
  const other = await agentStream(globex.apiKey, globex.id);
  expect(other.response.status).toBe(200);

  // Closing one gives its place back once the server has seen the close.
  const seen = serverSide.destroyed ? Promise.resolve() : once(serverSide, 'close');
  first.close();
  await seen;
  await new Promise((resolve) => setImmediate(resolve));
  const again = await agentStream(acme.apiKey, acme.id);
  expect(again.response.status).toBe(200);
  for (const stream of [second, other, again]) stream.close();
});

it('the page stream (/local/stream) is capped per admin key the same way', async () => {
  const streams = [await pageStream(acme.adminKey), await pageStream(acme.adminKey)];
  expect(streams.map((stream) => stream.response.status)).toEqual([200, 200]);
  const refused = await pageStream(acme.adminKey);
  expect(refused.response.status).toBe(429);
  refused.close();
  for (const stream of streams) stream.close();
});
