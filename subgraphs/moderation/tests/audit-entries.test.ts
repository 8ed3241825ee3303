import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scratchSuite } from '@stagelives/devkit';
import { AuditEntryRepository } from '../src/audit/audit-entry.repository.js';
import { AuditService } from '../src/audit/audit.service.js';

describe('audit entries on FerretDB', () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri') });

  it('should create the indexes, also on a restart', async () => {
    const setup = () => new AuditEntryRepository(scratch.db('moderation')).ensureIndexes();
    await setup();
    await setup();
    const names = (await scratch.db('moderation').collection('audit_entries').listIndexes().toArray()).map((i) => i.name).sort();
    expect(names).toEqual(['_id_', 'actor_createdAt_id', 'createdAt_id', 'target_createdAt_id']);
  });

  it('should keep an entry once per entryId and page newest first across equal times', async () => {
    const audit = new AuditService(new AuditEntryRepository(scratch.db('paging')));
    const at = '2031-01-01T00:00:00.000Z';
    const entry = (entryId: string, time = at) =>
      ({ entryId, actorId: 'a', action: 'CONTENT_HIDDEN', targetType: 'COMMENT', targetId: 't', reason: null, details: {}, at: time }) as const;
    expect(await audit.keep(entry('e1'))).toBe(true);
    expect(await audit.keep(entry('e1'))).toBe(false);
    await audit.keep(entry('e2'));
    await audit.keep(entry('e3', '2031-01-02T00:00:00.000Z'));
    const first = await audit.log({ first: 2 });
    expect(first.edges.map((e) => e.node.id)).toEqual(['e3', 'e2']);
    expect(first.totalCount).toBe(3);
    const rest = await audit.log({ first: 2, after: first.pageInfo.endCursor });
    expect(rest.edges.map((e) => e.node.id)).toEqual(['e1']);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });
});
