import type { ConcertSource } from '../concert/concert-source.js';
import { preferencesOf, type ReminderConcertFacts, type ReminderPreferences } from '../reminder/reminder.rules.js';
import type { DeviceTokenDocument, SettingsRepository } from '../settings/settings.repository.js';
import type { LikeChanges } from './like-changes.js';

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

/** Every user's settings, read whole (users absent from it have the defaults and no device). */
interface UserSnapshot {
  preferences: Map<string, ReminderPreferences>;
  deleted: Set<string>;
  devices: Map<string, DeviceTokenDocument[]>;
  loadedAt: number;
}

/** The fans of every upcoming concert, read whole. */
interface LikeSnapshot {
  fans: Map<string, Set<string>>;
  loadedAt: number;
  /** With a change feed: the event stream position the snapshot is exact up to, and the pairs changed since (read by key). */
  position: string | null;
  changed: Set<string>;
  /** Up to when the snapshot is known exact for the pairs not in `changed` (its read, or the last catch-up). */
  exactAt: number;
}

/** What a batch of fire-time checks reads. */
export interface FactsSnapshot {
  /** Read for this batch, never cached. */
  concerts: Map<string, ReminderConcertFacts>;
  liked(concertId: string, userId: string): boolean;
  preferences(userId: string): ReminderPreferences;
  deleted(userId: string): boolean;
  devices(userId: string): DeviceTokenDocument[];
  /** When the user's facts were read (a token FCM refuses is removed only if not registered again since). */
  loadedAt(userId: string): Date;
  /** Whether any of this request's facts came from the cache (a negative verdict is then read again). */
  cached(request: FactsRequest): boolean;
}

export interface FactsCacheOptions {
  source: ConcertSource;
  settings: SettingsRepository;
  /** How old cached facts may be; 0 reads everything for every batch. */
  ttlMs: number;
  /** From this many keys missing in one batch, a whole collection is read instead (when small enough). Default 200. */
  snapshotFrom?: number;
  /** Largest collection read whole (documents, by the server's estimate). Default 1,000,000. */
  snapshotMax?: number;
  /**
   * The likes and unlikes since the like snapshot was read (the concert events stream). With it,
   * the like snapshot is kept exact by marking the pairs changed since (they are read by key)
   * and is read again only after `likesTtlMs`, instead of `ttlMs`.
   */
  likeChanges?: LikeChanges;
  /** How long a like snapshot kept exact by `likeChanges` is used (bounds what a lost event can hide). Default `ttlMs`. */
  likesTtlMs?: number;
}

/**
 * The facts a fire-time check needs, read in bulk per batch: concerts (always read), likes,
 * preferences, deleted accounts and devices (cached up to `ttlMs`).
 *
 * Why a cache: FerretDB 1.24 (SQLite) scans the whole collection for every `$in` query, so
 * reading the likes of 500 reminders costs as much as reading every like. Misses are therefore
 * read in one of two ways: by key (`$in`, a few keys), or, when a batch misses many keys, the
 * whole collection at once (settings of every user; the likes of every upcoming concert), as
 * long as it is not larger than `snapshotMax`: one scan per collection per `ttlMs` in a steady
 * stream of reminders.
 *
 * Cached facts are used only when younger than `ttlMs` *and* than the reminder's queueing, and a
 * check that comes out negative on cached facts is repeated on fresh reads before anything is
 * cancelled: the cache can delay noticing a change by at most `ttlMs`, and never cancels a
 * wanted reminder.
 */
export class FactsCache {
  private readonly users = new Map<string, UserFacts>();
  private readonly pairs = new Map<string, { liked: boolean; loadedAt: number }>();
  private userSnapshot: UserSnapshot | null = null;
  private likeSnapshot: LikeSnapshot | null = null;
  /** Snapshot reads in flight: concurrent batches share one. */
  private loadingUsers: Promise<UserSnapshot | null> | null = null;
  private loadingLikes: Promise<LikeSnapshot | null> | null = null;
  private lastSweep = 0;
  private readonly snapshotFrom: number;
  private readonly snapshotMax: number;
  /** How long a like snapshot kept exact by the change feed is used (likesMaxAge). */
  private readonly likesTtlMs: number;
  /** The catch-up with the change feed in flight: concurrent batches share it. */
  private catchingUp: Promise<void> | null = null;

  constructor(private readonly deps: FactsCacheOptions) {
    this.snapshotFrom = deps.snapshotFrom ?? 200;
    this.snapshotMax = deps.snapshotMax ?? 1_000_000;
    this.likesTtlMs = Math.max(deps.likesTtlMs ?? deps.ttlMs, deps.ttlMs);
  }

  /** When users' cached facts were declared stale (their devices changed): older facts are not used for them. */
  private readonly forgotten = new Map<string, number>();

  /** Drops what is cached about a user (their devices changed): their next check reads them again. */
  forgetUser(userId: string): void {
    this.users.delete(userId);
    this.forgotten.set(userId, Date.now());
  }

  async facts(requests: readonly FactsRequest[], { fresh = false } = {}): Promise<FactsSnapshot> {
    const { source, ttlMs } = this.deps;
    const started = Date.now();
    this.sweep(started);
    const caching = ttlMs > 0;
    if (caching && !fresh) this.refreshAhead(started);
    if (caching && !fresh && this.likeSnapshot?.position != null) await this.catchUp();
    // What this call decides on: concurrent calls may replace the snapshots meanwhile.
    const userSnapshot = this.userSnapshot;
    const likeSnapshot = this.likeSnapshot;
    const userEntries = new Map<string, UserFacts>();
    const usable = (loadedAt: number | undefined, queuedAt: number) =>
      !fresh && caching && loadedAt !== undefined && loadedAt >= queuedAt && started - loadedAt <= ttlMs;

    // Users: from a per-user entry or the snapshot when usable; else read.
    const newestQueued = new Map<string, number>();
    for (const r of requests) newestQueued.set(r.userId, Math.max(newestQueued.get(r.userId) ?? 0, r.queuedAt));
    const userMisses: string[] = [];
    for (const [u, queuedAt] of newestQueued) {
      const q = Math.max(queuedAt, (this.forgotten.get(u) ?? -1) + 1);
      const entry = this.users.get(u);
      const fromEntry = entry && usable(entry.loadedAt, q) ? entry : null;
      const fromSnapshot = userSnapshot && usable(userSnapshot.loadedAt, q) ? userFactsOf(userSnapshot, u) : null;
      const best = fromEntry && fromSnapshot ? (fromEntry.loadedAt >= fromSnapshot.loadedAt ? fromEntry : fromSnapshot) : (fromEntry ?? fromSnapshot);
      if (best) userEntries.set(u, best);
      else userMisses.push(u);
    }
    // Likes: from a pair entry or the snapshot when usable (exact since the reminder was queued, and
    // not older than likesTtlMs); else read.
    const likesUsable = (snapshot: LikeSnapshot, queuedAt: number) =>
      !fresh && caching && snapshot.exactAt >= queuedAt && started - snapshot.loadedAt <= this.likesMaxAge(snapshot);
    const likedEntries = new Map<string, boolean>();
    const pairMisses: FactsRequest[] = [];
    for (const r of requests) {
      const key = `${r.concertId}:${r.userId}`;
      const pair = this.pairs.get(key);
      const fans = likeSnapshot?.fans.get(r.concertId);
      const candidates: Array<{ loadedAt: number; liked: boolean }> = [];
      if (pair && usable(pair.loadedAt, r.queuedAt)) candidates.push(pair);
      if (fans && likesUsable(likeSnapshot!, r.queuedAt) && !likeSnapshot!.changed.has(key)) {
        candidates.push({ loadedAt: likeSnapshot!.exactAt, liked: fans.has(r.userId) });
      }
      const best = candidates.sort((a, b) => b.loadedAt - a.loadedAt)[0];
      if (best) likedEntries.set(key, best.liked);
      else pairMisses.push(r);
    }

    const [concerts, readUsers, readLikes] = await Promise.all([
      source.concertsByIds(new Set(requests.map((r) => r.concertId))),
      this.readUsers(userMisses, started, caching && userMisses.length >= this.snapshotFrom ? newest(userMisses.map((u) => newestQueued.get(u)!)) : null),
      this.readLikes(pairMisses, started, caching && pairMisses.length >= this.snapshotFrom ? newest(pairMisses.map((r) => r.queuedAt)) : null),
    ]);

    const userOf = (u: string): UserFacts => readUsers.get(u) ?? userEntries.get(u)!;
    return {
      concerts,
      liked: (concertId, userId) => {
        const key = `${concertId}:${userId}`;
        return readLikes.get(key) ?? likedEntries.get(key) ?? false;
      },
      preferences: (u) => userOf(u).preferences,
      deleted: (u) => userOf(u).deleted,
      devices: (u) => userOf(u).devices,
      loadedAt: (u) => new Date(userOf(u).loadedAt),
      cached: (r) => !readUsers.has(r.userId) || !readLikes.has(`${r.concertId}:${r.userId}`),
    };
  }

  /**
   * Reads the settings of these users, or of everyone (a snapshot, at least as young as
   * `snapshotAfter`) when many are missing.
   */
  private async readUsers(users: string[], now: number, snapshotAfter: number | null): Promise<Map<string, UserFacts>> {
    const read = new Map<string, UserFacts>();
    if (users.length === 0) return read;
    const { settings, ttlMs } = this.deps;
    const snapshot = snapshotAfter !== null ? await this.loadUserSnapshot(snapshotAfter) : null;
    if (snapshot) {
      for (const u of users) read.set(u, userFactsOf(snapshot, u));
      return read;
    }
    const [preferences, deleted, devices] = await Promise.all([settings.preferencesOf(users), settings.deletedAmong(users), settings.devicesOf(users)]);
    for (const u of users) {
      const entry = { preferences: preferences.get(u)!, deleted: deleted.has(u), devices: devices.get(u) ?? [], loadedAt: now };
      read.set(u, entry);
      if (ttlMs > 0) this.users.set(u, entry);
    }
    return read;
  }

  /**
   * Every user's settings in one read of each collection (null when they are too large). One
   * read at a time: batches arriving meanwhile wait for it. A read that started before `after`
   * is too old for them, so they start the next one.
   */
  private async loadUserSnapshot(after: number): Promise<UserSnapshot | null> {
    const inFlight = this.loadingUsers;
    if (inFlight) {
      const shared = await inFlight;
      if (!shared || shared.loadedAt >= after) return shared;
    }
    this.loadingUsers ??= (async () => {
      const loadedAt = Date.now();
      const everything = await this.deps.settings.everything(this.snapshotMax);
      if (!everything) return null;
      const { devices, preferences, deleted } = everything;
      const snapshot: UserSnapshot = {
        preferences: new Map(preferences.map((p) => [p._id, preferencesOf(p)])),
        deleted: new Set(deleted.map((d) => d._id)),
        devices: new Map(),
        loadedAt,
      };
      for (const device of devices) snapshot.devices.set(device.userId, [...(snapshot.devices.get(device.userId) ?? []), device]);
      this.userSnapshot = snapshot;
      return snapshot;
    })().finally(() => {
      this.loadingUsers = null;
    });
    return this.loadingUsers;
  }

  /** Reads whether these pairs are liked: by pair, or the likes of every upcoming concert when many are missing. */
  private async readLikes(pairs: FactsRequest[], now: number, snapshotAfter: number | null): Promise<Map<string, boolean>> {
    const read = new Map<string, boolean>();
    if (pairs.length === 0) return read;
    const { source, ttlMs } = this.deps;
    let rest = pairs;
    const snapshot = snapshotAfter !== null ? await this.loadLikeSnapshot(snapshotAfter) : null;
    if (snapshot) {
      rest = [];
      for (const p of pairs) {
        const key = `${p.concertId}:${p.userId}`;
        const fans = snapshot.fans.get(p.concertId);
        if (fans && !snapshot.changed.has(key)) read.set(key, fans.has(p.userId));
        else rest.push(p); // a concert that is not upcoming (moved into the past, cancelled), or a pair changed since: read it
      }
    }
    if (rest.length === 0) return read;
    const liked = await source.likedAmong(rest);
    for (const p of rest) {
      const key = `${p.concertId}:${p.userId}`;
      read.set(key, liked.has(key));
      if (ttlMs > 0) this.pairs.set(key, { liked: liked.has(key), loadedAt: now });
    }
    return read;
  }

  /** The fans of every upcoming concert (null when there are too many likes); one read at a time, as loadUserSnapshot. */
  private async loadLikeSnapshot(after: number): Promise<LikeSnapshot | null> {
    const inFlight = this.loadingLikes;
    if (inFlight) {
      const shared = await inFlight;
      if (!shared || shared.loadedAt >= after) return shared;
    }
    this.loadingLikes ??= (async () => {
      const { source, likeChanges } = this.deps;
      if ((await source.estimatedLikes()) > this.snapshotMax) return null;
      const loadedAt = Date.now();
      // The feed's position before the read: a change after it is caught up with (read by key),
      // even if the read already saw it. No position (the feed unreadable): the snapshot lives only ttlMs.
      const position = likeChanges ? await likeChanges.position().catch(() => null) : null;
      const upcoming: string[] = [];
      for await (const page of source.upcomingConcerts(new Date(loadedAt))) upcoming.push(...page.map((c) => c.id));
      const snapshot: LikeSnapshot = { fans: await source.fansOf(upcoming), loadedAt, position, changed: new Set(), exactAt: loadedAt };
      this.likeSnapshot = snapshot;
      return snapshot;
    })().finally(() => {
      this.loadingLikes = null;
    });
    return this.loadingLikes;
  }

  /** How long a like snapshot is used: likesTtlMs while the change feed keeps it exact, else ttlMs. */
  private likesMaxAge(snapshot: LikeSnapshot): number {
    return snapshot.position !== null ? this.likesTtlMs : this.deps.ttlMs;
  }

  /**
   * Brings the like snapshot up to the change feed: pairs liked or unliked since are marked (and
   * read by key); when the feed lost entries since (trimmed), the snapshot is dropped.
   */
  private catchUp(): Promise<void> {
    this.catchingUp ??= (async () => {
      const snapshot = this.likeSnapshot;
      if (!snapshot || snapshot.position === null || !this.deps.likeChanges) return;
      const at = Date.now();
      // The feed unreadable (Redis away): the snapshot can no longer be kept exact.
      const changes = await this.deps.likeChanges.since(snapshot.position).catch(() => null);
      if (this.likeSnapshot !== snapshot) return; // replaced meanwhile
      if (!changes) {
        this.likeSnapshot = null;
        return;
      }
      for (const pair of changes.pairs) snapshot.changed.add(pair);
      snapshot.position = changes.position;
      snapshot.exactAt = at;
    })().finally(() => {
      this.catchingUp = null;
    });
    return this.catchingUp;
  }

  /**
   * Refreshes the snapshots in the background once they are half their allowed age, so batches
   * keep using a valid one instead of all waiting for the next at expiry.
   */
  private refreshAhead(now: number): void {
    const { ttlMs } = this.deps;
    const due = (loadedAt: number | undefined, maxAge: number) => loadedAt !== undefined && now - loadedAt > maxAge / 2;
    if (due(this.userSnapshot?.loadedAt, ttlMs) && !this.loadingUsers) void this.loadUserSnapshot(now).catch(() => undefined);
    if (this.likeSnapshot && due(this.likeSnapshot.loadedAt, this.likesMaxAge(this.likeSnapshot)) && !this.loadingLikes)
      void this.loadLikeSnapshot(now).catch(() => undefined);
  }

  /** Drops expired entries now and then, so the cache holds about `ttlMs` worth of facts. */
  private sweep(now: number): void {
    const { ttlMs } = this.deps;
    if (now - this.lastSweep < Math.max(ttlMs, 1_000)) return;
    this.lastSweep = now;
    for (const map of [this.users, this.pairs] as Array<Map<string, { loadedAt: number }>>) {
      for (const [key, entry] of map) if (now - entry.loadedAt > ttlMs) map.delete(key);
    }
    for (const [user, at] of this.forgotten) if (now - at > ttlMs) this.forgotten.delete(user);
  }
}

const newest = (times: number[]) => times.reduce((a, b) => Math.max(a, b), 0);

function userFactsOf(snapshot: UserSnapshot, userId: string): UserFacts {
  return {
    preferences: snapshot.preferences.get(userId) ?? preferencesOf(null),
    deleted: snapshot.deleted.has(userId),
    devices: snapshot.devices.get(userId) ?? [],
    loadedAt: snapshot.loadedAt,
  };
}
