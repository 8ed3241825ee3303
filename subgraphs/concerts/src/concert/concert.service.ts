import { ObjectId } from 'mongodb';
import {
  BadUserInputError,
  cleanDate,
  cleanHttpUrl,
  cleanText,
  decodeCursor,
  encodeCursor,
  pageSize,
  type Connection,
} from '@stagelives/schema';
import type { ConcertFilter, CreateConcertInput } from './concert.input.js';
import type { ConcertQuery, ConcertRepository } from './concert.repository.js';
import { Concert, ConcertStatus, type ConcertDocument } from './concert.type.js';

/** Escapes user text so it matches literally inside a regular expression. */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Status from the dates, for a concert that is not cancelled. */
export function statusAt(doc: Pick<ConcertDocument, 'startsAt' | 'endsAt' | 'status'>, now: Date, defaultDurationMs = 4 * 3600_000): ConcertStatus {
  if (doc.status === ConcertStatus.CANCELLED) return ConcertStatus.CANCELLED;
  const ends = doc.endsAt ?? new Date(doc.startsAt.getTime() + defaultDurationMs);
  if (now < doc.startsAt) return ConcertStatus.UPCOMING;
  if (now < ends) return ConcertStatus.ONGOING;
  return ConcertStatus.COMPLETED;
}

export class ConcertService {
  constructor(private readonly concerts: ConcertRepository) {}

  async create(input: CreateConcertInput, createdBy: string): Promise<ConcertDocument> {
    const startsAt = cleanDate(input.startsAt, 'input.startsAt');
    const endsAt = input.endsAt ? cleanDate(input.endsAt, 'input.endsAt') : null;
    const ticketOpenAt = input.ticketOpenAt ? cleanDate(input.ticketOpenAt, 'input.ticketOpenAt') : null;
    if (endsAt && endsAt <= startsAt) throw new BadUserInputError('input.endsAt must be after input.startsAt.', 'input.endsAt');
    if (ticketOpenAt && ticketOpenAt >= startsAt) {
      throw new BadUserInputError('input.ticketOpenAt must be before input.startsAt.', 'input.ticketOpenAt');
    }
    const now = new Date();
    const doc = {
      title: cleanText(input.title, { field: 'input.title', max: 200 }),
      description: input.description ? cleanText(input.description, { field: 'input.description', max: 5000 }) : null,
      artist: cleanText(input.artist, { field: 'input.artist', max: 100 }),
      venue: cleanText(input.venue, { field: 'input.venue', max: 200 }),
      startsAt,
      endsAt,
      ticketOpenAt,
      posterUrl: input.posterUrl ? cleanHttpUrl(input.posterUrl, 'input.posterUrl') : null,
      status: ConcertStatus.UPCOMING,
      createdBy: new ObjectId(createdBy),
      createdAt: now,
      updatedAt: now,
    };
    doc.status = statusAt(doc, now);
    return this.concerts.insert(doc);
  }

  async list(filter: ConcertFilter | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Concert>> {
    const limit = pageSize(first);
    const query: ConcertQuery = {};
    if (filter?.status) query.status = filter.status;
    if (filter?.artist) query.artistKey = cleanText(filter.artist, { field: 'filter.artist', max: 100 }).toLowerCase();
    if (filter?.from) query.from = cleanDate(filter.from, 'filter.from');
    if (filter?.to) query.to = cleanDate(filter.to, 'filter.to');
    if (filter?.search?.trim()) query.searchPattern = escapeRegExp(cleanText(filter.search, { field: 'filter.search', max: 100 }));
    let cursor;
    if (after) {
      const [ms, id] = decodeCursor(after, 2);
      if (typeof ms !== 'number' || typeof id !== 'string' || !ObjectId.isValid(id)) throw new BadUserInputError('after is not a valid cursor.', 'after');
      cursor = { startsAt: new Date(ms), id: new ObjectId(id) };
    }
    const [docs, totalCount] = await Promise.all([this.concerts.page(query, limit, cursor), this.concerts.count(query)]);
    const page = docs.slice(0, limit);
    const edges = page.map((doc) => ({ cursor: encodeCursor([doc.startsAt.getTime(), doc._id.toHexString()]), node: Concert.from(doc) }));
    return {
      edges,
      totalCount,
      pageInfo: {
        hasNextPage: docs.length > limit,
        hasPreviousPage: Boolean(after),
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }
}
