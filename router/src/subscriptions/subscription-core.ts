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
import type { Session, SessionStore } from '@stagelives/platform';
import { encodeMessageCursor } from '@stagelives/schema';
import type { RouterConfig } from '../config.js';
import { CostLimitExceededError, type CostLimit } from '../cost/index.js';
import { RESPONSE_TOO_LARGE } from '../response-size.js';
import type { TrustedOperations } from '../trusted-operations.js';
import type { ViewerDependentFields } from '../viewer-dependence.js';
import { SubscriptionRefused, type ChatHub, type ChatSubscriber, type SubscriberConnection } from './chat-hub.js';
import { EventOperationError, eventOperation, type EventOperation } from './event-operation.js';

export interface SubscriptionCoreOptions {
  config: Pick<RouterConfig, 'NODE_ENV' | 'WS_SESSION_CHECK_SECONDS' | 'WS_MAX_SUBSCRIPTIONS' | 'MAX_TOKENS' | 'MAX_RESPONSE_BYTES'>;
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

/** A client's subscribe request, as both protocols carry it. */
export interface SubscribeRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
}

/** What a transport does with one connection's output (graphql-ws messages, or SSE events). */
export interface SubscriptionOutput {
  /** Whether the connection is open (a subscription that was joined while it closed is left again). */
  isOpen(): boolean;
  /** False when the connection is gone, or cannot take more (the transport may close it then). */
  writable(): boolean;
  /** The payloads of `next` messages of subscription `id` (each one serialised `ExecutionResult`); called only right after `writable()` said yes. */
  next(id: string, payloads: readonly Buffer[]): void;
  /** Subscription `id` ended with these errors. */
  error(id: string, errors: readonly GraphQLFormattedError[]): void;
  /** Subscription `id` ended (the viewer left the room). */
  complete(id: string): void;
  /** The session ended (logged out, expired, suspended, deleted): the transport closes the connection. */
  sessionEnded(): void;
}

/** Where a connection's failures are logged (a logger, or a transport's own that binds the client's address). */
export interface ConnectionLog {
  error(details: object, message: string): void;
}

/** One connection's subscriptions, whatever its protocol. */
export interface SubscriptionConnection {
  /** Resolves the session of a token; false (and nothing changes) when there is none. */
  authenticate(token: string | null): Promise<boolean>;
  readonly session: Session | null;
  /** Subscriptions of this connection (running or joining). */
  readonly size: number;
  has(id: string): boolean;
  /** Prepares the request (trusted operations, limits, validation, cost) and joins the hub; every refusal reaches `output.error`. */
  subscribe(id: string, request: SubscribeRequest): Promise<void>;
  /** The client ended subscription `id`. */
  complete(id: string): void;
  /** The connection closed. */
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
class SessionView implements SubscriberConnection {
  private retired = false;

  constructor(
    readonly session: Session,
    private readonly connection: SubscriberConnection,
  ) {}

  sendNext(id: string, payloads: readonly Buffer[]): void {
    if (!this.retired) this.connection.sendNext(id, payloads);
  }

  sendError(id: string, errors: readonly GraphQLFormattedError[]): void {
    if (!this.retired) this.connection.sendError(id, errors);
  }

  sendComplete(id: string): void {
    if (!this.retired) this.connection.sendComplete(id);
  }

  retire(): void {
    this.retired = true;
  }
}

const sameRoles = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((r) => b.includes(r));

const INTERNAL_ERROR: GraphQLFormattedError = { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };

type Prepared = { operation: EventOperation } | { errors: GraphQLFormattedError[] };

/** Requests prepared lately (see `prepareCached`), and the longest request (query text and variables) kept there. */
const PREPARED_ENTRIES = 256;
const PREPARED_MAX_KEY = 16_384;

/**
 * The protocol-independent part of the router's subscriptions, shared by the graphql-ws
 * (protocol-server.ts) and graphql-sse (sse/) transports: the session of a connection (resolved
 * once, re-checked every WS_SESSION_CHECK_SECONDS and when the user's sessions change; new roles
 * re-join every subscription), the per-connection subscription limit, the trusted-operations
 * rule, parsing with MAX_TOKENS, validation with the operation limits, the cost rule, the event
 * operation, joining the hub (membership checks, `after` replay) and MAX_RESPONSE_BYTES.
 */
export function createSubscriptionCore({ config, sessions, hub, schema, viewerFields, validationRules, cost, trusted }: SubscriptionCoreOptions) {
  const maxResponseBytes = config.MAX_RESPONSE_BYTES;
  /** Each connection's subscriptions (read when scraped). */
  const subscriptionMaps = new Set<Map<string, ChatSubscriber | Pending>>();
  let deliveries = 0;
  /** Each signed-in user's open connections: how to re-check each one's session now. */
  const rechecksByUser = new Map<string, Set<() => void>>();
  /** Recently prepared requests, least recently used first; valid for `preparedFor` only. */
  const preparedRequests = new Map<string, Prepared>();
  let preparedFor: GraphQLSchema | undefined;

  /**
   * The request (its text already resolved by the trusted-operations rule) as an event
   * operation, or the errors refusing it (their codes are the same on every transport): the
   * schema loaded, MAX_TOKENS, validation and the operation limits, the cost rule, one
   * subscription root field served by the router.
   */
  function prepare(payload: SubscribeRequest): Prepared {
    const apiSchema = schema();
    if (!apiSchema) return { errors: [{ message: 'The schema is not loaded yet. Try again shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] };
    let document: DocumentNode;
    try {
      document = parse(payload.query, { maxTokens: config.MAX_TOKENS });
    } catch (error) {
      return { errors: [{ message: error instanceof Error ? error.message : 'Syntax error', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] };
    }
    const errors = validate(apiSchema, document, [...specifiedRules, ...validationRules]);
    if (errors.length)
      return { errors: errors.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) };
    // The payload's selection at the sizes the client's variables ask for (each event resolves it).
    const definition = getOperationAST(document, payload.operationName);
    if (cost && definition) {
      try {
        cost.check(apiSchema, document, definition, payload.variables);
      } catch (error) {
        if (!(error instanceof CostLimitExceededError)) throw error;
        const { http: _http, ...extensions } = error.extensions;
        return { errors: [{ message: error.message, extensions }] };
      }
    }
    try {
      return { operation: eventOperation(apiSchema, viewerFields, document, payload.operationName, payload.variables ?? {}) };
    } catch (error) {
      if (!(error instanceof EventOperationError)) throw error;
      return { errors: [{ message: error.message, extensions: { code: 'BAD_USER_INPUT' } }] };
    }
  }

  /**
   * `prepare`, remembered: a room's subscribers send the same request, and preparing it (parse,
   * validation, cost, the event operation) is most of the CPU and garbage of a subscribe, which
   * matters when thousands of clients reconnect at once. Its result depends only on the request
   * and the schema (a new supergraph starts afresh), and the event operation is never changed
   * after it is built, so every subscriber of the request shares one (its query text included).
   */
  function prepareCached(payload: SubscribeRequest): Prepared {
    const apiSchema = schema();
    if (!apiSchema) return prepare(payload);
    const key = `${payload.operationName ?? ''}\0${JSON.stringify(payload.variables ?? null)}\0${payload.query}`;
    if (key.length > PREPARED_MAX_KEY) return prepare(payload);
    if (apiSchema !== preparedFor) {
      preparedRequests.clear();
      preparedFor = apiSchema;
    }
    let prepared = preparedRequests.get(key);
    if (prepared) preparedRequests.delete(key);
    else {
      prepared = prepare(payload);
      if (preparedRequests.size >= PREPARED_ENTRIES) preparedRequests.delete(preparedRequests.keys().next().value as string);
    }
    preparedRequests.set(key, prepared);
    return prepared;
  }

  function connect(output: SubscriptionOutput, log: ConnectionLog): SubscriptionConnection {
    let session: Session | null = null;
    let token: string | null = null;
    const subscriptions = new Map<string, ChatSubscriber | Pending>();
    subscriptionMaps.add(subscriptions);
    /**
     * Reads the session again: an ended one (logged out, expired, deleted, suspended) ends the
     * connection; new roles (granted or revoked) are taken at once, and every subscription joins
     * again as the session now is. Runs every WS_SESSION_CHECK_SECONDS, and at once when the
     * user's sessions are announced as changed (SessionStore.changesChannel).
     */
    const recheck = () => {
      if (!token) return;
      sessions.resolve(token).then(
        (current) => {
          if (!current) return output.sessionEnded();
          if (!session || sameRoles(current.roles, session.roles)) return;
          session = current;
          for (const sub of [...subscriptions.values()]) if ('connection' in sub) rejoin(sub);
        },
        () => undefined, // Redis away: keep the connection; the next check decides.
      );
    };
    let sessionCheck: NodeJS.Timeout | undefined;

    const send = (id: string, payloads: readonly Buffer[]) => {
      if (!output.writable()) return;
      // MAX_RESPONSE_BYTES: a payload past it ends its subscription with an error instead.
      for (const payload of payloads) {
        if (payload.length > maxResponseBytes) {
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
      output.next(id, payloads);
    };

    const connection: SubscriberConnection = {
      get session() {
        return session as Session;
      },
      sendNext: send,
      sendError: (id, errors) => {
        if (subscriptions.delete(id)) output.error(id, errors);
      },
      sendComplete: (id) => {
        if (subscriptions.delete(id)) output.complete(id);
      },
    };

    /** Joins the hub as the current session; the client's subscription `id` is pending until then. */
    async function join(id: string, operation: EventOperation) {
      const pending: Pending = { cancelled: false };
      subscriptions.set(id, pending);
      // A class, not closures: a router holds one per subscription, thousands of them.
      const view = new SessionView(session as Session, connection);
      const subscriber: ChatSubscriber = { id, connection: view, operation, lastSeq: 0 };
      try {
        await hub.subscribe(subscriber);
      } catch (error) {
        if (subscriptions.get(id) !== pending) return;
        if (error instanceof SubscriptionRefused) return connection.sendError(id, error.errors);
        if (error instanceof GraphQLError) return connection.sendError(id, [error.toJSON()]);
        log.error({ err: error }, 'subscription failed');
        return connection.sendError(id, [INTERNAL_ERROR]);
      }
      if (pending.cancelled || subscriptions.get(id) !== pending || !output.isOpen()) {
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
     * connection and subscription id.
     */
    function rejoin(sub: ChatSubscriber) {
      (sub.connection as SessionView).retire();
      hub.unsubscribe(sub);
      const operation = sub.operation.roomId === null ? sub.operation : { ...sub.operation, after: encodeMessageCursor(sub.lastSeq) };
      void join(sub.id, operation).catch((error: unknown) => {
        log.error({ err: error }, 'subscription failed');
        connection.sendError(sub.id, [INTERNAL_ERROR]);
      });
    }

    const fail = (id: string, errors: readonly GraphQLFormattedError[]) => {
      subscriptions.set(id, { cancelled: false });
      connection.sendError(id, errors);
    };

    return {
      async authenticate(candidate) {
        const resolved = candidate ? await sessions.resolve(candidate).catch(() => null) : null;
        if (!resolved) return false;
        token = candidate;
        session = resolved;
        let rechecks = rechecksByUser.get(resolved.userId);
        if (!rechecks) rechecksByUser.set(resolved.userId, (rechecks = new Set()));
        rechecks.add(recheck);
        sessionCheck = setInterval(recheck, config.WS_SESSION_CHECK_SECONDS * 1000);
        return true;
      },
      get session() {
        return session;
      },
      get size() {
        return subscriptions.size;
      },
      has: (id) => subscriptions.has(id),
      async subscribe(id, request) {
        // OPERATIONS=trusted: a contract operation's text, or its hash alone (`query: ""`); then the connection's limit.
        if (trusted) {
          const verdict = trusted.resolve(request.query, request.extensions);
          if ('error' in verdict) return fail(id, [verdict.error]);
          request = { ...request, query: verdict.query };
        }
        if (subscriptions.size >= config.WS_MAX_SUBSCRIPTIONS) {
          return fail(id, [
            { message: `At most ${config.WS_MAX_SUBSCRIPTIONS} subscriptions per connection.`, extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } },
          ]);
        }
        const prepared = prepareCached(request);
        if ('errors' in prepared) return fail(id, prepared.errors);
        try {
          await join(id, prepared.operation);
        } catch (error) {
          log.error({ err: error }, 'subscription failed');
          connection.sendError(id, [INTERNAL_ERROR]);
        }
      },
      complete(id) {
        const sub = subscriptions.get(id);
        subscriptions.delete(id);
        if (sub && 'connection' in sub) hub.unsubscribe(sub);
        else if (sub) sub.cancelled = true;
      },
      closed() {
        subscriptionMaps.delete(subscriptions);
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
    connect,
    /** `userId`'s sessions changed (roles, or ended): each of their connections re-checks its session now. */
    sessionsChanged(userId: string): void {
      for (const recheck of rechecksByUser.get(userId) ?? []) recheck();
    },
    /** Subscriptions running (joined the hub) over every connection of every transport (metrics). */
    get subscriptions() {
      let n = 0;
      for (const map of subscriptionMaps) for (const sub of map.values()) if ('connection' in sub) n += 1;
      return n;
    },
    /** `next` messages handed to connections so far (metrics). */
    get deliveries() {
      return deliveries;
    },
  };
}

export type SubscriptionCore = ReturnType<typeof createSubscriptionCore>;
