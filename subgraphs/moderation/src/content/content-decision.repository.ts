import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '@stagelives/platform';
import type { ContentDecisionDocument } from './content-decision.type.js';

/** The `content_decisions` collection: the latest decision per target. */
export class ContentDecisionRepository {
  readonly collection: Collection<ContentDecisionDocument>;

  constructor(db: Db) {
    this.collection = db.collection<ContentDecisionDocument>('content_decisions');
  }

  /** `_id` is the key; no other index is needed. */
  async ensureIndexes(): Promise<void> {}

  /**
   * Stores the decision unless a newer one is there (idempotent: the same decision again changes
   * nothing). Upsert by target; two racing inserts make one fail on `_id`, which means another
   * decision is stored: it is taken again as an update, conditioned on time.
   */
  async upsertIfNewer(doc: ContentDecisionDocument): Promise<void> {
    const { _id, ...fields } = doc;
    const attempt = () => this.collection.updateOne({ _id, at: { $lte: doc.at } }, { $set: fields }, { upsert: true });
    try {
      await attempt();
    } catch (error) {
      // The target has a decision newer than this one (the filter missed it, the insert collided).
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  findById(id: string): Promise<ContentDecisionDocument | null> {
    return this.collection.findOne({ _id: { $eq: id } });
  }
}
