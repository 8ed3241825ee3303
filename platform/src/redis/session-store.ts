import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BaseConfig } from '../config.js';
import type { Role } from '@stagelives/schema';
import { isRedisCluster, scanKeys } from './redis.js';

export interface Session {
  /** sha256 of the token, the only form stored or passed between services. */
  id: string;
  userId: string;
  roles: Role[];
  /** Whether the account's email address is verified (absent in sessions created before it was tracked: not verified). */
  emailVerified?: boolean;
  createdAt: number;
  absoluteExpiresAt: number;
}

export interface SessionStoreOptions {
  redis: Redis;
  prefix: string;
  /** Seconds of inactivity after which a session ends. */
  idleTtlSeconds: number;
  /** Seconds after creation after which a session ends, however active. */
  absoluteTtlSeconds: number;
}

/** Hash of a session token: the key under which the session lives in Redis. */
function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Sessions in Redis: opaque 256-bit tokens from a CSPRNG, stored only as their hash.
 *
 * A session (`sess:<hash>`) and its user's index (`usess:<userId>`) are two keys in two slots:
 * on one server (or a Sentinel's master) they change together in one MULTI; on a Cluster, where
 * MULTI cannot span slots, one key at a time in the order that never leaves a live session out of
 * its user's index (index first on create, session first on delete): a crash between the two
 * leaves at most an index entry for a gone session, which `pruneUserIndexes` removes.
 */
export class SessionStore {
  private readonly cluster: boolean;

  constructor(private readonly options: SessionStoreOptions) {
    this.cluster = isRedisCluster(options.redis);
  }

  /** The stack's session store: its Redis prefix and timeouts from the shared config. */
  static fromConfig(redis: Redis, config: Pick<BaseConfig, 'REDIS_PREFIX' | 'SESSION_IDLE_TTL_SECONDS' | 'SESSION_ABSOLUTE_TTL_SECONDS'>): SessionStore {
    return new SessionStore({
      redis,
      prefix: config.REDIS_PREFIX,
      idleTtlSeconds: config.SESSION_IDLE_TTL_SECONDS,
      absoluteTtlSeconds: config.SESSION_ABSOLUTE_TTL_SECONDS,
    });
  }

  /**
   * The pub/sub channel on which a user's sessions are announced as changed (roles updated, or
   * sessions ended): its message is the user id. Routers re-check that user's open WebSockets at
   * once instead of at their next periodic check (router/src/subscriptions).
   */
  static changesChannel(prefix: string): string {
    return `${prefix}sessions:changed`;
  }

  private key(id: string) {
    return `${this.options.prefix}sess:${id}`;
  }

  private userKey(userId: string) {
    return `${this.options.prefix}usess:${userId}`;
  }

  /** Creates a session and returns the token to hand to the client (the only time it exists in clear). */
  async create(
    userId: string,
    roles: Role[],
    { now = Date.now(), emailVerified = false }: { now?: number; emailVerified?: boolean } = {},
  ): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const session: Session = {
      id: hashSessionToken(token),
      userId,
      roles,
      emailVerified,
      createdAt: now,
      absoluteExpiresAt: now + this.options.absoluteTtlSeconds * 1000,
    };
    const ttl = Math.min(this.options.idleTtlSeconds, this.options.absoluteTtlSeconds);
    if (this.cluster) {
      const { redis } = this.options;
      await redis.sadd(this.userKey(userId), session.id);
      await redis.expire(this.userKey(userId), this.options.absoluteTtlSeconds);
      await redis.set(this.key(session.id), JSON.stringify(session), 'EX', ttl);
      return { token, session };
    }
    await this.options.redis
      .multi()
      .set(this.key(session.id), JSON.stringify(session), 'EX', ttl)
      .sadd(this.userKey(userId), session.id)
      .expire(this.userKey(userId), this.options.absoluteTtlSeconds)
      .exec();
    return { token, session };
  }

  /** Resolves a client's token to its live session, sliding the idle timeout. */
  async resolve(token: string, now = Date.now()): Promise<Session | null> {
    if (token.length < 16 || token.length > 128) return null;
    const id = hashSessionToken(token);
    const idleMs = this.options.idleTtlSeconds * 1000;
    // Read and slide the idle timeout in one round trip; only a session nearer its absolute end
    // than the idle timeout needs a second command to cap its lifetime.
    const raw = await this.options.redis.getex(this.key(id), 'PX', idleMs);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    const leftMs = session.absoluteExpiresAt - now;
    if (leftMs <= 0) {
      await this.delete(id, session.userId);
      return null;
    }
    if (leftMs < idleMs) await this.options.redis.pexpire(this.key(id), leftMs);
    return session;
  }

  async delete(id: string, userId?: string): Promise<void> {
    if (this.cluster) {
      await this.options.redis.del(this.key(id));
      if (userId) await this.options.redis.srem(this.userKey(userId), id);
      return;
    }
    const tx = this.options.redis.multi().del(this.key(id));
    if (userId) tx.srem(this.userKey(userId), id);
    await tx.exec();
  }

  /**
   * Ends every session of a user, except `keep` when given, and announces it (`changesChannel`:
   * the user's open WebSockets close at once). Returns how many ended.
   */
  async deleteAllForUser(userId: string, keep?: string): Promise<number> {
    const ids = (await this.options.redis.smembers(this.userKey(userId))).filter((id) => id !== keep);
    if (ids.length === 0) return 0;
    if (this.cluster) {
      await Promise.all(ids.map((id) => this.options.redis.del(this.key(id))));
      await this.options.redis.srem(this.userKey(userId), ...ids);
    } else {
      await this.options.redis
        .multi()
        .del(...ids.map((id) => this.key(id)))
        .srem(this.userKey(userId), ...ids)
        .exec();
    }
    await this.announce(userId);
    return ids.length;
  }

  /**
   * Sets the roles every live session of a user carries (a role granted or revoked takes effect
   * at the user's next request, without signing them out) and announces it, so open WebSockets
   * take the new roles at once. Each session keeps its expiry; a session that ends meanwhile
   * stays ended (`SET … XX KEEPTTL`). Returns how many sessions it updated.
   */
  setRolesForUser(userId: string, roles: Role[]): Promise<number> {
    return this.updateForUser(userId, { roles });
  }

  /** Marks every live session of a user as having a verified email (or not), the way `setRolesForUser` sets roles. */
  setEmailVerifiedForUser(userId: string, emailVerified: boolean): Promise<number> {
    return this.updateForUser(userId, { emailVerified });
  }

  private async updateForUser(userId: string, patch: Partial<Pick<Session, 'roles' | 'emailVerified'>>): Promise<number> {
    const { redis } = this.options;
    const ids = await redis.smembers(this.userKey(userId));
    let updated = 0;
    for (const id of ids) {
      const raw = await redis.get(this.key(id));
      if (!raw) continue;
      const session = JSON.parse(raw) as Session;
      if (session.userId !== userId) continue;
      const written = await redis.set(this.key(id), JSON.stringify({ ...session, ...patch }), 'KEEPTTL', 'XX');
      if (written) updated += 1;
    }
    await this.announce(userId);
    return updated;
  }

  /** Tells every router that `userId`'s sessions changed (`changesChannel`). */
  async announce(userId: string): Promise<void> {
    await this.options.redis.publish(SessionStore.changesChannel(this.options.prefix), userId);
  }

  /**
   * Removes, from every user's session index, the ids whose session has expired (Redis drops
   * the session key by TTL, never the index entry). Returns how many ids it removed. Safe to run
   * concurrently: SREM of a gone id is a no-op.
   */
  async pruneUserIndexes(): Promise<number> {
    const { redis } = this.options;
    let removed = 0;
    // On a Cluster, SCAN runs on each master in turn (scanKeys).
    for await (const keys of scanKeys(redis, this.userKey('*'))) {
      for (const key of keys) {
        const ids = await redis.smembers(key);
        if (ids.length === 0) continue;
        const exists = await Promise.all(ids.map((id) => redis.exists(this.key(id))));
        const gone = ids.filter((_, i) => exists[i] === 0);
        if (gone.length) removed += await redis.srem(key, ...gone);
      }
    }
    return removed;
  }
}
