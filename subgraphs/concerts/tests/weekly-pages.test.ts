import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ObjectId, type CommandStartedEvent } from 'mongodb';
import { connectMongo, type Mongo } from '@stagelives/platform';
import { scratchSuite } from '@stagelives/devkit';
import { ConcertCountCache, invalidateConcertCounts } from '../src/concert/concert-count.cache.js';
import { effectiveStatus } from '../src/concert/concert-status.js';
import { ConcertRepository, startsWeekOf, type ConcertQuery } from '../src/concert/concert.repository.js';
import type { ConcertDocument } from '../src/concert/concert.type.js';

const NOW = new Date('2030-06-15T12:00:00Z');

/**
 * Concerts clustered and spread: a dense month (several a day, some at the same instant), a few
 * lone ones months apart, a cancelled one, and some already over at NOW.
 */
function plannedConcerts(): Array<Omit<ConcertDocument, '_id' | 'startsWeek'>> {
  const starts: Date[] = [];
  for (let d = 0; d < 30; d += 1) for (let k = 0; k < 3; k += 1) starts.push(new Date(Date.UTC(2030, 5, 1 + d, 10 + (k === 2 ? 0 : k))));
  for (const month of [0, 2, 9, 11]) starts.push(new Date(Date.UTC(2030, month, 5, 20)));
  starts.push(new Date(Date.UTC(2031, 7, 1, 19)), new Date(Date.UTC(2029, 11, 31, 23, 59)));
  return starts.map((startsAt, i) => {
    const effectiveEndsAt = new Date(startsAt.getTime() + 3 * 3600_000);
    const status = i % 17 === 0 ? 'CANCELLED' : effectiveStatus({ status: 'UPCOMING', startsAt, effectiveEndsAt }, NOW);
    return {
      title: `Night ${i}`,
      description: null,
      artist: i % 2 ? 'IU' : 'Day6',
      artistKey: i % 2 ? 'iu' : 'day6',
      venue: 'Hall',
      startsAt,
      endsAt: effectiveEndsAt,
      ticketOpenAt: null,
      status,
      effectiveEndsAt,
      posterUrl: null,
      likeCount: 0,
      createdBy: new ObjectId(),
      createdAt: NOW,
      updatedAt: NOW,
    };
  });
}

describe('concert pages read week by week', () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri'), redisUrl: inject('redisUrl') });
  let mongo: Mongo;
  let weekly: ConcertRepository;
  let plain: ConcertRepository;
  const commands: CommandStartedEvent[] = [];

  beforeAll(async () => {
    // Our own client on the scratch databases, to see the commands the weekly reads send.
    mongo = await connectMongo(inject('mongoUri'), { dbPrefix: scratch.prefix, monitorCommands: true });
    mongo.client.on('commandStarted', (e) => commands.push(e));
    const db = mongo.db('concerts');
    weekly = new ConcertRepository(db, { counts: new ConcertCountCache(scratch.redis, scratch.redisPrefix), weeklyPages: true });
    plain = new ConcertRepository(db);
    await weekly.ensureIndexes();
    for (const doc of plannedConcerts()) await weekly.insert(doc);
  });
  afterAll(() => mongo?.close());

  /** Every page of `query`, `size` at a time, through the cursor the service hands out: the ids in order. */
  async function walk(repo: ConcertRepository, query: ConcertQuery, size: number): Promise<string[]> {
    const ids: string[] = [];
    let after: { value: Date; id: ObjectId } | null = null;
    for (;;) {
      const page = await repo.page(query, size, after);
      ids.push(...page.slice(0, size).map((d) => d._id.toHexString()));
      if (page.length <= size) return ids;
      const last = page[size - 1]!;
      after = { value: last.startsAt, id: last._id };
    }
  }

  /** What the list holds, in (startsAt, _id) order, computed here from every stored concert. */
  async function expected(keep: (doc: ConcertDocument) => boolean): Promise<string[]> {
    const all = await plain.collection.find({}).toArray();
    return all
      .filter(keep)
      .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a._id.toHexString().localeCompare(b._id.toHexString()))
      .map((d) => d._id.toHexString());
  }

  it('should list the same concerts in the same order as one sorted query, page after page, for every filter', async () => {
    const from = new Date('2030-06-10T00:00:00Z');
    const to = new Date('2030-10-05T20:00:00Z');
    const cases: Array<[ConcertQuery, (d: ConcertDocument) => boolean]> = [
      [{ now: NOW }, () => true],
      [{ now: NOW, from, to }, (d) => d.startsAt >= from && d.startsAt < to],
      [{ now: NOW, from }, (d) => d.startsAt >= from],
      [{ now: NOW, to }, (d) => d.startsAt < to],
      [{ now: NOW, status: 'UPCOMING' }, (d) => effectiveStatus(d, NOW) === 'UPCOMING'],
      [{ now: NOW, status: 'COMPLETED' }, (d) => effectiveStatus(d, NOW) === 'COMPLETED'],
      [{ now: NOW, status: 'CANCELLED' }, (d) => d.status === 'CANCELLED'],
      [{ now: NOW, artistKey: 'iu', from }, (d) => d.artistKey === 'iu' && d.startsAt >= from],
    ];
    for (const [query, keep] of cases) {
      const want = await expected(keep);
      expect(want.length).toBeGreaterThan(0);
      for (const size of [1, 7, 20, 200]) {
        expect(await walk(weekly, query, size), `${JSON.stringify(query)}, ${size} a page`).toEqual(want);
      }
    }
    expect(await walk(plain, { now: NOW }, 20)).toEqual(await expected(() => true));
  });

  it('should read the first page as one startsWeek equality per week it needs, never the whole collection', async () => {
    await weekly.page({ now: NOW }, 20); // the histogram, once
    commands.length = 0;
    const page = await weekly.page({ now: NOW, from: new Date('2030-06-01T00:00:00Z') }, 20);
    expect(page).toHaveLength(21);
    const finds = commands.filter((e) => e.commandName === 'find');
    expect(commands.map((e) => e.commandName)).toEqual(finds.map(() => 'find'));
    // 21 concerts at three a day from June 1st: the weeks holding June 1st to 7th, no more.
    const weeks = finds.map((e) => e.command.filter.startsWeek).sort();
    expect(weeks).toEqual([...new Set([0, 6].map((d) => startsWeekOf(new Date(Date.UTC(2030, 5, 1 + d)))))].sort());
  });

  it('should see a write at once: a concert added in a new week, one moved to another week, one deleted', async () => {
    const first = async () => (await weekly.page({ now: NOW }, 3)).slice(0, 3).map((d) => d.title);
    expect(await first()).toEqual(['Night 95', 'Night 90', 'Night 91']);
    const early = await weekly.insert({ ...plannedConcerts()[0]!, title: 'Early', startsAt: new Date('2028-01-01T00:00:00Z') });
    expect(await first()).toEqual(['Early', 'Night 95', 'Night 90']);
    const moved = (await weekly.page({ now: NOW }, 2))[1]!;
    await weekly.updateReturningBefore(moved._id, { startsAt: new Date('2032-01-01T00:00:00Z') });
    expect(await first()).toEqual(['Early', 'Night 90', 'Night 91']);
    expect((await weekly.page({ now: NOW, from: new Date('2031-12-31T00:00:00Z') }, 5)).map((d) => d.title)).toEqual(['Night 95']);
    await weekly.delete(early._id);
    expect(await first()).toEqual(['Night 90', 'Night 91', 'Night 0']);
  });

  it('should still list a concert written without startsWeek, and read by weeks again once start-up fills it', async () => {
    const outsider = { ...plannedConcerts()[0]!, _id: new ObjectId(), title: 'Outsider', startsAt: new Date('2027-05-05T00:00:00Z') };
    await plain.collection.insertOne(outsider);
    // What a writer around the repository does after its write (seeding scripts, migrations).
    await invalidateConcertCounts(scratch.redis, scratch.redisPrefix);
    expect((await weekly.page({ now: NOW }, 1))[0]!.title).toBe('Outsider');
    expect(await weekly.fillStartsWeeks()).toBe(1);
    commands.length = 0;
    expect((await weekly.page({ now: NOW }, 1))[0]!.title).toBe('Outsider');
    const finds = commands.filter((e) => e.commandName === 'find');
    expect(finds.length).toBeGreaterThan(0);
    expect(finds.every((e) => typeof e.command.filter.startsWeek === 'number')).toBe(true);
    expect(await weekly.fillStartsWeeks()).toBe(0);
  });
});
