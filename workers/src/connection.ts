import { BullMQOtel } from 'bullmq-otel';
import { createRedis, type Redis } from '@stagelives/platform';
import { tracingEnabled } from '@stagelives/platform/telemetry';

/**
 * BullMQ needs its own connections with no per-command retry limit (blocking commands) and an
 * offline queue; made by platform's factory, so REDIS_URL's Sentinel and Cluster forms apply
 * (BullMQ takes an ioredis Cluster as its connection).
 */
export function bullConnection(url: string): Redis {
  return createRedis(url, { maxRetriesPerRequest: null, enableReadyCheck: false, enableOfflineQueue: true, connectTimeout: 10_000 });
}

/**
 * Every queue of a stack lives under its Redis prefix. The `{bull}` hash tag keeps all keys of
 * a queue in one Redis Cluster slot, as BullMQ requires there; a single Redis ignores it.
 */
export const bullPrefix = (redisPrefix: string) => `${redisPrefix}{bull}`;

/**
 * BullMQ's own spans (its maintained OpenTelemetry add-on: add, process, retries) for a queue or
 * a worker, when this process traces; nothing otherwise.
 */
export const bullTelemetry = (): { telemetry?: BullMQOtel } => (tracingEnabled() ? { telemetry: new BullMQOtel({ tracerName: 'bullmq' }) } : {});
