import { createByIdLoader } from '@stagelives/platform/subgraph';
import type { ChatRoomRepository } from './chat-room.repository.js';

/** Rooms by id: one `$in` query per batch. */
export function createChatRoomLoader(rooms: ChatRoomRepository) {
  return createByIdLoader(
    (ids) => rooms.findByIds(ids),
    (room) => room._id,
  );
}

/** Rooms by concert id (null until someone creates the concert's room): one `$in` query per batch. */
export function createConcertChatRoomLoader(rooms: ChatRoomRepository) {
  return createByIdLoader(
    (concertIds) => rooms.findByConcertIds(concertIds),
    (room) => room.concertId!,
  );
}
