import { ok, type Stack } from '../support/harness.js';

/** Shared operations and helpers of the chat end-to-end tests. */

export const CREATE_ROOM = 'mutation($input: CreateChatRoomInput!) { createChatRoom(input: $input) { id name memberCount viewerIsMember concert { id } } }';
export const JOIN = 'mutation($roomId: ID!) { joinChatRoom(roomId: $roomId) { id memberCount viewerIsMember } }';
export const LEAVE = 'mutation($roomId: ID!) { leaveChatRoom(roomId: $roomId) { id memberCount viewerIsMember } }';
export const SEND =
  'mutation($roomId: ID!, $body: String!) { sendMessage(roomId: $roomId, body: $body) { id seq cursor body createdAt author { id } room { id } } }';
export const ROOM =
  'query($id: ID!) { chatRoom(id: $id) { id name memberCount viewerIsMember lastSeq lastActivityAt createdAt lastMessage { id seq body } concert { id } } }';
export const RANGE =
  'query($roomId: ID!, $afterSeq: Int!, $upToSeq: Int) { chatMessagesInRange(roomId: $roomId, afterSeq: $afterSeq, upToSeq: $upToSeq) { id seq body author { id } } }';
export const PAGE = `query($id: ID!, $last: Int, $before: String, $first: Int, $after: String) {
  chatRoom(id: $id) {
    messages(last: $last, before: $before, first: $first, after: $after) {
      totalCount
      pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
      edges { cursor node { id seq body } }
    }
  }
}`;

export interface Room {
  id: string;
  name: string;
  memberCount: number;
  viewerIsMember: boolean;
  concert: { id: string } | null;
}

let rooms = 0;
export async function createRoom(stack: Stack, token: string, input: { name?: string; concertId?: string | null } = {}): Promise<Room> {
  const { createChatRoom } = await ok<{ createChatRoom: Room }>(stack, CREATE_ROOM, { input: { name: `Room ${(rooms += 1)}`, ...input } }, { token });
  return createChatRoom;
}

export async function join(stack: Stack, token: string, roomId: string): Promise<{ id: string; memberCount: number; viewerIsMember: boolean }> {
  return (await ok(stack, JOIN, { roomId }, { token })).joinChatRoom;
}

export interface SentMessage {
  id: string;
  seq: number;
  cursor: string;
  body: string;
  createdAt: string;
  author: { id: string };
  room: { id: string };
}

export async function send(stack: Stack, token: string, roomId: string, body: string): Promise<SentMessage> {
  return (await ok<{ sendMessage: SentMessage }>(stack, SEND, { roomId, body }, { token })).sendMessage;
}

let concerts = 0;
export async function createConcert(stack: Stack, adminToken: string, title = `Chat show ${(concerts += 1)}`): Promise<{ id: string; title: string }> {
  const { createConcert } = await ok(
    stack,
    'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id title } }',
    { input: { title, artist: 'IU', venue: 'KSPO Dome', startsAt: new Date(Date.UTC(2032, 3, 1 + concerts, 10)).toISOString() } },
    { token: adminToken },
  );
  return createConcert;
}
