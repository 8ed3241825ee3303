import type { GraphQLFormattedError } from 'graphql';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { duplicateRedis, type Logger, type Redis, type Session } from '@stagelives/platform';
import { type Span, consumeTraced, withSpan } from '@stagelives/platform/telemetry';
import {
  ChatEventType,
  chatRoomChannel,
  decodeChatEvent,
  decodeMessageCursor,
  decodeNotificationLiveEvent,
  notificationUserChannel,
  type ChatEvent,
} from '@stagelives/schema';
import { SEQ_ALIAS, idsVariables, rangeResult, rangeVariables, subscriptionPath, viewerScoped, type EventOperation } from './event-operation.js';

/** Runs an operation through the gateway as a session's user (the router's internal executor). */
export type InternalExecute = (
  query: string,
  variables: Record<string, unknown>,
  session: Session,
) => Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }>;

/** What the hub needs of a client connection. */
export interface SubscriberConnection {
  readonly session: Session;
  /**
   * Sends one `next` message per payload (each already serialised JSON, in seq order), in one
   * write to the socket: a subscriber that is behind gets its backlog in one system call.
   */
  sendNext(id: string, payloads: readonly Buffer[]): void;
  sendError(id: string, errors: readonly GraphQLFormattedError[]): void;
  sendComplete(id: string): void;
}

export interface ChatSubscriber {
  readonly id: string;
  readonly connection: SubscriberConnection;
  readonly operation: EventOperation;
  /** Seq of the newest message this subscriber has (been sent, or had before it subscribed). */
  lastSeq: number;
}

interface Group {
  key: string;
  operation: EventOperation;
  subscribers: Set<ChatSubscriber>;
  /** Seq of the newest message this group has read (`messageAdded`; unused by `messageRemoved`). */
  lastSeq: number;
}

/** One range read, each item serialised once as the subscription's payload. */
interface Read {
  seqs: number[];
  payloads: Buffer[];
  /** The highest seq storage was read up to (hidden messages included); null when the read gave nothing. */
  lastSeq: number | null;
  /** The read stopped at its bound: more may follow. */
  more: boolean;
}

const isAdded = (group: Group) => group.operation.field === 'messageAdded';

/**
 * One watched pub/sub channel and its groups: a chat room's (`messageAdded`, `messageRemoved`), or
 * a user's own (`notificationAdded`: `scope: 'viewer'`, every group that user's).
 */
interface RoomFeed {
  /** The feed's key: the room id, or `user:<userId>` for a viewer's own channel. */
  roomId: string;
  scope: 'room' | 'viewer';
  channel: string;
  pubsubId: number;
  groups: Map<string, Group>;
  /** Highest seq announced by an event; the feed reads until its groups reach it. */
  target: number;
  /** Read even without a newer event (after a Redis reconnection, or the periodic check). */
  sync: boolean;
  /** Tasks of one room run one after another: deliveries stay in seq order. */
  chain: Promise<void>;
  retryTimer: NodeJS.Timeout | undefined;
  retries: number;
  /** Subscribers between taking this feed and joining a group (their access check runs outside the chain). */
  joining: number;
  pumping: boolean;
  /** An event came while a pump ran: it must look again before it stops. */
  wake: boolean;
}

/**
 * Sends between two yields to the event loop. A WebSocket send only hands the frames to the
 * transport's writer (a microsecond or two; the writes follow in slices of their own), so a slice
 * is a few milliseconds, and a group is handed over in a few slices while its sockets are still
 * being written: the room's next read starts meanwhile (see FrameWriter).
 */
const SEND_SLICE = 2_000;

/** Codes of a read the viewer is refused (not a failure: reading again cannot change it). */
const REFUSALS = new Set(['FORBIDDEN', 'UNAUTHENTICATED']);

const ACCESS_QUERY = 'query ChatRoomAccess($id: ID!) { chatRoom(id: $id) { id viewerIsMember lastSeq } }';

export class SubscriptionRefused extends Error {
  constructor(readonly errors: GraphQLFormattedError[]) {
    super(errors[0]?.message ?? 'refused');
  }
}

export interface ChatHubOptions {
  redis: Redis;
  redisPrefix: string;
  execute: InternalExecute;
  logger: Logger;
  /** How often every watched room is re-read even without events (a lost publish is found then). Default 15 s. */
  resyncIntervalMs?: number;
}

/**
 * The router's side of live chat, one per router instance. It subscribes (Redis pub/sub) only
 * to the rooms its clients watch; on an event it reads the new messages through the gateway
 * once per group of subscribers that share an operation, variables and (for viewer-dependent
 * selections) viewer, serialises each payload once and hands it to every subscriber of the
 * group. Sequence numbers order deliveries, drop duplicates and reveal gaps, which are filled
 * from storage: after a Redis reconnection, periodically, and whenever an event skips ahead.
 *
 * `messageRemoved` (a message staff hid) takes the same path: the same access check, groups
 * and `after` replay (the messages after the cursor that are hidden now); each `message-removed`
 * event is read once per group (is the message still hidden?) and sent to its subscribers.
 * Groups never share hidden messages: their reads leave every hidden message out, and only a
 * subscriber's own replay includes its own hidden ones (marked hidden).
 */
export class ChatHub {
  private readonly pubsub: RedisPubSub;
  private readonly subscriberConnection: Redis;
  private readonly publisherConnection: Redis;
  private readonly feeds = new Map<string, Promise<RoomFeed>>();
  private readonly resyncTimer: NodeJS.Timeout;
  private closed = false;
  /** Subgraph reads made for events (tests and benchmarks compare it to the events). */
  reads = 0;

  constructor(private readonly options: ChatHubOptions) {
    const { redis, logger } = options;
    // Pub/sub needs connections of its own; this one waits for Redis rather than failing fast.
    // Named, so operators (and tests) can tell it in CLIENT LIST.
    this.subscriberConnection = duplicateRedis(redis, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      connectionName: chatHubConnectionName(options.redisPrefix),
    });
    // RedisPubSub wants a publisher; the hub never publishes, so it never connects (closed with disconnect()).
    const publisher = duplicateRedis(redis, { lazyConnect: true });
    this.publisherConnection = publisher;
    let lost = false;
    this.subscriberConnection.on('error', () => undefined);
    publisher.on('error', () => undefined);
    this.subscriberConnection.on('close', () => {
      if (!lost && !this.closed) logger.warn('chat: redis pub/sub connection lost; will back-fill watched rooms when it returns');
      lost = true;
    });
    this.subscriberConnection.on('ready', () => {
      if (!lost) return;
      lost = false;
      logger.info('chat: redis pub/sub connection back; back-filling watched rooms');
      this.resyncAll();
    });
    this.pubsub = new RedisPubSub({ subscriber: this.subscriberConnection, publisher });
    this.resyncTimer = setInterval(() => this.resyncAll(), options.resyncIntervalMs ?? 15_000);
    this.resyncTimer.unref();
  }

  /** Rooms this instance currently watches. */
  get watchedRooms(): number {
    return this.feeds.size;
  }

  /**
   * Adds a subscriber after checking that the viewer is a member of the room. With `after`,
   * the stored messages newer than that cursor are sent first, then live ones, with no gap and
   * no duplicate at the seam. Throws SubscriptionRefused with the errors to send the client.
   */
  async subscribe(sub: ChatSubscriber): Promise<void> {
    const { operation } = sub;
    if (viewerScoped(operation)) return this.subscribeViewer(sub);
    const roomId = operation.roomId as string;
    const afterSeq = operation.after ? decodeMessageCursor(operation.after) : null;
    const feed = await this.feedOf(roomId);
    feed.joining += 1;
    let access: Awaited<ReturnType<InternalExecute>>;
    try {
      access = await this.options.execute(ACCESS_QUERY, { id: roomId }, sub.connection.session);
    } catch (error) {
      feed.joining -= 1;
      this.release(feed);
      throw error;
    }
    const room = access.data?.chatRoom as { viewerIsMember: boolean; lastSeq: number } | null | undefined;
    const refusal: GraphQLFormattedError | null = access.errors?.length
      ? (access.errors[0] as GraphQLFormattedError)
      : !room
        ? { message: `Chat room ${roomId} was not found.`, extensions: { code: 'NOT_FOUND' } }
        : !room.viewerIsMember
          ? { message: 'Only members of this room can subscribe to it. Join it first.', extensions: { code: 'FORBIDDEN' } }
          : null;
    if (refusal || !room) {
      feed.joining -= 1;
      this.release(feed);
      throw new SubscriptionRefused([refusal!]);
    }
    await this.enqueue(feed, async () => {
      feed.joining -= 1;
      let group = feed.groups.get(groupKey(sub));
      if (!group) {
        group = { key: groupKey(sub), operation, subscribers: new Set(), lastSeq: room.lastSeq };
        feed.groups.set(group.key, group);
      }
      if (!isAdded(group)) {
        // Removals after the client's cursor that are in place now, then live ones.
        if (afterSeq !== null) await this.replayRemovals(feed, sub, afterSeq);
        group.subscribers.add(sub);
        return;
      }
      sub.lastSeq = afterSeq ?? room.lastSeq;
      // Replay what is stored after the client's cursor, up to where the group has read.
      if (sub.lastSeq < group.lastSeq) await this.replay(feed, sub, group.lastSeq);
      group.subscribers.add(sub);
      feed.target = Math.max(feed.target, room.lastSeq);
    });
    void this.pump(feed).catch(() => undefined);
  }

  /**
   * A subscriber to the viewer's own events (`notificationAdded`): it watches its user's channel,
   * so no access check is needed (the session is the user's) and no other user's event can reach
   * it; the subgraph's read returns the viewer's own notifications only, as a second guard.
   * Nothing is replayed: the field has no cursor (clients read the list on reconnect).
   */
  private async subscribeViewer(sub: ChatSubscriber): Promise<void> {
    const feed = await this.feedOf(feedKeyOf(sub), 'viewer', sub.connection.session.userId);
    feed.joining += 1;
    await this.enqueue(feed, async () => {
      feed.joining -= 1;
      const key = groupKey(sub);
      let group = feed.groups.get(key);
      if (!group) {
        group = { key, operation: sub.operation, subscribers: new Set(), lastSeq: 0 };
        feed.groups.set(key, group);
      }
      group.subscribers.add(sub);
    });
  }

  /** Removes a subscriber (client completed, disconnected, or left the room). */
  unsubscribe(sub: ChatSubscriber): void {
    const pending = this.feeds.get(feedKeyOf(sub));
    if (!pending) return;
    void pending.then((feed) => {
      const group = feed.groups.get(groupKey(sub));
      if (!group?.subscribers.delete(sub)) return;
      if (group.subscribers.size === 0) feed.groups.delete(group.key);
      this.release(feed);
    });
  }

  /** Ends every subscription of a group with errors (graphql-ws `error`) and forgets the group. */
  private endGroup(feed: RoomFeed, group: Group, errors: readonly GraphQLFormattedError[]): void {
    feed.groups.delete(group.key);
    for (const sub of group.subscribers) sub.connection.sendError(sub.id, errors);
    group.subscribers.clear();
    this.release(feed);
  }

  /** Resolves once every room's queued deliveries are done (graceful shutdown). */
  async drain(): Promise<void> {
    const feeds = await Promise.all(this.feeds.values());
    await Promise.all(feeds.map((f) => f.chain));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.resyncTimer);
    await this.drain().catch(() => undefined);
    for (const feed of await Promise.all(this.feeds.values())) clearTimeout(feed.retryTimer);
    this.feeds.clear();
    // RedisPubSub.close() quits both connections; quit() on the never-connected publisher fails
    // and would leave it reconnecting forever: disconnect both instead.
    this.subscriberConnection.disconnect();
    this.publisherConnection.disconnect();
  }

  /** Re-reads every watched room from storage (after Redis came back, and periodically). */
  resyncAll(): void {
    for (const pending of this.feeds.values()) {
      void pending.then((feed) => {
        feed.sync = true;
        void this.pump(feed).catch(() => undefined);
      });
    }
  }

  /** The feed of a room (`scope: 'room'`, `id`: the room's), or of a user's own channel (`'viewer'`, `id`: the user's). */
  private feedOf(id: string, scope: 'room' | 'viewer' = 'room', userId = ''): Promise<RoomFeed> {
    const key = scope === 'room' ? id.toLowerCase() : id;
    let pending = this.feeds.get(key);
    if (!pending) {
      const channel = scope === 'room' ? chatRoomChannel(this.options.redisPrefix, key) : notificationUserChannel(this.options.redisPrefix, userId);
      pending = (async () => {
        const feed: RoomFeed = {
          roomId: key,
          scope,
          channel,
          pubsubId: -1,
          groups: new Map(),
          target: 0,
          sync: false,
          chain: Promise.resolve(),
          retryTimer: undefined,
          retries: 0,
          joining: 0,
          pumping: false,
          wake: false,
        };
        feed.pubsubId = await this.pubsub.subscribe(channel, (message: unknown) =>
          feed.scope === 'room' ? this.onEvent(feed, decodeChatEvent(message)) : this.onViewerEvent(feed, message),
        );
        return feed;
      })();
      pending.catch(() => this.feeds.delete(key));
      this.feeds.set(key, pending);
    }
    return pending;
  }

  /** Stops watching a room nobody here subscribes to any more. */
  private release(feed: RoomFeed): void {
    void this.enqueue(feed, async () => {
      if (feed.groups.size > 0 || feed.joining > 0 || this.feeds.get(feed.roomId) === undefined) return;
      this.feeds.delete(feed.roomId);
      clearTimeout(feed.retryTimer);
      this.pubsub.unsubscribe(feed.pubsubId);
    });
  }

  /** An event on a user's own channel: each group reads the new notification once (as that user) and sends it. */
  private onViewerEvent(feed: RoomFeed, message: unknown): void {
    const event = decodeNotificationLiveEvent(message);
    if (!event) return;
    void this.enqueue(feed, async () => {
      for (const group of [...feed.groups.values()]) {
        const first = group.subscribers.values().next().value as ChatSubscriber | undefined;
        if (!first || first.connection.session.userId !== event.userId) continue;
        const got = await this.read(feed, group, idsVariables(group.operation, [event.notificationId]), first.connection.session);
        if (!got?.payloads.length) continue;
        for (const sub of [...group.subscribers]) if (group.subscribers.has(sub)) sub.connection.sendNext(sub.id, got.payloads);
      }
    });
  }

  /**
   * A room event from pub/sub. With tracing on, its handling (group reads and deliveries) is a
   * span that continues the trace of the request that caused it (the sender's `sendMessage`).
   */
  private onEvent(feed: RoomFeed, event: ChatEvent | null): void {
    if (!event) return;
    const attributes = {
      'stagelives.event.type': event.type,
      'stagelives.chat.room': feed.roomId,
      ...('seq' in event ? { 'stagelives.chat.seq': event.seq } : {}),
    };
    // A failed room task is logged by `enqueue`; the span records it and nothing more is owed.
    void consumeTraced('chat event', event.trace, attributes, () => this.handleEvent(feed, event)).catch(() => undefined);
  }

  private async handleEvent(feed: RoomFeed, event: ChatEvent): Promise<void> {
    if (event.type === ChatEventType.MessageAdded) {
      // A duplicate or older event changes nothing: groups only read past what they have.
      feed.target = Math.max(feed.target, event.seq);
      await this.pump(feed);
    } else if (event.type === ChatEventType.MemberLeft) {
      await this.enqueue(feed, async () => {
        for (const group of feed.groups.values()) {
          for (const sub of group.subscribers) {
            if (sub.connection.session.userId !== event.userId) continue;
            group.subscribers.delete(sub);
            sub.connection.sendComplete(sub.id);
          }
          if (group.subscribers.size === 0) feed.groups.delete(group.key);
        }
        if (feed.groups.size === 0) this.release(feed);
      });
    } else if (event.type === ChatEventType.MessageRemoved) {
      await this.enqueue(feed, async () => {
        for (const group of [...feed.groups.values()]) if (!isAdded(group)) await this.deliverRemoval(feed, group, event.seq);
      });
    }
  }

  private enqueue(feed: RoomFeed, task: () => Promise<void>): Promise<void> {
    const run = feed.chain.then(task);
    feed.chain = run.catch((error: unknown) => {
      this.options.logger.error({ err: error, roomId: feed.roomId }, 'chat: room task failed');
    });
    return run;
  }

  /**
   * Reads and delivers everything newer than each group has, until the groups reach the target.
   * Resolves when this call's pass is done (at once when a running pass takes the new target).
   */
  private async pump(feed: RoomFeed): Promise<void> {
    if (feed.pumping) {
      feed.wake = true;
      return;
    }
    feed.pumping = true;
    await this.enqueue(feed, async () => {
      try {
        let behind = false;
        do {
          const sync = feed.sync;
          feed.sync = false;
          feed.wake = false;
          behind = false;
          for (const group of [...feed.groups.values()]) {
            if (!isAdded(group) || (!sync && group.lastSeq >= feed.target)) continue;
            if (await this.readInto(feed, group, null)) behind = true;
          }
          const lagging = [...feed.groups.values()].some((g) => isAdded(g) && g.lastSeq < feed.target);
          if (!behind && lagging) this.retryLater(feed);
        } while (behind || feed.sync || feed.wake);
        if (![...feed.groups.values()].some((g) => isAdded(g) && g.lastSeq < feed.target)) feed.retries = 0;
      } finally {
        feed.pumping = false;
      }
    });
  }

  /** An event announced a seq storage did not show yet (a read from a lagging node): look again shortly. */
  private retryLater(feed: RoomFeed): void {
    if (feed.retryTimer || feed.retries >= 20) return;
    feed.retries += 1;
    feed.retryTimer = setTimeout(() => {
      feed.retryTimer = undefined;
      void this.pump(feed).catch(() => undefined);
    }, 100 * feed.retries);
    feed.retryTimer.unref();
  }

  /** Sends one subscriber what its group already read past its cursor (its replay, with its own hidden messages). */
  private async replay(feed: RoomFeed, sub: ChatSubscriber, upTo: number): Promise<void> {
    while (sub.lastSeq < upTo) {
      const before = sub.lastSeq;
      const single: Group = { key: '', operation: sub.operation, subscribers: new Set([sub]), lastSeq: sub.lastSeq };
      await this.readInto(feed, single, upTo, sub.connection.session, true);
      if (sub.lastSeq === before) break;
    }
  }

  /**
   * One range read for a group (as one of its subscribers) of the messages after what it has,
   * then a send to each subscriber of what it does not have yet; every subscriber moves past
   * what was read (hidden messages included). Returns whether more may follow.
   */
  private readInto(feed: RoomFeed, group: Group, upTo: number | null, as?: Session, ownHidden = false): Promise<boolean> {
    const attributes = { 'stagelives.subscription.field': group.operation.field, 'stagelives.subscription.subscribers': group.subscribers.size };
    return withSpan('subscription group', { attributes }, (span) => this.readAndSend(feed, group, upTo, span, as, ownHidden));
  }

  private async readAndSend(feed: RoomFeed, group: Group, upTo: number | null, span: Span | undefined, as?: Session, ownHidden = false): Promise<boolean> {
    const first = group.subscribers.values().next().value as ChatSubscriber | undefined;
    const session = as ?? first?.connection.session;
    if (!session) return false;
    const got = await this.read(feed, group, rangeVariables(group.operation, group.lastSeq, upTo, ownHidden), session);
    if (!got) return false;
    const { seqs, payloads } = got;
    const reached = Math.max(got.lastSeq ?? 0, seqs.at(-1) ?? 0);
    let sent = 0;
    for (const sub of [...group.subscribers]) {
      if (!group.subscribers.has(sub)) continue;
      // Messages come in seq order: this subscriber lacks the tail after its own last seq.
      let from = 0;
      while (from < seqs.length && seqs[from]! <= sub.lastSeq) from += 1;
      sub.lastSeq = Math.max(sub.lastSeq, reached);
      if (from === seqs.length) continue;
      sub.connection.sendNext(sub.id, from === 0 ? payloads : payloads.slice(from));
      // A big room must not hold the event loop for seconds: let sockets close, HTTP requests
      // and subgraph replies run between slices (the room's chain keeps deliveries in order).
      if (++sent % SEND_SLICE === 0) await new Promise((r) => setImmediate(r));
    }
    group.lastSeq = Math.max(group.lastSeq, reached);
    span?.setAttributes({ 'stagelives.subscription.messages': seqs.length, 'stagelives.subscription.deliveries': sent });
    return got.more;
  }

  /** A `message-removed` event: the group reads whether that message is hidden now (once) and tells its subscribers. */
  private async deliverRemoval(feed: RoomFeed, group: Group, seq: number): Promise<void> {
    const first = group.subscribers.values().next().value as ChatSubscriber | undefined;
    if (!first) return;
    const got = await this.read(feed, group, rangeVariables(group.operation, seq - 1, seq), first.connection.session);
    if (!got?.payloads.length) return;
    let sent = 0;
    for (const sub of [...group.subscribers]) {
      if (!group.subscribers.has(sub)) continue;
      sub.connection.sendNext(sub.id, got.payloads);
      if (++sent % SEND_SLICE === 0) await new Promise((r) => setImmediate(r));
    }
  }

  /** A `messageRemoved` subscriber's replay: every message after its cursor that is hidden now. */
  private async replayRemovals(feed: RoomFeed, sub: ChatSubscriber, afterSeq: number): Promise<void> {
    const single: Group = { key: '', operation: sub.operation, subscribers: new Set([sub]), lastSeq: afterSeq };
    let after = afterSeq;
    for (;;) {
      const got = await this.read(feed, single, rangeVariables(sub.operation, after, null), sub.connection.session);
      if (!got) return;
      if (got.payloads.length) sub.connection.sendNext(sub.id, got.payloads);
      if (!got.more || got.lastSeq === null || got.lastSeq <= after) return;
      after = got.lastSeq;
    }
  }

  /**
   * One range read as `session`, each item serialised once for the whole group. Null when it
   * failed (retried later) or was refused (the group's subscriptions end with the refusal).
   */
  private async read(feed: RoomFeed, group: Group, variables: Record<string, unknown>, session: Session): Promise<Read | null> {
    const { operation } = group;
    this.reads += 1;
    const result = await this.options.execute(operation.query, variables, session);
    const range = rangeResult(operation, result.data);
    if (range.items.length === 0 && range.lastSeq === null && result.errors?.length) {
      // The viewer may not read what the selection asks for (another user's owner-only fields): every
      // event would be refused the same way, so the group's subscriptions end with the refusal
      // instead of being read again and again. Anything else is a failure to retry.
      if (result.errors.every((e) => REFUSALS.has(String(e.extensions?.code)))) {
        this.endGroup(
          feed,
          group,
          result.errors.map((e) => ({ message: e.message, extensions: { code: e.extensions?.code } })),
        );
        return null;
      }
      this.options.logger.warn({ roomId: feed.roomId, field: operation.field, errors: result.errors.map((e) => e.message) }, 'chat: reading new events failed');
      if (isAdded(group)) this.retryLater(feed);
      return null;
    }
    const seqs: number[] = [];
    const payloads: Buffer[] = [];
    for (const [index, item] of range.items.entries()) {
      seqs.push(Number(item[SEQ_ALIAS]));
      delete item[SEQ_ALIAS];
      const errors = result.errors?.flatMap((e) => {
        const path = subscriptionPath(operation, e.path, index);
        return path ? [{ ...e, path }] : [];
      });
      const data = { [operation.field]: item };
      payloads.push(Buffer.from(JSON.stringify(errors?.length ? { data, errors } : { data })));
    }
    return { seqs, payloads, lastSeq: range.lastSeq, more: range.more };
  }
}

/** CLIENT SETNAME of a router's pub/sub connection. */
const chatHubConnectionName = (redisPrefix: string) => `${redisPrefix.replace(/[^A-Za-z0-9_:.-]/g, '')}chat-hub`;

/** The feed a subscriber belongs to: its room's, or its user's own (`user:<userId>`). */
const feedKeyOf = (sub: ChatSubscriber): string =>
  viewerScoped(sub.operation) ? `user:${sub.connection.session.userId}` : (sub.operation.roomId as string).toLowerCase();

/**
 * Subscribers share a group when they share the operation, its variables and, for selections of
 * `@viewerDependent` fields, the viewer. A group is resolved as one of its members, so groups never
 * mix roles either: an undeclared field that staff see differently cannot reach a member.
 */
function groupKey(sub: ChatSubscriber): string {
  const { operation, connection } = sub;
  if (operation.viewerDependent) return `${operation.key}|user:${connection.session.userId}`;
  return `${operation.key}|roles:${[...connection.session.roles].sort().join(',')}`;
}
