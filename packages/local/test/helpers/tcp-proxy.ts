import { createServer, connect, type Server, type Socket } from 'node:net';

/** A TCP proxy a test can cut (every connection dropped, new ones refused at once) and restore. */
export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** Drops every open connection; new ones are closed as soon as they arrive, until restore(). */
  cut(): void;
  restore(): void;
  /** Cuts the moment a client sends bytes containing `marker` (before they reach the target). */
  cutOn(marker: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1:0 to `target` (e.g. PostgreSQL on 5432), for connection-loss tests.
 *
 * @example
 * const proxy = await startTcpProxy(5432); proxy.cut(); … proxy.restore();
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let isCut = false;
  let trigger: { marker: string; fire: () => void } | undefined;
  const cut = () => {
    isCut = true;
    for (const socket of open) socket.destroy();
    open.clear();
  };
  const server: Server = createServer((client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (trigger && chunk.includes(trigger.marker)) {
        const fire = trigger.fire;
        trigger = undefined;
        cut();
        fire();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cut,
    restore: () => {
      isCut = false;
    },
    cutOn: (marker) => new Promise<void>((resolve) => (trigger = { marker, fire: resolve })),
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
