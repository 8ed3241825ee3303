import { requireSelfOrAdmin } from '@stagelives/platform/subgraph';
import {
  BadUserInputError,
  connectionFromPage,
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  isObjectIdHex,
  pageSize,
  type Connection,
  type Identity,
} from '@stagelives/schema';
import { ObjectId } from 'mongodb';
import type { NotificationRepository } from './notification.repository.js';
import type { NotificationDocument } from './notification.type.js';

/** At most this many ids per markNotificationsRead. */
const MARK_READ_MAX_IDS = 500;
/** At most this many ids per `notificationsAdded` (the router reads one event's notification at a time). */
export const ADDED_MAX_IDS = 100;

export interface NotificationView {
  notification: NotificationDocument;
  readAt: Date | null;
}

/** The in-app notifications of a user: pages, counts, read marks. */
export class NotificationService {
  constructor(private readonly repository: NotificationRepository) {}

  /** Newest first, keyset-paged on (createdAt, id). Only the user and admins may read them. */
  async page(viewer: Identity, userId: string, first: number | null | undefined, after: string | null | undefined): Promise<Connection<NotificationView>> {
    requireSelfOrAdmin(viewer, userId, 'Only you can see your notifications.');
    const limit = pageSize(first);
    const position = after ? decodeTimeIdCursor(after) : undefined;
    const docs = await this.repository.page(userId, limit, position && { value: position.time, id: position.id });
    const reads = await this.repository.readsOf(docs.slice(0, limit).map((d) => d._id));
    return connectionFromPage(docs, {
      limit,
      after,
      // Counted only when asked (NotificationConnection's field resolvers).
      totalCount: 0,
      edge: (doc) => ({ cursor: encodeTimeIdCursor(doc.createdAt, doc._id), node: { notification: doc, readAt: reads.get(doc._id.toHexString()) ?? null } }),
    });
  }

  /**
   * The router's read for `notificationAdded`: the viewer's own notifications among `ids`, oldest
   * first, with their read marks. Another user's id, an unknown or a malformed one gives nothing.
   */
  async added(viewer: Identity, ids: readonly string[]): Promise<NotificationView[]> {
    if (ids.length > ADDED_MAX_IDS) throw new BadUserInputError(`At most ${ADDED_MAX_IDS} ids at a time.`, 'ids');
    const valid = ids.filter(isObjectIdHex).map((id) => new ObjectId(id));
    if (valid.length === 0) return [];
    const docs = await this.repository.findOwn(viewer.userId, valid);
    const reads = await this.repository.readsOf(docs.map((d) => d._id));
    return docs
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.toHexString().localeCompare(b._id.toHexString()))
      .map((doc) => ({ notification: doc, readAt: reads.get(doc._id.toHexString()) ?? null }));
  }

  totalCount(userId: string): Promise<number> {
    return this.repository.count(userId);
  }

  /** Notifications not marked read: every notification minus the read marks (each mark is of one of them, and both expire together). */
  async unreadCount(userId: string): Promise<number> {
    const [all, read] = await Promise.all([this.repository.count(userId), this.repository.countReads(userId)]);
    return Math.max(0, all - read);
  }

  /**
   * Marks the viewer's notifications among `ids` read (all of them when `ids` is null or absent)
   * and returns how many changed: unknown ids, other users' and already read ones do not count.
   * Exact under concurrent calls (one insert per read mark; the unique id decides).
   */
  async markRead(viewer: Identity, ids: readonly string[] | null | undefined): Promise<number> {
    if (ids === null || ids === undefined) return this.repository.markRead(viewer.userId, null);
    if (ids.length > MARK_READ_MAX_IDS) throw new BadUserInputError(`At most ${MARK_READ_MAX_IDS} ids at a time.`, 'ids');
    ids.forEach((id, i) => {
      if (!isObjectIdHex(id)) throw new BadUserInputError(`ids[${i}] is not a valid id.`, `ids[${i}]`);
    });
    if (ids.length === 0) return 0;
    return this.repository.markRead(
      viewer.userId,
      ids.map((id) => new ObjectId(id)),
    );
  }
}
