import type { IncomingHttpHeaders } from 'node:http';
import { CloseCode, MessageType, parseMessage, type Message } from 'graphql-ws';
import type { RouterConfig } from '../config.js';
import { sessionTokenFrom } from '../sessions.js';
import type { ConnectionLog, SubscriptionCore } from './subscription-core.js';

export interface ProtocolServerOptions {
  config: Pick<RouterConfig, 'NODE_ENV' | 'WS_INIT_TIMEOUT_MS'>;
  /** The protocol-independent part (sessions, limits, validation, the hub), shared with graphql-sse. */
  core: SubscriptionCore;
}

/** What the protocol needs of one client socket; the transport (`ws-server.ts`) provides it. */
export interface ProtocolSocket {
  /** Whether the socket is open (a subscription that was joined while it closed is left again). */
  isOpen(): boolean;
  /** False when the socket is gone, or cannot take more (the transport may close it then). */
  writable(): boolean;
  /** Sends one text message; called only right after `writable()` said yes. */
  send(message: string): void;
  /**
   * Hands over one `next` message per payload, each `prefix + payload + "}"`, to be written in
   * order and before anything sent after them; called only right after `writable()` said yes.
   */
  writeNext(prefix: Buffer, payloads: readonly Buffer[]): void;
  close(code: number, reason: string): void;
}

/** One connection's side of the protocol: the transport hands it every text message, then tells it the socket closed. */
export interface ProtocolConnection {
  message(data: string): void;
  closed(): void;
}

const reason = (text: string) => text.slice(0, 120);

/**
 * The `graphql-transport-ws` protocol without a transport, as graphql-ws's `makeServer`: the
 * connection's init and its messages, over the protocol-independent core (subscription-core.ts:
 * authentication, limits, validation, the hub). Its close codes and messages are graphql-ws's
 * own. Every event's payload arrives serialised once per group (see ChatHub); each `next`
 * message is its payload behind a per-subscription prefix.
 */
export function createProtocolServer({ config, core }: ProtocolServerOptions) {
  const production = config.NODE_ENV === 'production';

  /**
   * A socket was accepted with the `graphql-transport-ws` protocol. `headers` are its upgrade
   * request's (the session cookie or `Authorization` when `connection_init` brings none).
   */
  function opened(socket: ProtocolSocket, { headers, log }: { headers: IncomingHttpHeaders; log: ConnectionLog }): ProtocolConnection {
    // Read now: a connection keeps only this token, not its upgrade request's headers.
    const headerToken = sessionTokenFrom(headers, production);
    let initReceived = false;
    let acknowledged = false;
    const send = (message: string) => {
      if (socket.writable()) socket.send(message);
    };
    /** `{"id":…,"type":"next","payload":` per subscription id, encoded once. */
    const nextPrefixes = new Map<string, Buffer>();
    const subscriptions = core.connect(
      {
        isOpen: () => socket.isOpen(),
        writable: () => socket.writable(),
        next: (id, payloads) => {
          let prefix = nextPrefixes.get(id);
          if (!prefix) {
            prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
            nextPrefixes.set(id, prefix);
          }
          socket.writeNext(prefix, payloads);
        },
        error: (id, errors) => {
          nextPrefixes.delete(id);
          send(JSON.stringify({ id, type: MessageType.Error, payload: errors }));
        },
        complete: (id) => {
          nextPrefixes.delete(id);
          send(JSON.stringify({ id, type: MessageType.Complete }));
        },
        sessionEnded: () => socket.close(CloseCode.Forbidden, 'Forbidden: the session has ended'),
      },
      log,
    );
    let initTimer: NodeJS.Timeout | undefined = setTimeout(() => {
      if (!acknowledged) socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
    }, config.WS_INIT_TIMEOUT_MS);

    async function onInit(payload: Record<string, unknown> | null | undefined) {
      const authorization = payload?.authorization;
      const token = typeof authorization === 'string' ? sessionTokenFrom({ authorization }, production) : headerToken;
      if (!(await subscriptions.authenticate(token))) return socket.close(CloseCode.Forbidden, 'Forbidden');
      acknowledged = true;
      clearTimeout(initTimer);
      initTimer = undefined;
      send(JSON.stringify({ type: MessageType.ConnectionAck }));
    }

    return {
      message(data) {
        let message: Message;
        try {
          message = parseMessage(data);
        } catch (error) {
          return socket.close(CloseCode.BadRequest, reason(error instanceof Error ? error.message : 'Invalid message received'));
        }
        switch (message.type) {
          case MessageType.ConnectionInit:
            if (initReceived) return socket.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
            initReceived = true;
            void onInit(message.payload as Record<string, unknown> | undefined).catch((error: unknown) => {
              log.error({ err: error }, 'websocket init failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
            return;
          case MessageType.Ping:
            return send(JSON.stringify(message.payload ? { type: MessageType.Pong, payload: message.payload } : { type: MessageType.Pong }));
          case MessageType.Pong:
            return;
          case MessageType.Subscribe:
            if (!acknowledged) return socket.close(CloseCode.Unauthorized, 'Unauthorized');
            if (subscriptions.has(message.id)) return socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${message.id} already exists`);
            void subscriptions.subscribe(message.id, message.payload);
            return;
          case MessageType.Complete:
            nextPrefixes.delete(message.id);
            subscriptions.complete(message.id);
            return;
          default:
            return socket.close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
        }
      },
      closed() {
        clearTimeout(initTimer);
        subscriptions.closed();
      },
    };
  }

  return { opened };
}
