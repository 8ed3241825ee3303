import type { Filter, ObjectId, UpdateFilter } from 'mongodb';

/** What moderation adds to an article or a comment (applied from the moderation stream). */
export interface Moderated {
  authorId: ObjectId;
  /** Set while staff keep it hidden: only its author sees it (marked `hidden`). */
  hiddenAt?: Date;
  /** The staff member's reason, while hidden. */
  hiddenReason?: string;
  /** When staff decided last: a decision is applied only if newer. */
  moderatedAt?: Date;
}

export const isHidden = (doc: Moderated): boolean => doc.hiddenAt instanceof Date;

/** Whether a viewer (hex id, null when anonymous) may see the document: not hidden, or theirs. */
export const visibleTo = (doc: Moderated, viewerId: string | null): boolean => !isHidden(doc) || doc.authorId.toHexString() === viewerId;

/**
 * The same as a query filter: `hiddenAt: null` is an equality (it can use an index and matches
 * documents that never had the field); the viewer's own hidden documents are included.
 */
export function visibleFilter<T extends Moderated>(viewerId: ObjectId | null | undefined): Filter<T> {
  const shown = { hiddenAt: null } as Filter<T>;
  return (viewerId ? { $or: [shown, { authorId: { $eq: viewerId } }] } : shown) as Filter<T>;
}

/** The update that applies a decision taken at `at`, only to a document whose last decision is older. */
export function moderationUpdate<T extends Moderated>(hidden: boolean, reason: string | null, at: Date): { newer: Filter<T>; update: UpdateFilter<T> } {
  const newer = { $or: [{ moderatedAt: { $exists: false } }, { moderatedAt: { $lt: at } }] } as Filter<T>;
  const update = hidden
    ? { $set: { hiddenAt: at, hiddenReason: reason ?? '', moderatedAt: at } }
    : { $set: { moderatedAt: at }, $unset: { hiddenAt: 1 as const, hiddenReason: 1 as const } };
  return { newer, update: update as UpdateFilter<T> };
}

/** Whether the viewer acts on someone else's content (an admin): a staff action, recorded in the audit trail. */
export const actsAsStaff = (viewerId: string, authorId: ObjectId): boolean => viewerId !== authorId.toHexString();
