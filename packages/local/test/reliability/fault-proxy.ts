// A small HTTP proxy between client and server that injects faults, chosen by a seeded PRNG so a
// failing run can be replayed with its seed.
import { createServer, request as forward, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | 'pass'
  | 'error-503' // answer 503 without forwarding
  | 'error-500-after' // forward (the server acts), then answer 500
  | 'error-503-after' // forward (the server acts), then answer 503: the response is lost and the client retries
  | 'timeout' // never answer (the client's deadline must end it)
  | 'timeout-after' // forward (the server acts), then never answer
  | 'reset' // destroy the socket before answering
  | 'reset-mid-body' // forward, send half the body, destroy the socket
  | 'slow' // forward, answer after a delay within the deadline
  | 'truncated-json' // 200 with JSON cut short
  | 'malformed-json' // 200 with something that is not JSON
  | 'wrong-content-type' // the server's body as text/html
  | 'huge-body' // 200 with 2 MiB of JSON
  | 'stream-drop'; // SSE: forward, then drop the stream after a moment

/** mulberry32: a tiny seeded PRNG. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A picker that draws faults by weight from a seeded PRNG. */
export function weightedPicker(random: () => number, weights: ReadonlyArray<readonly [Fault, number]>): () => Fault {
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  return () => {
    let roll = random() * total;
    for (const [fault, weight] of weights) if ((roll -= weight) < 0) return fault;
    return 'pass';
  };
}

export interface FaultProxy {
  url: string;
  /** Faults injected so far, by kind. */
  counts: Record<string, number>;
  /** Resolves once no forwarded request is waiting for the server (a client may have given up on it). */
  settled(): Promise<void>;
  /** Drops every open approval stream now (clients must resume from their cursor); returns how many. */
  dropStreams(): number;
  /** Pick faults with this function from now on ('pass' for none). */
  setPicker(pick: (request: IncomingMessage) => Fault): void;
  close(): Promise<void>;
}

const HOLD_MS = 60_000;
/** The proxy's own route: answered once no request it has seen is still in flight. */
const SETTLED_PATH = '/__fault-proxy/settled';

export async function startFaultProxy(upstream: string, options: { slowMs?: number } = {}): Promise<FaultProxy> {
  const target = new URL(upstream);
  let pick: (request: IncomingMessage) => Fault = () => 'pass';
  const counts: Record<string, number> = {};
  const sockets = new Set<Socket>();
  const streams = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  // Requests the server may still act on, counted from the moment the proxy parses one until it
  // was answered here, or forwarded and answered by the server (a client that timed out does not
  // wait for them, but the server still acts on them).
  let inFlight = 0;
  let whenSettled: Array<() => void> = [];
  const track = (): (() => void) => {
    inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--inFlight > 0) return;
      for (const resolve of whenSettled) resolve();
      whenSettled = [];
    };
  };
  const whenIdle = async (): Promise<void> => {
    // The rest of this I/O turn first: other sockets read in the same turn are parsed after this one.
    await new Promise((resolve) => setImmediate(resolve));
    while (inFlight > 0) await new Promise<void>((resolve) => whenSettled.push(resolve));
  };
  const relay = (request: IncomingMessage, body: Buffer, done: (status: number, headers: Record<string, string | string[] | undefined>, upstreamResponse: IncomingMessage) => void, onError: () => void) => {
    const once = track();
    const outgoing = forward({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, host: target.host } }, (response) => {
      // The server has acted once it answered; a stream's body goes on, but it has acted.
      once();
      done(response.statusCode ?? 502, response.headers, response);
    });
    outgoing.on('error', () => {
      once();
      onError();
    });
    outgoing.end(body);
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url === SETTLED_PATH) {
      void whenIdle().then(() => response.end());
      return;
    }
    // Until its body is in: then it is answered here or forwarded (counted again until the server
    // answered), or its client went away first and it is never forwarded.
    const finished = track();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('close', finished);
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const isStream = (request.url ?? '').includes('/approvals/stream');
      let fault = pick(request);
      if (isStream && !['pass', 'error-503', 'reset', 'stream-drop', 'wrong-content-type'].includes(fault)) fault = 'stream-drop';
      counts[fault] = (counts[fault] ?? 0) + 1;
      const fail = () => response.destroy();
      const readAll = (upstream: IncomingMessage, then: (text: Buffer) => void) => {
        const parts: Buffer[] = [];
        upstream.on('data', (chunk: Buffer) => parts.push(chunk));
        upstream.on('end', () => then(Buffer.concat(parts)));
        upstream.on('error', fail);
      };
      // Faults answered here never reach the server.
      if (answerHere(fault, request, response, later)) {
        finished();
        return;
      }
      relay(
        request,
        body,
        (status, headers, upstream) => {
          switch (fault) {
            case 'error-500-after':
              readAll(upstream, () => response.writeHead(500, { 'content-type': 'application/json' }).end('{"detail":"injected 500 after the server acted"}'));
              return;
            case 'error-503-after':
              readAll(upstream, () => response.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"injected 503 after the server acted"}'));
              return;
            case 'timeout-after':
              readAll(upstream, () => later(() => response.destroy(), HOLD_MS));
              return;
            case 'reset-mid-body':
              readAll(upstream, (text) => {
                response.writeHead(status, { ...headers, 'content-length': String(text.length) });
                response.write(text.subarray(0, Math.floor(text.length / 2)));
                later(() => response.socket?.destroy(), 5);
              });
              return;
            case 'slow':
              readAll(upstream, (text) => later(() => response.writeHead(status, headers).end(text), options.slowMs ?? 50));
              return;
            case 'wrong-content-type':
              readAll(upstream, (text) => response.writeHead(status, { 'content-type': 'text/html' }).end(text));
              return;
            case 'stream-drop':
              response.writeHead(status, headers);
              upstream.pipe(response);
              later(() => {
                upstream.destroy();
                response.destroy();
              }, 20 + Math.floor(Math.random() * 80));
              return;
            default:
              response.writeHead(status, headers);
              upstream.pipe(response);
              if (isStream) {
                const drop = () => {
                  upstream.destroy();
                  response.destroy();
                };
                streams.add(drop);
                response.on('close', () => streams.delete(drop));
              }
          }
        },
        fail,
      );
      finished();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    // Asked over a new connection, answered by the proxy once nothing it has parsed is in flight:
    // connections are accepted in order, so by the time this one is read every request a client
    // wrote before it (even one whose client gave up before the proxy got to it, as happens on a
    // loaded machine) has been parsed, and is counted.
    settled: () =>
      new Promise<void>((resolve, reject) => {
        const probe = forward({ host: '127.0.0.1', port, path: SETTLED_PATH, agent: false }, (response) => {
          response.resume();
          response.on('end', () => resolve());
        });
        probe.on('error', reject);
        probe.end();
      }),
    dropStreams: () => {
      const open = [...streams];
      for (const drop of open) drop();
      counts['stream-dropped-mid-burst'] = (counts['stream-dropped-mid-burst'] ?? 0) + open.length;
      return open.length;
    },
    setPicker: (next) => (pick = next),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers the faults that are the proxy's alone (the request is never forwarded); false for the rest. */
function answerHere(fault: Fault, request: IncomingMessage, response: ServerResponse, later: (fn: () => void, ms: number) => void): boolean {
  switch (fault) {
    case 'error-503':
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"injected 503"}');
      return true;
    case 'timeout':
      later(() => response.destroy(), HOLD_MS);
      return true;
    case 'reset':
      request.socket.destroy();
      return true;
    case 'truncated-json':
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"allowed","approval_');
      return true;
    case 'malformed-json':
      response.writeHead(200, { 'content-type': 'application/json' }).end('<html>proxy error</html>');
      return true;
    case 'huge-body':
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'allowed', decision: 'ALLOW', padding: 'x'.repeat(2 * 1024 * 1024) }));
      return true;
    default:
      return false;
  }
}
