import { describe, expect, it } from 'vitest';
// By path, not as a devDependency: @stagelives/devkit depends on this package (turbo refuses the cycle).
import { startRedis } from '../../tools/devkit/src/services.js';
import { createLogger, createRedis, redisReady, startStreamConsumer } from '../src/index.js';

describe(startStreamConsumer.name, () => {
  it('should stop at once while Redis is away, with a read pending on a connection waiting to reconnect', async ({ onTestFinished }) => {
    const server = await startRedis();
    onTestFinished(() => server.stop());
    const redis = createRedis(server.url);
    redis.on('error', () => undefined);
    onTestFinished(() => redis.disconnect());
    await redisReady(redis);
    const handled: string[] = [];
    const consumer = startStreamConsumer({
      redis,
      stream: 'sc:events',
      group: 'g',
      logger: createLogger('test', 'silent'),
      blockMs: 200,
      handle: async (_id, fields) => void handled.push(fields[1]!),
    });
    await redis.xadd('sc:events', '*', 'n', 'a');
    for (let i = 0; i < 100 && handled.length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(handled).toEqual(['a']);

    await server.stop();
    // Past the first reconnection attempts: the consumer's connection now waits for its next one.
    await new Promise((r) => setTimeout(r, 1_500));
    const started = Date.now();
    const outcome = await Promise.race([consumer.stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still waiting'), 5_000))]);
    expect(outcome).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
