import { randomUUID } from 'node:crypto';
import type { Redis } from '@stagelives/platform';
import { ServiceUnavailableError } from '@stagelives/schema';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Longer than a revoke takes; a holder that died frees it by then. */
const HOLD_MS = 10_000;
const WAIT_MS = 3_000;

/**
 * Serialises the changes that could leave the graph without an admin (revoking ADMIN), across
 * every users process: two admins revoking each other at once cannot both pass the last-admin
 * check. A Redis lock (SET NX PX, released only by its holder).
 */
export class AdminLock {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    redisPrefix: string,
  ) {
    this.key = `${redisPrefix}users:lock:admins`;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const holder = randomUUID();
    const end = Date.now() + WAIT_MS;
    while ((await this.redis.set(this.key, holder, 'PX', HOLD_MS, 'NX')) !== 'OK') {
      if (Date.now() > end) throw new ServiceUnavailableError('Another role change is in progress; try again.');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, this.key, holder).catch(() => undefined);
    }
  }
}
