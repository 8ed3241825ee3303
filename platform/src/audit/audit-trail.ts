import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { auditEvent, publishAuditEvents, type AuditActionName, type AuditEntryPayload, type AuditTargetTypeName } from '@stagelives/schema';
import type { Logger } from '../logger.js';
import type { Redis } from '../redis/redis.js';
import { AuditOutboxRepository, type AuditOutboxDocument } from './audit-outbox.repository.js';

/** What a staff member does, as the audit trail records it. */
export interface AuditIntent {
  actorId: string;
  action: AuditActionName;
  targetType: AuditTargetTypeName;
  targetId: string;
  reason?: string | null;
  details?: Record<string, string>;
}

/**
 * Applies one kind of action from its stored arguments. It must be idempotent: after a crash the
 * trail applies a pending action again, which may have happened already. It throws a GraphQL
 * error (an `extensions.code`) when the action cannot happen (then no entry is kept).
 */
export type AuditApplier = (command: Record<string, unknown>) => Promise<unknown>;

interface AuditTrailOptions {
  /** The acting domain's own database: the outbox lives there. */
  db: Db;
  redis: Redis;
  redisPrefix: string;
  logger: Logger;
  /** Appliers by action (more can be added with `register`). */
  appliers?: Partial<Record<AuditActionName, AuditApplier>>;
  /** How often stale and unpublished entries are looked for (default 5 s). */
  recoverEveryMs?: number;
  /** A pending action this old is taken to have lost its process (default 10 s). */
  staleAfterMs?: number;
}

/** A refusal (the action cannot happen), as opposed to a failure that leaves it unknown. */
const isRefusal = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && typeof (error as { extensions?: { code?: unknown } }).extensions?.code === 'string';

/**
 * A staff action and its audit entry, never one without the other (a write-ahead outbox in the
 * acting domain's database):
 *
 * 1. the entry and the action's arguments are stored as `pending`;
 * 2. the action is applied (a refusal removes the entry: nothing happened);
 * 3. the entry is marked `applied`, appended to the audit stream and removed from the outbox.
 *
 * A process that dies after 1 leaves a pending entry: `recover()` (at start and every few
 * seconds) applies it again — the appliers are idempotent — so the action happens and is
 * recorded, as the staff member asked. One that dies after 3's mark leaves an applied entry:
 * `recover()` appends it. The moderation subgraph keeps an entry once per `entryId`, so an entry
 * appended twice is recorded once.
 */
export class AuditTrail {
  private readonly outbox: AuditOutboxRepository;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  private readonly options: AuditTrailOptions & { appliers: Partial<Record<AuditActionName, AuditApplier>> };

  constructor(options: AuditTrailOptions) {
    this.options = { ...options, appliers: { ...options.appliers } };
    this.outbox = new AuditOutboxRepository(options.db);
  }

  ensureIndexes(): Promise<void> {
    return this.outbox.ensureIndexes();
  }

  /** Adds appliers after construction (a service that both records and applies registers its own). */
  register(appliers: Partial<Record<AuditActionName, AuditApplier>>): this {
    Object.assign(this.options.appliers, appliers);
    return this;
  }

  /** Records `intent`, applies it with `command` and returns what its applier returned. */
  async record<R>(intent: AuditIntent, command: Record<string, unknown>, now = new Date()): Promise<R> {
    const apply = this.applierOf(intent.action);
    const entry: AuditEntryPayload = {
      entryId: randomUUID(),
      actorId: intent.actorId,
      action: intent.action,
      targetType: intent.targetType,
      targetId: intent.targetId,
      reason: intent.reason ?? null,
      details: intent.details ?? {},
      at: now.toISOString(),
    };
    await this.outbox.insertPending({ _id: entry.entryId, entry, command }, now);
    let result: unknown;
    try {
      result = await apply(command);
    } catch (error) {
      // Refused: nothing happened, so nothing is recorded. Anything else: unknown, recovery decides.
      if (isRefusal(error)) await this.outbox.remove([entry.entryId]);
      throw error;
    }
    await this.outbox.markApplied(entry.entryId);
    await this.publish([{ _id: entry.entryId, entry }]).catch((error: unknown) =>
      this.options.logger.warn(
        { err: error instanceof Error ? error.message : String(error), entryId: entry.entryId },
        'audit entry not appended yet; recovery retries',
      ),
    );
    return result as R;
  }

  /** Applies stale pending actions again and appends applied entries; returns what it did. */
  async recover(now = new Date()): Promise<{ reapplied: number; dropped: number; published: number }> {
    let reapplied = 0;
    let dropped = 0;
    const stale = await this.outbox.stalePending(new Date(now.getTime() - (this.options.staleAfterMs ?? 10_000)));
    for (const doc of stale) {
      try {
        await this.applierOf(doc.entry.action)(doc.command);
        await this.outbox.markApplied(doc._id);
        reapplied += 1;
      } catch (error) {
        if (!isRefusal(error)) throw error;
        this.options.logger.warn({ entryId: doc._id, action: doc.entry.action }, 'a pending staff action cannot happen any more; its entry is dropped');
        await this.outbox.remove([doc._id]);
        dropped += 1;
      }
    }
    const applied = await this.outbox.applied();
    await this.publish(applied);
    return { reapplied, dropped, published: applied.length };
  }

  /** Recovers once now, then every `recoverEveryMs`. */
  start(): void {
    const tick = () => {
      this.running = this.recover().catch((error: unknown) =>
        this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'audit recovery failed; retrying'),
      );
    };
    tick();
    this.timer = setInterval(tick, this.options.recoverEveryMs ?? 5_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private applierOf(action: AuditActionName): AuditApplier {
    const apply = this.options.appliers[action];
    if (!apply) throw new Error(`no applier for the audited action ${action}`);
    return apply;
  }

  private async publish(docs: ReadonlyArray<Pick<AuditOutboxDocument, '_id' | 'entry'>>): Promise<void> {
    if (docs.length === 0) return;
    await publishAuditEvents(
      this.options.redis,
      this.options.redisPrefix,
      docs.map((doc) => auditEvent('audit.recorded', doc.entry)),
    );
    await this.outbox.remove(docs.map((doc) => doc._id));
  }
}
