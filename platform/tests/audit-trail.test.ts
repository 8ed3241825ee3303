import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { auditEventsStream, decodeAuditEvent, type AuditEntryPayload } from '@stagelives/schema';
// By path, not as a devDependency: @stagelives/devkit depends on this package (turbo refuses the cycle).
import { scratchSuite } from '../../tools/devkit/src/scratch.js';
import { AuditTrail, createLogger, type Redis } from '../src/index.js';

/** The audit entries on the stream of this scratch space. */
async function entriesOnStream(redis: Redis, prefix: string): Promise<AuditEntryPayload[]> {
  const rows = (await redis.xrange(auditEventsStream(prefix), '-', '+')) as Array<[string, string[]]>;
  return rows.flatMap(([, fields]) => {
    const event = decodeAuditEvent(fields);
    return event ? [event.payload] : [];
  });
}

describe('AuditTrail', () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl') });
  const logger = createLogger('test', 'silent');

  it('should apply and record exactly once an action whose process died between its pending entry and the end of its applier', async () => {
    const db = scratch.db('recovery');
    const applied = new Map<string, number>();
    let dying = true;
    // The applier's write lands, then the "process" dies (a non-GraphQL error: the outcome is unknown).
    const trail = new AuditTrail({
      db,
      redis: scratch.redis,
      redisPrefix: scratch.redisPrefix,
      logger,
      staleAfterMs: 0,
      appliers: {
        CONTENT_HIDDEN: async (command) => {
          const id = String(command.targetId);
          applied.set(id, 1); // idempotent: a set, not an increment
          if (dying) throw new Error('process killed mid-way');
          return true;
        },
      },
    });
    await trail.ensureIndexes();
    const intent = { actorId: '000000000000000000000001', action: 'CONTENT_HIDDEN' as const, targetType: 'COMMENT' as const, targetId: 'c1', reason: 'abuse' };
    await expect(trail.record(intent, { targetId: 'c1' })).rejects.toThrow('process killed mid-way');
    // Nothing on the stream yet; the pending entry is in the outbox.
    expect(await entriesOnStream(scratch.redis, scratch.redisPrefix)).toEqual([]);
    expect(await db.collection('audit_outbox').countDocuments({ state: 'pending' })).toBe(1);

    // The restarted process recovers: applies again (idempotently) and appends the entry once.
    dying = false;
    const outcome = await trail.recover(new Date(Date.now() + 1_000));
    expect(outcome).toEqual({ reapplied: 1, dropped: 0, published: 1 });
    expect(applied.get('c1')).toBe(1);
    const entries = await entriesOnStream(scratch.redis, scratch.redisPrefix);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'CONTENT_HIDDEN', targetType: 'COMMENT', targetId: 'c1', reason: 'abuse', actorId: intent.actorId });
    expect(await db.collection('audit_outbox').countDocuments({})).toBe(0);
    // Recovering again finds nothing more to do.
    expect(await trail.recover(new Date(Date.now() + 1_000))).toEqual({ reapplied: 0, dropped: 0, published: 0 });
    expect(await entriesOnStream(scratch.redis, scratch.redisPrefix)).toHaveLength(1);
  });

  it('should keep nothing when the applier refuses (a GraphQL error): the action did not happen', async () => {
    const db = scratch.db('refusal');
    const trail = new AuditTrail({
      db,
      redis: scratch.redis,
      redisPrefix: `${scratch.redisPrefix}refusal:`,
      logger,
      appliers: {
        CONTENT_RESTORED: async () => {
          throw new GraphQLError('no such content', { extensions: { code: 'NOT_FOUND' } });
        },
      },
    });
    await trail.ensureIndexes();
    await expect(trail.record({ actorId: '000000000000000000000001', action: 'CONTENT_RESTORED', targetType: 'ARTICLE', targetId: 'a1' }, {})).rejects.toThrow(
      'no such content',
    );
    expect(await db.collection('audit_outbox').countDocuments({})).toBe(0);
    expect(await entriesOnStream(scratch.redis, `${scratch.redisPrefix}refusal:`)).toEqual([]);
  });
});
