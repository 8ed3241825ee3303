import DataLoader from 'dataloader';
import { createByIdLoader } from '@stagelives/platform/subgraph';
import { tryParseId } from '@stagelives/schema';
import type { ObjectId } from 'mongodb';
import type { ChatMessageRepository } from './chat-message.repository.js';
import type { ChatMessageDocument } from './chat-message.type.js';

/** A room as the newest-message lookup needs it: its id and its stored newest-seq hint. */
export interface RoomSeqHint {
  id: string;
  lastSeqHint: number;
}

/** Messages by id: one `$in` query per batch. */
export function createChatMessageLoader(messages: ChatMessageRepository) {
  return createByIdLoader(
    (ids) => messages.findByIds(ids),
    (message) => message._id,
  );
}

/** The newest message of each room (null before the first), keyed by room id: one query per batch. */
export function createNewestMessageLoader(messages: ChatMessageRepository) {
  return new DataLoader<RoomSeqHint, ChatMessageDocument | null, string>(
    async (rooms) => {
      const valid = rooms.flatMap((room) => {
        const roomId = tryParseId(room.id);
        return roomId ? [{ roomId, fromSeq: room.lastSeqHint }] : ([] as Array<{ roomId: ObjectId; fromSeq: number }>);
      });
      const newest = await messages.newestByRooms(valid);
      return rooms.map((room) => newest.get(room.id.toLowerCase()) ?? null);
    },
    { cacheKeyFn: (room) => room.id.toLowerCase() },
  );
}
