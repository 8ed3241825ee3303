import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import { apiSchemaOf, checkOperation, loadContract, loadPending, readSupergraph } from '@stagelives/schema/tooling';
import { ok, signUp, signUpAdmin, startStack, type Stack } from '../support/harness.js';
import { RANGE, createConcert } from './fixtures.js';

/** The operations exactly as clients send them, from contract/chat.graphql (and Concert from concerts.graphql). */
const contract = loadContract();
const operations = new Map(contract.filter((op) => op.file === 'chat.graphql').map((op) => [op.name, op]));
const op = (name: string, file = 'chat.graphql') => {
  const found = contract.find((o) => o.file === file && o.name === name);
  if (!found) throw new Error(`contract operation ${file} ${name} not found`);
  return found;
};
/** Runs a contract operation with its sample variables, overridden where ids must be real. */
const run = (stack: Stack, name: string, variables: Record<string, unknown>, token?: string, file = 'chat.graphql') =>
  ok(stack, op(name, file).source, { ...op(name, file).variables, ...variables }, token ? { token } : {});

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

describe('chat contract operations through the router', () => {
  it('should cover every operation of chat.graphql that is built (schema/contract-pending.txt lists the others)', () => {
    const pending = loadPending();
    expect([...operations.keys()].filter((name) => !pending.has(name)).sort()).toEqual(
      ['ChatMessages', 'ChatRooms', 'CreateChatRoom', 'JoinChatRoom', 'LeaveChatRoom', 'MessageAdded', 'MessageRemoved', 'SendMessage'].sort(),
    );
  });

  it('should run a concert room’s life with the contract operations, and show it on the Concert', async () => {
    const admin = await signUpAdmin(stack);
    const [host, guest] = await Promise.all([signUp(stack), signUp(stack)]);
    const concert = await createConcert(stack, admin.token, 'Seoul night 1');

    const before = await run(stack, 'Concert', { id: concert.id }, guest.token, 'concerts.graphql');
    expect(before.concert).toMatchObject({ id: concert.id, title: 'Seoul night 1', chatRoom: null });

    const sample = op('CreateChatRoom').variables.input as Record<string, unknown>;
    const { createChatRoom } = await run(stack, 'CreateChatRoom', { input: { ...sample, concertId: concert.id } }, host.token);
    expect(createChatRoom).toEqual({ id: expect.any(String), name: 'Seoul night 1 fans', memberCount: 1, viewerIsMember: true });
    const roomId = createChatRoom.id as string;

    expect((await run(stack, 'JoinChatRoom', { roomId }, guest.token)).joinChatRoom).toEqual({ id: roomId, memberCount: 2, viewerIsMember: true });

    const { sendMessage } = await run(stack, 'SendMessage', { roomId }, guest.token);
    expect(sendMessage).toEqual({
      id: expect.any(String),
      body: 'hello from the queue line',
      createdAt: expect.any(String),
      author: { id: guest.user.id, nickname: guest.nickname },
    });

    const { chatRooms } = await run(stack, 'ChatRooms', { concertId: concert.id }, host.token);
    expect(chatRooms).toEqual({
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
      edges: [
        {
          node: {
            id: roomId,
            name: 'Seoul night 1 fans',
            memberCount: 2,
            viewerIsMember: true,
            concert: { id: concert.id, title: 'Seoul night 1' },
            lastMessage: { id: sendMessage.id, body: 'hello from the queue line', createdAt: sendMessage.createdAt },
          },
        },
      ],
    });

    const { chatRoom } = await run(stack, 'ChatMessages', { roomId }, host.token);
    expect(chatRoom).toEqual({
      id: roomId,
      name: 'Seoul night 1 fans',
      messages: {
        pageInfo: { hasPreviousPage: false, startCursor: expect.any(String) },
        edges: [
          {
            cursor: chatRoom.messages.pageInfo.startCursor,
            node: {
              id: sendMessage.id,
              body: 'hello from the queue line',
              createdAt: sendMessage.createdAt,
              author: { id: guest.user.id, nickname: guest.nickname, avatarUrl: null },
            },
          },
        ],
      },
    });

    const after = await run(stack, 'Concert', { id: concert.id }, guest.token, 'concerts.graphql');
    expect(after.concert).toMatchObject({ id: concert.id, title: 'Seoul night 1', chatRoom: { id: roomId, name: 'Seoul night 1 fans', memberCount: 2 } });

    expect((await run(stack, 'LeaveChatRoom', { roomId }, guest.token)).leaveChatRoom).toEqual({ id: roomId, memberCount: 1, viewerIsMember: false });
  });

  it('should declare MessageAdded in the served graph, and resolve its selection for a stored message as the router does (over chatMessagesInRange)', async () => {
    const messageAdded = op('MessageAdded');
    expect(checkOperation(apiSchemaOf(await readSupergraph()), messageAdded)).toEqual([]);

    const fan = await signUp(stack);
    const { createChatRoom } = await run(stack, 'CreateChatRoom', { input: { name: 'Live' } }, fan.token);
    const { sendMessage } = await run(stack, 'SendMessage', { roomId: createChatRoom.id }, fan.token);
    // The subscription's own selection set, run over the range query for seq 1.
    const definition = parse(messageAdded.source).definitions[0] as OperationDefinitionNode;
    const field = definition.selectionSet.selections[0]!;
    const selection = print(field).replace(/^messageAdded\(roomId: \$roomId\)/, '');
    const query = `query($roomId: ID!, $afterSeq: Int!, $upToSeq: Int) { chatMessagesInRange(roomId: $roomId, afterSeq: $afterSeq, upToSeq: $upToSeq) ${selection} }`;
    const { chatMessagesInRange } = await ok(stack, query, { roomId: createChatRoom.id, afterSeq: 0, upToSeq: 1 });
    expect(chatMessagesInRange).toEqual([
      {
        id: sendMessage.id,
        body: 'hello from the queue line',
        createdAt: sendMessage.createdAt,
        room: { id: createChatRoom.id },
        author: { id: fan.user.id, nickname: fan.nickname, avatarUrl: null },
      },
    ]);
    expect((await ok(stack, RANGE, { roomId: createChatRoom.id, afterSeq: 0 })).chatMessagesInRange).toHaveLength(1);
  });
});
