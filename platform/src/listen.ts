import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

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

export interface HttpDrain {
  /** True once draining began: readiness answers 503. */
  readonly draining: boolean;
  /**
   * Readiness turns 503; the listener stays open and connections stay alive (a client keeps its
   * connection rather than opening new ones while a load balancer moves it elsewhere).
   */
  beginDrain(): void;
  /**
   * Stops listening; from then on every response says `Connection: close` and closes its
   * connection, so a client learns from the response itself not to reuse it. Requests in flight
   * finish; a connection idle for `idleGraceMs` is closed (one idle for less may be carrying a
   * request on its way: that request is served, and its response closes the connection); what is
   * left after `timeoutMs` is destroyed. WebSocket connections are not this drain's (the
   * subscription server closes them with 1001).
   */
  close(options: { timeoutMs: number; idleGraceMs?: number }): Promise<void>;
}

/**
 * Graceful shutdown of an HTTP server, attached when the server is built. Node's own
 * `server.close()` destroys idle keep-alive connections at once, and a client that has just
 * written a request on one gets a reset: here a connection closes only after a response that
 * said `Connection: close`, or once it has been idle long enough.
 */
export function httpDrain(server: Server): HttpDrain {
  /** Requests in flight and when the connection was last busy, per connection. */
  const connections = new Map<Socket, { inFlight: number; lastActive: number }>();
  let draining = false;
  let closing = false;
  server.on('connection', (socket) => {
    connections.set(socket, { inFlight: 0, lastActive: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.prependListener('request', (req, res) => {
    const state = connections.get(req.socket);
    if (state) state.inFlight += 1;
    // Decided when the head is written: a request that began before the close still closes its connection.
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      if (closing && !this.headersSent) this.setHeader('connection', 'close');
      return writeHead.apply(this, args);
    } as typeof writeHead;
    res.once('close', () => {
      if (!state) return;
      state.inFlight -= 1;
      state.lastActive = Date.now();
    });
  });
  // Upgraded connections (WebSockets) leave HTTP: their owner closes them.
  server.on('upgrade', (req, socket) => {
    connections.delete(req.socket);
    if (server.listenerCount('upgrade') === 1) socket.destroy();
  });

  return {
    get draining() {
      return draining;
    },
    beginDrain() {
      draining = true;
    },
    async close({ timeoutMs, idleGraceMs = 0 }) {
      draining = true;
      closing = true;
      // net.Server's close: stop accepting without http.Server's immediate closeIdleConnections().
      if (server.listening) NetServer.prototype.close.call(server);
      const deadline = Date.now() + timeoutMs;
      while (connections.size > 0 && Date.now() < deadline) {
        const now = Date.now();
        for (const [socket, state] of connections) {
          if (state.inFlight === 0 && now - state.lastActive >= idleGraceMs) {
            connections.delete(socket);
            socket.end();
            setTimeout(() => socket.destroy(), 1_000).unref();
          }
        }
        if (connections.size === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      for (const socket of connections.keys()) socket.destroy();
      connections.clear();
    },
  };
}
