import type { IncomingHttpHeaders } from 'node:http';
import { CloseCode, MessageType, parseMessage, type Message } from 'graphql-ws';
import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { Logger, Session, SessionStore } from '@stagelives/platform';
import { encodeMessageCursor } from '@stagelives/schema';
import type { RouterConfig } from '../config.js';
import { CostLimitExceededError, type CostLimit } from '../cost/index.js';
import { RESPONSE_TOO_LARGE } from '../response-size.js';
import { sessionTokenFrom } from '../sessions.js';
import type { TrustedOperations } from '../trusted-operations.js';
import type { ViewerDependentFields } from '../viewer-dependence.js';
import { SubscriptionRefused, type ChatHub, type ChatSubscriber, type SubscriberConnection } from './chat-hub.js';
import { EventOperationError, eventOperation, type EventOperation } from './event-operation.js';

export interface ProtocolServerOptions {
  config: Pick<RouterConfig, 'NODE_ENV' | 'WS_INIT_TIMEOUT_MS' | 'WS_SESSION_CHECK_SECONDS' | 'WS_MAX_SUBSCRIPTIONS' | 'MAX_TOKENS' | 'MAX_RESPONSE_BYTES'>;
  sessions: Pick<SessionStore, 'resolve'>;
  hub: Pick<ChatHub, 'subscribe' | 'unsubscribe'>;
  /** The API schema subscriptions are validated against (the gateway's, once loaded). */
  schema: () => GraphQLSchema | undefined;
  /** The supergraph's `@viewerDependent` fields: which subscribers may share one resolution. */
  viewerFields: ViewerDependentFields;
  /** Operation limits (depth, aliases, cost…) applied to HTTP operations too. */
  validationRules: readonly ValidationRule[];
  /** The cost rule of HTTP operations: a subscription's selection is costed with its variables when it is subscribed. */
  cost?: CostLimit | undefined;
  /** OPERATIONS=trusted: only these operations may be subscribed to (text or `extensions.persistedQuery`). */
  trusted?: TrustedOperations | undefined;
}

/** What the protocol needs of one client socket; the transport (`ws-server.ts`) provides it. */
export interface ProtocolSocket {
  /** Whether the socket is open (a subscription that was joined while it closed is left again). */
  isOpen(): boolean;
  /** False when the socket is gone, or cannot take more (the transport may close it then). */
  writable(): boolean;
  /** Sends one text message; called only right after `writable()` said yes. */
  send(message: string): void;
  /** Writes one `next` message per payload, each `prefix + payload + "}"`; called only right after `writable()` said yes. */
  writeNext(prefix: Buffer, payloads: readonly Buffer[]): void;
  close(code: number, reason: string): void;
}

/** One connection's side of the protocol: the transport hands it every text message, then tells it the socket closed. */
export interface ProtocolConnection {
  message(data: string): void;
  closed(): void;
}

interface Pending {
  cancelled: boolean;
}

/**
 * A subscription's view of its connection: the session as it was when the subscription joined
 * (the hub groups and resolves it as that session), and the connection's sends. A view is
 * retired when the session's roles change and the subscription joins again as the new session:
 * the hub may still hold the old one for a moment, and nothing it sends reaches the client.
 */
interface SessionView extends SubscriberConnection {
  retire(): void;
}

const sameRoles = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((r) => b.includes(r));

const reason = (text: string) => text.slice(0, 120);

/**
 * The `graphql-transport-ws` protocol without a transport, as graphql-ws's `makeServer`: the
 * connection's state (init, authentication, subscriptions), its timers and its messages. Its
 * close codes and messages are graphql-ws's own. Every event's payload arrives serialised once
 * per group (see ChatHub); each `next` message is its payload behind a per-subscription prefix.
 */
export function createProtocolServer({ config, sessions, hub, schema, viewerFields, validationRules, cost, trusted }: ProtocolServerOptions) {
  const production = config.NODE_ENV === 'production';
  const maxResponseBytes = config.MAX_RESPONSE_BYTES;
  // Metrics, read at scrape time (plain numbers: the delivery path pays one addition).
  /** Each connection's subscriptions (read when scraped). */
  const subscriptionMaps = new Set<Map<string, ChatSubscriber | Pending>>();
  let deliveries = 0;
  /** Each signed-in user's open connections: how to re-check each one's session now. */
  const rechecksByUser = new Map<string, Set<() => void>>();

  /**
   * A socket was accepted with the `graphql-transport-ws` protocol. `headers` are its upgrade
   * request's (the session cookie or `Authorization` when `connection_init` brings none).
   */
  function opened(socket: ProtocolSocket, { headers, log }: { headers: IncomingHttpHeaders; log: Pick<Logger, 'error'> }): ProtocolConnection {
    let initReceived = false;
    let session: Session | null = null;
    let token: string | null = null;
    const subscriptions = new Map<string, ChatSubscriber | Pending>();
    subscriptionMaps.add(subscriptions);
    const initTimer = setTimeout(() => {
      if (!session) socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
    }, config.WS_INIT_TIMEOUT_MS);
    /**
     * Reads the session again: an ended one (logged out, expired, deleted, suspended) closes the
     * socket; new roles (granted or revoked) are taken at once, and every subscription joins
     * again as the session now is. Runs every WS_SESSION_CHECK_SECONDS, and at once when the
     * user's sessions are announced as changed (SessionStore.changesChannel; see ws-server.ts).
     */
    const recheck = () => {
      if (!token) return;
      sessions.resolve(token).then(
        (current) => {
          if (!current) return socket.close(CloseCode.Forbidden, 'Forbidden: the session has ended');
          if (!session || sameRoles(current.roles, session.roles)) return;
          session = current;
          for (const sub of [...subscriptions.values()]) if ('connection' in sub) rejoin(sub);
        },
        () => undefined, // Redis away: keep the socket; the next check decides.
      );
    };
    const sessionCheck = setInterval(recheck, config.WS_SESSION_CHECK_SECONDS * 1000);

    const send = (message: string) => {
      if (socket.writable()) socket.send(message);
    };
    /** `{"id":…,"type":"next","payload":` per subscription id, encoded once. */
    const nextPrefixes = new Map<string, Buffer>();

    const connection: SubscriberConnection = {
      get session() {
        return session as Session;
      },
      sendNext: (id, payloads) => {
        if (!socket.writable()) return;
        // MAX_RESPONSE_BYTES: a payload past it ends its subscription with an error instead.
        for (let i = 0; i < payloads.length; i += 1) {
          if (payloads[i]!.length > maxResponseBytes) {
            const sub = subscriptions.get(id);
            if (sub && 'connection' in sub) hub.unsubscribe(sub);
            connection.sendError(id, [
              {
                message: `An event's payload would be larger than ${maxResponseBytes} bytes: select fewer fields.`,
                extensions: { code: RESPONSE_TOO_LARGE, maxBytes: maxResponseBytes },
              },
            ]);
            return;
          }
        }
        deliveries += payloads.length;
        let prefix = nextPrefixes.get(id);
        if (!prefix) {
          prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
          nextPrefixes.set(id, prefix);
        }
        socket.writeNext(prefix, payloads);
      },
      sendError: (id, errors) => {
        nextPrefixes.delete(id);
        if (subscriptions.delete(id)) send(JSON.stringify({ id, type: MessageType.Error, payload: errors }));
      },
      sendComplete: (id) => {
        nextPrefixes.delete(id);
        if (subscriptions.delete(id)) send(JSON.stringify({ id, type: MessageType.Complete }));
      },
    };

    /** The connection as `snapshot` sees it (see SessionView). */
    const viewAs = (snapshot: Session): SessionView => {
      let retired = false;
      return {
        session: snapshot,
        sendNext: (id, payloads) => {
          if (!retired) connection.sendNext(id, payloads);
        },
        sendError: (id, errors) => {
          if (!retired) connection.sendError(id, errors);
        },
        sendComplete: (id) => {
          if (!retired) connection.sendComplete(id);
        },
        retire: () => {
          retired = true;
        },
      };
    };

    /** Joins the hub as the current session; the client's subscription `id` is pending until then. */
    async function join(id: string, operation: EventOperation) {
      const pending: Pending = { cancelled: false };
      subscriptions.set(id, pending);
      const view = viewAs(session as Session);
      const subscriber: ChatSubscriber = { id, connection: view, operation, lastSeq: 0 };
      try {
        await hub.subscribe(subscriber);
      } catch (error) {
        if (subscriptions.get(id) !== pending) return;
        if (error instanceof SubscriptionRefused) return connection.sendError(id, error.errors);
        if (error instanceof GraphQLError) return connection.sendError(id, [error.toJSON()]);
        log.error({ err: error }, 'subscription failed');
        return connection.sendError(id, [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      }
      if (pending.cancelled || subscriptions.get(id) !== pending || !socket.isOpen()) {
        hub.unsubscribe(subscriber);
        return;
      }
      subscriptions.set(id, subscriber);
      // The roles changed while it joined: join again as the session now is.
      if (view.session !== session) rejoin(subscriber);
    }

    /**
     * The session's roles changed: the subscription leaves its group (grouped and resolved as the
     * old roles) and joins again as the new session, resuming after the last message it was sent
     * (the hub replays the gap), so the next event is resolved with the new roles, on the same
     * socket and subscription id.
     */
    function rejoin(sub: ChatSubscriber) {
      (sub.connection as SessionView).retire();
      hub.unsubscribe(sub);
      void join(sub.id, { ...sub.operation, after: encodeMessageCursor(sub.lastSeq) }).catch((error: unknown) => {
        log.error({ err: error }, 'subscription failed');
        connection.sendError(sub.id, [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      });
    }

    const fail = (id: string, errors: readonly GraphQLFormattedError[]) => {
      subscriptions.set(id, { cancelled: false });
      connection.sendError(id, errors);
    };

    async function onInit(payload: Record<string, unknown> | null | undefined) {
      const authorization = payload?.authorization;
      token = sessionTokenFrom(typeof authorization === 'string' ? { authorization } : headers, production);
      const resolved = token ? await sessions.resolve(token).catch(() => null) : null;
      if (!resolved) return socket.close(CloseCode.Forbidden, 'Forbidden');
      session = resolved;
      let rechecks = rechecksByUser.get(resolved.userId);
      if (!rechecks) rechecksByUser.set(resolved.userId, (rechecks = new Set()));
      rechecks.add(recheck);
      clearTimeout(initTimer);
      send(JSON.stringify({ type: MessageType.ConnectionAck }));
    }

    async function onSubscribe(
      id: string,
      payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null; extensions?: Record<string, unknown> | null },
    ) {
      // OPERATIONS=trusted: a contract operation's text, or its hash alone (`query: ""`).
      if (trusted) {
        const verdict = trusted.resolve(payload.query, payload.extensions);
        if ('error' in verdict) return fail(id, [verdict.error]);
        payload = { ...payload, query: verdict.query };
      }
      if (subscriptions.size >= config.WS_MAX_SUBSCRIPTIONS) {
        return fail(id, [{ message: `At most ${config.WS_MAX_SUBSCRIPTIONS} subscriptions per connection.`, extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }]);
      }
      const apiSchema = schema();
      if (!apiSchema) return fail(id, [{ message: 'The schema is not loaded yet. Try again shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
      let document: DocumentNode;
      try {
        document = parse(payload.query, { maxTokens: config.MAX_TOKENS });
      } catch (error) {
        return fail(id, [{ message: error instanceof Error ? error.message : 'Syntax error', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }]);
      }
      const errors = validate(apiSchema, document, [...specifiedRules, ...validationRules]);
      if (errors.length)
        return fail(
          id,
          errors.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })),
        );
      // The payload's selection at the sizes the client's variables ask for (each event resolves it).
      const definition = getOperationAST(document, payload.operationName);
      if (cost && definition) {
        try {
          cost.check(apiSchema, document, definition, payload.variables);
        } catch (error) {
          if (!(error instanceof CostLimitExceededError)) throw error;
          const { http: _http, ...extensions } = error.extensions;
          return fail(id, [{ message: error.message, extensions }]);
        }
      }
      let operation: EventOperation;
      try {
        operation = eventOperation(apiSchema, viewerFields, document, payload.operationName, payload.variables ?? {});
      } catch (error) {
        if (!(error instanceof EventOperationError)) throw error;
        return fail(id, [{ message: error.message, extensions: { code: 'BAD_USER_INPUT' } }]);
      }
      await join(id, operation);
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
            if (!session) return socket.close(CloseCode.Unauthorized, 'Unauthorized');
            if (subscriptions.has(message.id)) return socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${message.id} already exists`);
            void onSubscribe(message.id, message.payload).catch((error: unknown) => {
              log.error({ err: error }, 'subscription failed');
              connection.sendError(message.id, [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
            });
            return;
          case MessageType.Complete: {
            const sub = subscriptions.get(message.id);
            subscriptions.delete(message.id);
            nextPrefixes.delete(message.id);
            if (sub && 'connection' in sub) hub.unsubscribe(sub);
            else if (sub) sub.cancelled = true;
            return;
          }
          default:
            return socket.close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
        }
      },
      closed() {
        subscriptionMaps.delete(subscriptions);
        clearTimeout(initTimer);
        clearInterval(sessionCheck);
        if (session) {
          const rechecks = rechecksByUser.get(session.userId);
          rechecks?.delete(recheck);
          if (rechecks?.size === 0) rechecksByUser.delete(session.userId);
        }
        for (const sub of subscriptions.values()) {
          if ('connection' in sub) hub.unsubscribe(sub);
          else sub.cancelled = true;
        }
        subscriptions.clear();
      },
    };
  }

  return {
    opened,
    /** `userId`'s sessions changed (roles, or ended): each of their connections re-checks its session now. */
    sessionsChanged(userId: string): void {
      for (const recheck of rechecksByUser.get(userId) ?? []) recheck();
    },
    /** Subscriptions running (joined the hub) over every connection (metrics). */
    get subscriptions() {
      let n = 0;
      for (const map of subscriptionMaps) for (const sub of map.values()) if ('connection' in sub) n += 1;
      return n;
    },
    /** `next` messages handed to sockets so far (metrics). */
    get deliveries() {
      return deliveries;
    },
  };
}
