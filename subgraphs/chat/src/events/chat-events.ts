import { RedisPubSub } from 'graphql-redis-subscriptions';
import { duplicateRedis, type Logger, type Redis } from '@stagelives/platform';
import { traceCarrier } from '@stagelives/platform/telemetry';
import { chatRoomChannel, type ChatEvent } from '@stagelives/schema';

/** Where the chat services announce what happened; never throws (see ChatEvents). */
export interface ChatEventPublisher {
  publish(event: ChatEvent): Promise<void>;
}

/**
 * Publishes chat events as JSON on the room's Redis pub/sub channel, for the router's
 * subscriptions (schema/src/chat.ts is the contract). Best effort: events are sent after the
 * write they announce, and a failed publish is logged, never thrown, because the router
 * back-fills messages by seq (`chatMessagesInRange`) when it sees a gap or reconnects.
 *
 * RedisPubSub publishes through its own connection (a duplicate of the subgraph's client, with
 * a command timeout so a stalled Redis cannot hold a send); its subscriber is never used, so
 * it is created lazily and never connects.
 */
export class ChatEvents implements ChatEventPublisher {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly pubsub: RedisPubSub;

  constructor(
    redis: Redis,
    private readonly redisPrefix: string,
    private readonly logger: Logger,
  ) {
    this.publisher = duplicateRedis(redis, { commandTimeout: 2_000 });
    this.publisher.on('error', (err: Error) => logger.debug({ err: err.message }, 'chat event publisher: redis error'));
    this.subscriber = duplicateRedis(redis, { lazyConnect: true });
    this.pubsub = new RedisPubSub({ publisher: this.publisher, subscriber: this.subscriber });
  }

  async publish(event: ChatEvent): Promise<void> {
    try {
      // The sender's trace travels with the event: the router's deliveries continue it.
      const trace = traceCarrier();
      await this.pubsub.publish(chatRoomChannel(this.redisPrefix, event.roomId), trace ? { ...event, trace } : event);
    } catch (error) {
      this.logger.warn({ event, err: error instanceof Error ? error.message : String(error) }, 'chat event not published: subscribers catch up by seq');
    }
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    await this.publisher.quit().catch(() => this.publisher.disconnect());
  }
}
