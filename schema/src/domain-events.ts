import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The W3C trace context of the request that caused an event or a job (`traceparent`,
 * `tracestate`), so its consumer's spans continue or link to that trace. Absent when the
 * producer does not trace.
 */
export type TraceCarrier = { traceparent?: string; tracestate?: string };

/** One event as stored: a type, its payload, a unique id, when it happened, and the trace that caused it. */
export type DomainEvent<P> = {
  [K in keyof P & string]: { id: string; type: K; occurredAt: string; payload: P[K]; trace?: TraceCarrier };
}[keyof P & string];

let activeTrace: () => TraceCarrier | undefined = () => undefined;

/**
 * Makes every event built from now on carry the trace context `source` returns (platform's
 * telemetry calls it when the process traces; otherwise events carry none, at no cost).
 */
export function setEventTraceSource(source: () => TraceCarrier | undefined): void {
  activeTrace = source;
}

/**
 * A domain's event stream: events appended to a Redis Stream (`<REDIS_PREFIX>events:<domain>`) so
 * consumers read them later with consumer groups, after a restart too. Dates travel as ISO-8601
 * strings. Each domain binds one (`events.ts`, `user-events.ts`) with its event types and payloads.
 */
export interface DomainEventStream<P> {
  /** The stream key of a stack. */
  key(redisPrefix: string): string;
  /** Builds an event with a fresh id and the current time. */
  event<K extends keyof P & string>(type: K, payload: P[K], now?: Date): DomainEvent<P>;
  /** Appends events to the stream, in order, in one round trip (MULTI). Awaited: the caller learns when Redis did not take them. */
  publish(redis: Redis, redisPrefix: string, events: readonly DomainEvent<P>[]): Promise<void>;
  /** Parses the field list of one stream entry back into an event (null when it is not one of this stream's). */
  decode(fields: readonly string[]): DomainEvent<P> | null;
}

export interface DomainEventStreamOptions<P> {
  /** `events:<domain>` after the prefix. */
  domain: string;
  /** Every event type of the stream (others are not decoded). */
  types: readonly (keyof P & string)[];
  /** Approximate cap of the stream (XADD MAXLEN ~): old entries go once consumers had ample time. */
  maxLen: number;
  /** An extra check of a decoded event's shape. */
  valid?: (event: DomainEvent<P>) => boolean;
}

export function domainEventStream<P>({ domain, types, maxLen, valid = () => true }: DomainEventStreamOptions<P>): DomainEventStream<P> {
  const known = new Set<string>(types);
  const key = (redisPrefix: string) => `${redisPrefix}events:${domain}`;
  return {
    key,
    event: (type, payload, now = new Date()) => {
      const trace = activeTrace();
      return (
        trace ? { id: randomUUID(), type, occurredAt: now.toISOString(), payload, trace } : { id: randomUUID(), type, occurredAt: now.toISOString(), payload }
      ) as DomainEvent<P>;
    },
    async publish(redis, redisPrefix, events) {
      if (events.length === 0) return;
      const stream = key(redisPrefix);
      const tx = redis.multi();
      for (const event of events) tx.xadd(stream, 'MAXLEN', '~', maxLen, '*', 'type', event.type, 'event', JSON.stringify(event));
      const results = await tx.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error(`redis refused the ${domain} events`);
    },
    decode(fields) {
      const index = fields.indexOf('event');
      if (index < 0 || index % 2 !== 0) return null;
      try {
        const event = JSON.parse(fields[index + 1] ?? '') as DomainEvent<P>;
        return known.has(event.type) && valid(event) ? event : null;
      } catch {
        return null;
      }
    },
  };
}
