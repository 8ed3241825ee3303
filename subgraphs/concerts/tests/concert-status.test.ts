import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scratchSuite } from '@stagelives/devkit';
import { CONCERT_STATUSES } from '@stagelives/schema';
import { concertFilter } from '../src/concert/concert.repository.js';
import { effectiveEndOf, effectiveStatus, statusCondition, type StatusFields } from '../src/concert/concert-status.js';

const HOUR = 3600_000;
const NOW = new Date('2030-06-01T12:00:00Z');
const STATUSES = CONCERT_STATUSES;

describe('concert status rules', () => {
  const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri') });

  it('should filter in the database exactly as the status is computed, at the boundaries too', async () => {
    // Every stored status × start/end around now, with and without an explicit end.
    const docs: Array<StatusFields & { n: number }> = [];
    let n = 0;
    for (const status of STATUSES) {
      for (const start of [-6, -4, -1, 0, 1]) {
        for (const end of [null, -2, 0, 2]) {
          const startsAt = new Date(NOW.getTime() + start * HOUR);
          const endsAt = end === null ? null : new Date(NOW.getTime() + end * HOUR);
          if (endsAt && endsAt <= startsAt) continue;
          docs.push({ n: (n += 1), status, startsAt, effectiveEndsAt: effectiveEndOf(startsAt, endsAt) });
        }
      }
    }
    const col = scratch.db('rules').collection<StatusFields & { n: number }>('concerts');
    await col.insertMany(docs.map((d) => ({ ...d })));
    for (const status of STATUSES) {
      const found = (await col.find(statusCondition(status, NOW)).toArray()).map((d) => d.n).sort((a, b) => a - b);
      const expected = docs.filter((d) => effectiveStatus(d, NOW) === status).map((d) => d.n);
      expect(found, status).toEqual(expected);
      expect(expected.length, status).toBeGreaterThan(0);
    }
  });

  it('should keep a cancelled concert cancelled and use the default duration without an end', () => {
    const startsAt = new Date(NOW.getTime() - 3 * HOUR);
    expect(effectiveStatus({ status: 'CANCELLED', startsAt, effectiveEndsAt: effectiveEndOf(startsAt, null) }, NOW)).toBe('CANCELLED');
    expect(effectiveStatus({ status: 'UPCOMING', startsAt, effectiveEndsAt: effectiveEndOf(startsAt, null) }, NOW)).toBe('ONGOING');
    expect(effectiveStatus({ status: 'UPCOMING', startsAt, effectiveEndsAt: effectiveEndOf(startsAt, new Date(NOW.getTime() - HOUR)) }, NOW)).toBe('COMPLETED');
  });
});

describe(concertFilter.name, () => {
  it('should search with $text where the server supports it', () => {
    expect(concertFilter({ now: NOW, search: 'golden hour' }, true)).toEqual({ $and: [{ $text: { $search: 'golden hour' } }] });
  });

  it('should fall back to an escaped, case-insensitive $regex over title, artist and description', () => {
    const re = { $regex: 'C\\+\\+ \\(live\\) \\.\\*', $options: 'i' };
    expect(concertFilter({ now: NOW, search: 'C++ (live) .*' }, false)).toEqual({ $and: [{ $or: [{ title: re }, { artist: re }, { description: re }] }] });
    expect(new RegExp(re.$regex, re.$options).test('x c++ (LIVE) .* y')).toBe(true);
    expect(new RegExp(re.$regex, re.$options).test('c live anything')).toBe(false);
  });
});
