import { createHash } from 'node:crypto';
import { ensureIndexes, expiryIndex, findByIds } from '@stagelives/platform';
import type { Collection, Db } from 'mongodb';
import { LEDGER_RETENTION_MS } from '../reminder/reminder.rules.js';
import { insertNew } from '../store/mongo-bulk.js';

export const PUSH_CLAIMS_COLLECTION = 'push_claims';
export const PUSH_RECEIPTS_COLLECTION = 'push_receipts';

/**
 * The ledger's database: the notifications database's name + `_ledger`, on the same client
 * (`<prefix>notifications_ledger`). Half of the documents a push writes are ledger entries, and
 * FerretDB (SQLite) serialises the writes of one database: in a database of its own they no
 * longer queue behind the outcomes and in-app notifications (measured: ~10 % more pushes/s on average,
 * docs/notifications.md). On MongoDB it is just another database of the deployment.
 */
export function ledgerDatabase(notifications: Db): Db {
  return notifications.client.db(`${notifications.databaseName}_ledger`);
}

/** The ledger key of one push: `<reminder id>.<22 characters of SHA-256(token)>`. */
export function ledgerKey(reminderId: string, token: string): string {
  return `${reminderId}.${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;
}

/** "This worker is about to push reminder R to device D": inserted before the push. */
export interface PushClaimDocument {
  _id: string;
  reminderId: string;
  userId: string;
  token: string;
  claimedAt: Date;
  expireAt: Date;
}

/** What a push came to: `SENT`, or the failure that ends the device's part of the reminder. */
export type PushReceiptResult = 'SENT' | 'UNREGISTERED' | 'INVALID' | 'PERMANENT' | 'TRANSIENT';

/** The result of a claimed push, inserted after FCM answered (same key as the claim). */
export interface PushReceiptDocument {
  _id: string;
  reminderId: string;
  result: PushReceiptResult;
  messageId: string | null;
  error: string | null;
  at: Date;
  expireAt: Date;
}

/**
 * The push ledger, keyed by (reminder, device): a claim is written before a push and a receipt
 * after FCM answered. A push with a receipt is never sent again; a claim without one was in
 * flight when its worker died (or failed transiently) and is sent again by whoever next holds
 * the reminder, with the same collapse key, so the device shows it once. Both are inserts.
 */
export class PushLedgerRepository {
  readonly claims: Collection<PushClaimDocument>;
  readonly receipts: Collection<PushReceiptDocument>;

  constructor(db: Db) {
    this.claims = db.collection<PushClaimDocument>(PUSH_CLAIMS_COLLECTION);
    this.receipts = db.collection<PushReceiptDocument>(PUSH_RECEIPTS_COLLECTION);
  }

  async ensureIndexes(ttl: boolean): Promise<void> {
    const expiry = expiryIndex(ttl);
    await ensureIndexes(this.claims, [{ key: { reminderId: 1 }, name: 'reminderId' }, expiry]);
    await ensureIndexes(this.receipts, [{ key: { reminderId: 1 }, name: 'reminderId' }, expiry]);
  }

  /** Claims pushes; returns the keys this call claimed (the others were claimed before). */
  async claim(entries: ReadonlyArray<{ reminderId: string; userId: string; token: string }>, now = new Date()): Promise<Set<string>> {
    const docs: PushClaimDocument[] = entries.map((e) => ({
      _id: ledgerKey(e.reminderId, e.token),
      ...e,
      claimedAt: now,
      expireAt: new Date(now.getTime() + LEDGER_RETENTION_MS),
    }));
    const inserted = await insertNew(this.claims, docs);
    return new Set([...inserted].map((i) => docs[i]!._id));
  }

  /** Receipts by ledger key. */
  async receiptsOf(keys: readonly string[]): Promise<Map<string, PushReceiptDocument>> {
    const docs = await findByIds(this.receipts, keys);
    return new Map(docs.map((d) => [d._id, d]));
  }

  /** Records receipts (a key with one keeps it). */
  async record(receipts: ReadonlyArray<Omit<PushReceiptDocument, 'expireAt' | 'at'>>, now = new Date()): Promise<void> {
    await insertNew(
      this.receipts,
      receipts.map((r) => ({ ...r, at: now, expireAt: new Date(now.getTime() + LEDGER_RETENTION_MS) })),
    );
  }

  /** Claims with no receipt: pushes in flight, or lost with their worker (a scan of both; for operators and tests). */
  async unconfirmed(): Promise<PushClaimDocument[]> {
    const confirmed = new Set((await this.receipts.find({}, { projection: { _id: 1 } }).toArray()).map((r) => r._id));
    return (await this.claims.find({}).toArray()).filter((c) => !confirmed.has(c._id));
  }

  /** Account deletion: the user's claims (they hold device tokens) and their receipts. */
  async deleteByUser(userId: string): Promise<number> {
    const keys = (await this.claims.find({ userId: { $eq: userId } }, { projection: { _id: 1 } }).toArray()).map((c) => c._id);
    if (keys.length === 0) return 0;
    await this.receipts.deleteMany({ _id: { $in: keys } });
    return (await this.claims.deleteMany({ _id: { $in: keys } })).deletedCount;
  }

  async pruneExpired(now = new Date()): Promise<number> {
    const { deletedCount } = await this.claims.deleteMany({ expireAt: { $lt: now } });
    await this.receipts.deleteMany({ expireAt: { $lt: now } });
    return deletedCount;
  }
}
