// Slow or idle strangers cannot hold every connection: at maxConnections a new connection cuts the
// oldest one that never sent a valid key, and trickled headers are cut by headersTimeoutMs.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { HaltStateClient } from '@haltstate/core';
import type { LocalServer } from '@haltstate/local';
import { startServer, TENANTS } from '../helpers/server';

const acme = TENANTS[0]!;

/** A raw connection that the server has accepted (its 'connection' event fired). */
async function slowConnection(server: LocalServer, first: string): Promise<Socket> {
  const accepted = once(server.app.server, 'connection');
  const { port } = server.app.server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  await accepted;
  socket.write(first);
  return socket;
}

describe('connection cap', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startServer({ limits: { maxConnections: 3 } });
  });
  afterAll(() => server.close());

  it('three trickling keyless connections fill the cap; a keyed agent is still answered and the oldest stranger is cut', async () => {
    const slow = [
      // a body that never finishes
      await slowConnection(server, 'POST /api/sentinel/action/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"a":'),
      // headers that never finish
      await slowConnection(server, 'POST /api/sentinel/action/check HTTP/1.1\r\nHost: x\r\nX-Slow: '),
      await slowConnection(server, 'GET / HTTP/1.1\r\nHost'),
    ];
    const closed = slow.map((socket) => once(socket, 'close').then(() => true));
    const client = new HaltStateClient({ baseUrl: server.url, tenantId: acme.id, apiKey: acme.apiKey, agentId: 'payment-bot-1', retries: 0, onReportError: () => undefined });
    expect(await client.heartbeat()).toBe('OK');
    // The first (oldest) stranger made room.
    expect(await closed[0]).toBe(true);
    // The agent's kept-alive connection carried a valid key: new strangers cut each other, not it.
    const more = await slowConnection(server, 'GET / HTTP/1.1\r\n');
    await Promise.race([closed[1], once(more, 'close')]);
    expect(await client.heartbeat()).toBe('OK');
    await client.close();
    for (const socket of [...slow, more]) socket.destroy();
  });
});

describe('timeouts', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startServer({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
  });
  afterAll(() => server.close());

  it('headers trickled past headersTimeoutMs: the server answers 408 and closes the connection', async () => {
    const socket = await slowConnection(server, 'GET /api/sentinel/heartbeat HTTP/1.1\r\nHost: x\r\n');
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    await once(socket, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a body trickled past requestTimeoutMs is cut too', async () => {
    const socket = await slowConnection(server, 'POST /api/sentinel/action/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    await once(socket, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});

describe('timeout settings', () => {
  it('timeouts longer than Node\'s defaults start a server that keeps them (Node checks the header timeout against the request timeout when the server is made)', async () => {
    const server = await startServer({ limits: { headersTimeoutMs: 3_600_000, requestTimeoutMs: 3_600_000, idleTimeoutMs: 3_600_000 } });
    try {
      expect([server.app.server.headersTimeout, server.app.server.requestTimeout, server.app.server.keepAliveTimeout]).toEqual([3_600_000, 3_600_000, 3_600_000]);
    } finally {
      await server.close();
    }
  });
});

describe('one key cannot hold every connection', () => {
  const globex = TENANTS[1]!;

  /** A kept-alive connection that has carried one request with `key`, and the status it got. */
  async function keyedConnection(server: LocalServer, key: string): Promise<{ socket: Socket; status: number }> {
    const socket = await slowConnection(server, `GET /api/sentinel/heartbeat?agent_id=a HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: ${key}\r\nConnection: keep-alive\r\n\r\n`);
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    return { socket, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString())?.[1]) };
  }

  it("at the cap, another tenant's new connection pushes out the oldest of the key holding the most, and is answered", async () => {
    const server = await startServer({ limits: { maxConnections: 4, connectionsPerKey: 10 } });
    try {
      const held = [];
      for (let index = 0; index < 4; index++) held.push(await keyedConnection(server, acme.apiKey));
      expect(held.map((connection) => connection.status)).toEqual([200, 200, 200, 200]);
      const oldestClosed = once(held[0]!.socket, 'close');
      const client = new HaltStateClient({ baseUrl: server.url, tenantId: globex.id, apiKey: globex.apiKey, agentId: 'other-bot', retries: 0 });
      await expect(client.heartbeat()).resolves.toBeDefined();
      await oldestClosed;
      await client.close();
      for (const { socket } of held) socket.destroy();
    } finally {
      await server.close();
    }
  });

  it('one connection over connectionsPerKey is a 429 naming the limit, and is closed', async () => {
    const server = await startServer({ limits: { connectionsPerKey: 2 } });
    try {
      const held = [await keyedConnection(server, acme.apiKey), await keyedConnection(server, acme.apiKey)];
      expect(held.map((connection) => connection.status)).toEqual([200, 200]);
      const third = await slowConnection(server, `GET /api/sentinel/heartbeat?agent_id=a HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: ${acme.apiKey}\r\nConnection: keep-alive\r\n\r\n`);
      let answer = '';
      third.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      await once(third, 'close');
      expect(answer).toMatch(/^HTTP\/1\.1 429/);
      expect(answer).toMatch(/server limit connectionsPerKey/);
      // Another key is not affected.
      expect((await keyedConnection(server, globex.apiKey)).status).toBe(200);
      for (const { socket } of held) socket.destroy();
    } finally {
      await server.close();
    }
  });
});
