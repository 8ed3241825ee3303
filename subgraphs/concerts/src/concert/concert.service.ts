import { ObjectId } from 'mongodb';
import type { AuditTrail, UserLinkRepository } from '@stagelives/platform';
import {
  BadUserInputError,
  ConcertEventType,
  ConflictError,
  NotFoundError,
  cleanDate,
  cleanHttpUrl,
  cleanText,
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  pageSize,
  parseId,
  type ConcertDates,
  type Connection,
  connectionFromPage,
} from '@stagelives/schema';
import type { ConcertEvents } from '../events/concert-events.js';
import { effectiveEndOf, effectiveStatus } from './concert-status.js';
import type { ConcertFilter, CreateConcertInput, UpdateConcertInput } from './concert.input.js';
import type { ConcertQuery, ConcertRepository } from './concert.repository.js';
import { Concert, ConcertStatus, type ConcertDocument } from './concert.type.js';

const LIMITS = { title: 200, description: 5000, artist: 100, venue: 200, search: 100 } as const;

const optionalText = (value: string | null | undefined, field: string, max: number) => {
  if (value === null || value === undefined) return null;
  return value.trim() ? cleanText(value, { field, max }) : null;
};

function checkDates(startsAt: Date, endsAt: Date | null, ticketOpenAt: Date | null): void {
  if (endsAt && endsAt <= startsAt) throw new BadUserInputError('input.endsAt must be after input.startsAt.', 'input.endsAt');
  if (ticketOpenAt && ticketOpenAt >= startsAt) {
    throw new BadUserInputError('input.ticketOpenAt must be before input.startsAt.', 'input.ticketOpenAt');
  }
}

const datesOf = (doc: Pick<ConcertDocument, 'startsAt' | 'endsAt' | 'ticketOpenAt'>): ConcertDates => ({
  startsAt: doc.startsAt.toISOString(),
  endsAt: doc.endsAt?.toISOString() ?? null,
  ticketOpenAt: doc.ticketOpenAt?.toISOString() ?? null,
});

/**
 * Concerts and their admin-only writes. Every write is a staff action: it goes through the audit
 * trail (CONCERT_CREATED, _UPDATED, _CANCELLED, _DELETED), which applies it with the appliers
 * below — idempotent, since after a crash the trail applies a recorded action again.
 */
export class ConcertService {
  constructor(
    private readonly concerts: ConcertRepository,
    private readonly likes: UserLinkRepository,
    private readonly events: ConcertEvents,
    private readonly audit: AuditTrail,
  ) {
    audit.register({
      CONCERT_CREATED: (c) => this.applyCreate(c.doc as ConcertDocument),
      CONCERT_UPDATED: (c) => this.applyUpdate(c.id as ObjectId, c.set as Partial<ConcertDocument>, c.persistedAt as Date),
      CONCERT_CANCELLED: (c) => this.applyCancel(c.id as ObjectId, c.at as Date),
      CONCERT_DELETED: (c) => this.applyDelete(c.id as ObjectId),
    });
  }

  async create(input: CreateConcertInput, createdBy: string): Promise<ConcertDocument> {
    const startsAt = cleanDate(input.startsAt, 'input.startsAt');
    const endsAt = input.endsAt ? cleanDate(input.endsAt, 'input.endsAt') : null;
    const ticketOpenAt = input.ticketOpenAt ? cleanDate(input.ticketOpenAt, 'input.ticketOpenAt') : null;
    checkDates(startsAt, endsAt, ticketOpenAt);
    const artist = cleanText(input.artist, { field: 'input.artist', max: LIMITS.artist });
    const now = new Date();
    const doc: Omit<ConcertDocument, '_id'> = {
      title: cleanText(input.title, { field: 'input.title', max: LIMITS.title }),
      description: optionalText(input.description, 'input.description', LIMITS.description),
      artist,
      artistKey: artist.toLowerCase(),
      venue: cleanText(input.venue, { field: 'input.venue', max: LIMITS.venue }),
      startsAt,
      endsAt,
      effectiveEndsAt: effectiveEndOf(startsAt, endsAt),
      ticketOpenAt,
      posterUrl: input.posterUrl ? cleanHttpUrl(input.posterUrl, 'input.posterUrl') : null,
      status: ConcertStatus.UPCOMING,
      likeCount: 0,
      createdBy: parseId(createdBy, 'createdBy'),
      createdAt: now,
      updatedAt: now,
    };
    doc.status = effectiveStatus(doc, now);
    // The id is chosen here, so applying the recorded action again inserts nothing twice.
    const withId: ConcertDocument = { _id: new ObjectId(), ...doc };
    return this.audit.record(
      { actorId: createdBy, action: 'CONCERT_CREATED', targetType: 'CONCERT', targetId: withId._id.toHexString(), details: { title: doc.title } },
      { doc: withId },
    );
  }

  private async applyCreate(doc: ConcertDocument): Promise<ConcertDocument> {
    return (await this.concerts.findById(doc._id)) ?? this.concerts.insert(doc);
  }

  async update(id: string, input: UpdateConcertInput, actorId: string): Promise<ConcertDocument> {
    const _id = parseId(id);
    const current = await this.concerts.findById(_id);
    if (!current) throw new NotFoundError('Concert', id);
    const set: Partial<ConcertDocument> = {};
    const required = (value: string | null | undefined, field: 'title' | 'artist' | 'venue') => {
      if (value === undefined) return;
      if (value === null) throw new BadUserInputError(`input.${field} cannot be cleared.`, `input.${field}`);
      set[field] = cleanText(value, { field: `input.${field}`, max: LIMITS[field] });
    };
    required(input.title, 'title');
    required(input.artist, 'artist');
    required(input.venue, 'venue');
    if (set.artist) set.artistKey = set.artist.toLowerCase();
    if (input.description !== undefined) set.description = optionalText(input.description, 'input.description', LIMITS.description);
    if (input.posterUrl !== undefined) set.posterUrl = input.posterUrl ? cleanHttpUrl(input.posterUrl, 'input.posterUrl') : null;
    if (input.startsAt === null) throw new BadUserInputError('input.startsAt cannot be cleared.', 'input.startsAt');
    const startsAt = input.startsAt ? cleanDate(input.startsAt, 'input.startsAt') : current.startsAt;
    const endsAt = input.endsAt === undefined ? current.endsAt : input.endsAt && cleanDate(input.endsAt, 'input.endsAt');
    const ticketOpenAt = input.ticketOpenAt === undefined ? current.ticketOpenAt : input.ticketOpenAt && cleanDate(input.ticketOpenAt, 'input.ticketOpenAt');
    checkDates(startsAt, endsAt, ticketOpenAt);
    const now = new Date();
    Object.assign(set, { startsAt, endsAt, ticketOpenAt, effectiveEndsAt: effectiveEndOf(startsAt, endsAt), updatedAt: now });
    return this.audit.record(
      { actorId, action: 'CONCERT_UPDATED', targetType: 'CONCERT', targetId: id, details: { fields: Object.keys(input).sort().join(',') } },
      { id: _id, set, persistedAt: now },
    );
  }

  private async applyUpdate(_id: ObjectId, set: Partial<ConcertDocument>, now: Date): Promise<ConcertDocument> {
    const id = _id.toHexString();
    const current = await this.concerts.findById(_id);
    if (!current) throw new NotFoundError('Concert', id);
    const persisted = effectiveStatus({ ...current, ...set }, now);

    // Two steps so a concurrent cancel wins: the status is only written while it is still what we read.
    const before = await this.concerts.updateReturningBefore(_id, set);
    if (!before) throw new NotFoundError('Concert', id);
    const after: ConcertDocument = { ...before, ...set };
    if (before.status !== ConcertStatus.CANCELLED && before.status !== persisted) {
      await this.concerts.updateReturningBefore(_id, { status: persisted }, { status: { $eq: before.status } });
      after.status = persisted;
    }
    const previous = datesOf(before);
    const currentDates = datesOf(after);
    const events: Parameters<ConcertEvents['emit']> = [];
    if (JSON.stringify(previous) !== JSON.stringify(currentDates)) {
      events.push([ConcertEventType.Rescheduled, { concertId: id, previous, current: currentDates }]);
    }
    const from = effectiveStatus(before, now);
    const to = effectiveStatus(after, now);
    if (from !== to) events.push([ConcertEventType.StatusChanged, { concertId: id, from, to, cause: 'admin' }]);
    await this.events.emit(...events);
    return after;
  }

  /** Idempotent: cancelling a cancelled concert changes nothing and emits nothing. A finished concert cannot be cancelled. */
  async cancel(id: string, actorId: string): Promise<ConcertDocument> {
    const _id = parseId(id);
    const current = await this.concerts.findById(_id);
    if (!current) throw new NotFoundError('Concert', id);
    if (current.status === ConcertStatus.CANCELLED) return current;
    return this.audit.record({ actorId, action: 'CONCERT_CANCELLED', targetType: 'CONCERT', targetId: id }, { id: _id, at: new Date() });
  }

  private async applyCancel(_id: ObjectId, now: Date): Promise<ConcertDocument> {
    const id = _id.toHexString();
    const before = await this.concerts.updateReturningBefore(
      _id,
      { status: ConcertStatus.CANCELLED, updatedAt: now },
      { status: { $ne: ConcertStatus.CANCELLED }, effectiveEndsAt: { $gt: now } },
    );
    if (!before) {
      const current = await this.concerts.findById(_id);
      if (!current) throw new NotFoundError('Concert', id);
      if (current.status === ConcertStatus.CANCELLED) return current;
      throw new ConflictError('A concert that has ended cannot be cancelled.', 'id');
    }
    await this.events.emit([ConcertEventType.StatusChanged, { concertId: id, from: effectiveStatus(before, now), to: 'CANCELLED', cause: 'admin' }]);
    return { ...before, status: ConcertStatus.CANCELLED, updatedAt: now };
  }

  /**
   * Deletes the concert and its likes, then emits `concert.deleted` so the domains that keep
   * data per concert (setlists, notifications) drop theirs.
   */
  async delete(id: string, actorId: string): Promise<boolean> {
    const _id = parseId(id);
    const current = await this.concerts.findById(_id);
    if (!current) throw new NotFoundError('Concert', id);
    return this.audit.record({ actorId, action: 'CONCERT_DELETED', targetType: 'CONCERT', targetId: id, details: { title: current.title } }, { id: _id });
  }

  /** Deleting what is already gone only finishes the rest (likes, the event): applied again after a crash. */
  private async applyDelete(_id: ObjectId): Promise<boolean> {
    const id = _id.toHexString();
    await this.concerts.delete(_id);
    await this.likes.deleteByParent(_id);
    await this.events.emit([ConcertEventType.Deleted, { concertId: id }]);
    return true;
  }

  async list(filter: ConcertFilter | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Concert>> {
    const limit = pageSize(first);
    const now = new Date();
    const query: ConcertQuery = { now };
    if (filter?.status) query.status = filter.status;
    if (filter?.artist) query.artistKey = cleanText(filter.artist, { field: 'filter.artist', max: LIMITS.artist }).toLowerCase();
    if (filter?.from) query.from = cleanDate(filter.from, 'filter.from');
    if (filter?.to) query.to = cleanDate(filter.to, 'filter.to');
    if (filter?.search?.trim()) query.search = cleanText(filter.search, { field: 'filter.search', max: LIMITS.search });
    const position = after ? decodeTimeIdCursor(after) : undefined;
    const [docs, totalCount] = await Promise.all([
      this.concerts.page(query, limit, position && { value: position.time, id: position.id }),
      this.concerts.count(query),
    ]);
    return connectionFromPage(docs, {
      limit,
      after,
      totalCount,
      edge: (doc) => ({ cursor: encodeTimeIdCursor(doc.startsAt, doc._id), node: Concert.from(doc, now) }),
    });
  }
}
