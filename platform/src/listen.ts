import type { Server } from 'node:http';

/** Listens and resolves with the bound port (pass 0 for a free one). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Tells the dev orchestrator (when there is one) which port a service bound. */
export function announceListening(name: string, port: number): void {
  process.send?.({ type: 'listening', name, port });
}

/** Closes an HTTP server, ending idle keep-alive connections so it does not hang. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}
