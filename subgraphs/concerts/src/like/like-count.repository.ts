import { setTimeout as sleep } from 'node:timers/promises';
import type { Collection, Document, ObjectId } from 'mongodb';
import { byId } from '@stagelives/platform';
import type { ConcertDocument } from '../concert/concert.type.js';

export interface RecountResult {
  /** Concerts compared. */
  checked: number;
  /** Concerts whose stored count was set from their like documents. */
  fixed: number;
}

/**
 * Brings each concert's stored `likeCount` back to the number of its like documents (the truth):
 * FerretDB has no transactions, so a process that dies between a like's insert and its `$inc`
 * leaves the count one off, and an admin's edit racing a like (read-modify-write there) can drop
 * an increment. One `$group` over every like, one read of every concert's count.
 *
 * A like in flight (inserted, not yet counted) also looks like a difference: a concert is fixed
 * only when the difference is still there `settleMs` later, counted again for that concert
 * alone. `onlyMissing` (start-up, for documents written before the field existed) sets the
 * count of concerts that have none, at once.
 */
export async function recountLikes(
  concerts: Collection<ConcertDocument>,
  likes: Collection<Document>,
  { onlyMissing = false, settleMs = 1000 }: { onlyMissing?: boolean; settleMs?: number } = {},
): Promise<RecountResult> {
  const stored = await concerts.find(onlyMissing ? { likeCount: { $exists: false } } : {}, { projection: { _id: 1, likeCount: 1 } }).toArray();
  if (stored.length === 0) return { checked: 0, fixed: 0 };
  const counted = new Map<string, number>();
  for await (const row of likes.aggregate<{ _id: ObjectId; n: number }>([{ $group: { _id: '$concertId', n: { $sum: 1 } } }]))
    counted.set(row._id.toHexString(), row.n);
  const differing = stored.map((c) => ({ ...c, n: counted.get(c._id.toHexString()) ?? 0 })).filter((c) => c.likeCount !== c.n);
  let fixed = 0;
  if (onlyMissing) {
    for (const c of differing) {
      await concerts.updateOne(byId(c._id), { $set: { likeCount: c.n } });
      fixed += 1;
    }
    return { checked: stored.length, fixed };
  }
  if (differing.length > 0) await sleep(settleMs);
  for (const c of differing) {
    const [now, n] = await Promise.all([concerts.findOne(byId(c._id), { projection: { likeCount: 1 } }), likes.countDocuments({ concertId: { $eq: c._id } })]);
    if (!now || now.likeCount === n) continue;
    await concerts.updateOne(byId(c._id), { $set: { likeCount: n } });
    fixed += 1;
  }
  return { checked: stored.length, fixed };
}
