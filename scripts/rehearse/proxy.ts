/**
 * A small round-robin TCP proxy: each client connection goes to the next backend in turn; a
 * backend that refuses the connection (its process is down) is skipped for the next one, as a
 * load balancer's "next upstream on connect error" does. Being TCP, it carries HTTP keep-alive
 * and WebSocket upgrades alike; a connection whose backend dies is cut, as it would be behind a
 * real balancer (the client sees the reset and retries or reconnects).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface RoundRobinProxy {
  port: number;
  /** Connections sent to each backend port. */
  connections: Record<number, number>;
  /** Client connections closed because no backend accepted. */
  refused: number;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(backends: number[], { host = '127.0.0.1', port = 0 } = {}): Promise<RoundRobinProxy> {
  let next = 0;
  const sockets = new Set<Socket>();
  const state: RoundRobinProxy = { port: 0, connections: Object.fromEntries(backends.map((b) => [b, 0])), refused: 0, close: async () => undefined };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const start = next;
    next = (next + 1) % backends.length;
    const attempt = (i: number) => {
      if (i >= backends.length) {
        state.refused += 1;
        client.destroy();
        return;
      }
      const target = backends[(start + i) % backends.length]!;
      const upstream = connect({ host, port: target });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.setNoDelay(true);
      const onConnectError = () => {
        upstream.destroy();
        attempt(i + 1);
      };
      upstream.once('error', onConnectError);
      upstream.once('connect', () => {
        upstream.off('error', onConnectError);
        state.connections[target] = (state.connections[target] ?? 0) + 1;
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.setNoDelay(true);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  state.port = (server.address() as { port: number }).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
