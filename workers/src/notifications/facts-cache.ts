import type { ReminderConcert, ReminderSource } from '@stagelives/concerts/reminder-source';
import type { DeviceTokenDocument, ReminderPreferences, SettingsRepository } from '@stagelives/notifications/store';

/** One reminder's need for facts: whose, which concert, and when it was queued. */
export interface FactsRequest {
  userId: string;
  concertId: string;
  /** Cached facts older than this are never used for it (they may predate the decision to schedule it). */
  queuedAt: number;
}

interface UserFacts {
  preferences: ReminderPreferences;
  deleted: boolean;
  devices: DeviceTokenDocument[];
  loadedAt: number;
}

/** What a batch of fire-time checks reads. */
export interface FactsSnapshot {
  /** Read for this batch, never cached. */
  concerts: Map<string, ReminderConcert>;
  liked(concertId: string, userId: string): boolean;
  preferences(userId: string): ReminderPreferences;
  deleted(userId: string): boolean;
  devices(userId: string): DeviceTokenDocument[];
  /** When the user's facts were read (a token FCM refuses is removed only if not registered again since). */
  loadedAt(userId: string): Date;
  /** Whether any of this request's facts came from the cache (a negative verdict is then read again). */
  cached(request: FactsRequest): boolean;
}

/** A concert with at least this many reminders in a batch has all its fans read at once (one query), else its pairs are. */
const WHOLE_CONCERT_FROM = 100;

/**
 * The facts a fire-time check needs, read in bulk per batch: concerts (always read), likes,
 * preferences, deleted accounts and devices (cached up to `ttlMs`).
 *
 * Why a cache: on FerretDB 1.24 every `$in` query scans its whole collection, so reading the
 * likes of a batch costs as much as reading every like. Cached facts are used only when
 * younger than `ttlMs` *and* younger than the reminder's scheduling, and a check that comes out
 * negative on cached facts is repeated on fresh reads before anything is cancelled: the cache
 * can delay noticing a change by at most `ttlMs`, never cancel a wanted reminder. `ttlMs = 0`
 * reads everything for every batch.
 */
export class FactsCache {
  private readonly users = new Map<string, UserFacts>();
  private readonly fans = new Map<string, { users: Set<string>; loadedAt: number }>();
  private readonly pairs = new Map<string, { liked: boolean; loadedAt: number }>();
  private lastSweep = 0;

  constructor(
    private readonly deps: { source: ReminderSource; settings: SettingsRepository; ttlMs: number },
  ) {}

  /** Drops what is cached about a user (their devices changed). */
  forgetUser(userId: string): void {
    this.users.delete(userId);
  }

  async facts(requests: readonly FactsRequest[], { fresh = false } = {}): Promise<FactsSnapshot> {
    const { source, settings, ttlMs } = this.deps;
    const started = Date.now();
    this.sweep(started);
    const usable = (loadedAt: number, queuedAt: number) => !fresh && ttlMs > 0 && loadedAt >= queuedAt && started - loadedAt <= ttlMs;
    const newestQueued = new Map<string, number>();
    for (const r of requests) newestQueued.set(r.userId, Math.max(newestQueued.get(r.userId) ?? 0, r.queuedAt));

    const usersToRead = [...newestQueued].filter(([u, queuedAt]) => {
      const entry = this.users.get(u);
      return !entry || !usable(entry.loadedAt, queuedAt);
    }).map(([u]) => u);

    // Likes: a whole concert when many of its reminders are here (or its fans are cached), else per pair.
    const byConcert = new Map<string, FactsRequest[]>();
    for (const r of requests) byConcert.set(r.concertId, [...(byConcert.get(r.concertId) ?? []), r]);
    const concertsToRead: string[] = [];
    const pairsToRead: Array<{ concertId: string; userId: string }> = [];
    const fromConcert = new Set<string>();
    for (const [concertId, reqs] of byConcert) {
      const cachedFans = this.fans.get(concertId);
      const newestQueuedAt = Math.max(...reqs.map((r) => r.queuedAt));
      if (cachedFans && usable(cachedFans.loadedAt, newestQueuedAt)) {
        fromConcert.add(concertId);
      } else if (reqs.length >= WHOLE_CONCERT_FROM) {
        concertsToRead.push(concertId);
        fromConcert.add(concertId);
      } else {
        for (const r of reqs) {
          const cachedPair = this.pairs.get(`${r.concertId}:${r.userId}`);
          if (!cachedPair || !usable(cachedPair.loadedAt, r.queuedAt)) pairsToRead.push(r);
        }
      }
    }

    const [concerts, preferences, deleted, devices, fansRead, likedRead] = await Promise.all([
      source.concertsByIds(byConcert.keys()),
      usersToRead.length ? settings.preferencesOf(usersToRead) : new Map<string, ReminderPreferences>(),
      usersToRead.length ? settings.deletedAmong(usersToRead) : new Set<string>(),
      usersToRead.length ? settings.devicesOf(usersToRead) : new Map<string, DeviceTokenDocument[]>(),
      concertsToRead.length ? source.fansOf(concertsToRead) : new Map<string, Set<string>>(),
      pairsToRead.length ? source.likedAmong(pairsToRead) : new Set<string>(),
    ]);

    // What was read now (kept only when caching at all), then the snapshot over cache + reads.
    const readUsers = new Map<string, UserFacts>();
    for (const u of usersToRead) {
      const entry = { preferences: preferences.get(u)!, deleted: deleted.has(u), devices: devices.get(u) ?? [], loadedAt: started };
      readUsers.set(u, entry);
      if (ttlMs > 0) this.users.set(u, entry);
    }
    const readFans = new Map<string, Set<string>>();
    for (const [concertId, fans] of fansRead) {
      readFans.set(concertId, fans);
      if (ttlMs > 0) this.fans.set(concertId, { users: fans, loadedAt: started });
    }
    const readPairs = new Map<string, boolean>();
    for (const p of pairsToRead) {
      const key = `${p.concertId}:${p.userId}`;
      readPairs.set(key, likedRead.has(key));
      if (ttlMs > 0) this.pairs.set(key, { liked: likedRead.has(key), loadedAt: started });
    }

    const user = (u: string): UserFacts => readUsers.get(u) ?? this.users.get(u)!;
    return {
      concerts,
      liked: (concertId, userId) => {
        if (fromConcert.has(concertId)) return (readFans.get(concertId) ?? this.fans.get(concertId)?.users)?.has(userId) ?? false;
        const key = `${concertId}:${userId}`;
        return readPairs.get(key) ?? this.pairs.get(key)?.liked ?? false;
      },
      preferences: (u) => user(u).preferences,
      deleted: (u) => user(u).deleted,
      devices: (u) => user(u).devices,
      loadedAt: (u) => new Date(user(u).loadedAt),
      cached: (r) => !readUsers.has(r.userId) || (fromConcert.has(r.concertId) ? !readFans.has(r.concertId) : !readPairs.has(`${r.concertId}:${r.userId}`)),
    };
  }

  /** Drops expired entries now and then, so the cache holds about `ttlMs` worth of facts. */
  private sweep(now: number): void {
    const { ttlMs } = this.deps;
    if (now - this.lastSweep < Math.max(ttlMs, 1_000)) return;
    this.lastSweep = now;
    for (const map of [this.users, this.fans, this.pairs] as Array<Map<string, { loadedAt: number }>>) {
      for (const [key, entry] of map) if (now - entry.loadedAt > ttlMs) map.delete(key);
    }
  }
}
