import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { GraphQLError } from 'graphql';
import { ObjectId } from 'mongodb';
import { createRedis, UserLinkRepository, type Logger } from '@stagelives/platform';
import { scratchSuite } from '@stagelives/devkit';
import { ChatEventType, type ChatEvent, type Identity } from '@stagelives/schema';
import { ChatMessageRepository } from '../src/chat-message/chat-message.repository.js';
import { ChatMessageService, type SeqRetryPolicy } from '../src/chat-message/chat-message.service.js';
import { ChatRoomRepository } from '../src/chat-room/chat-room.repository.js';
import { ChatRoomService } from '../src/chat-room/chat-room.service.js';
import { ChatEvents, type ChatEventPublisher } from '../src/events/chat-events.js';
import { MembershipService } from '../src/membership/membership.service.js';
import { ChatMuteRepository } from '../src/mute/chat-mute.repository.js';

/** The message store on the suite's real FerretDB, without GraphQL or the router. */
const scratch = scratchSuite({ beforeAll, afterAll }, { mongoUri: inject('mongoUri') });
let repos: { rooms: ChatRoomRepository; messages: ChatMessageRepository; memberships: UserLinkRepository; mutes: ChatMuteRepository };
beforeAll(async () => {
  const db = scratch.db('chat');
  repos = {
    rooms: new ChatRoomRepository(db),
    messages: new ChatMessageRepository(db),
    memberships: new UserLinkRepository(db, 'memberships', 'roomId'),
    mutes: new ChatMuteRepository(db),
  };
});

const logger = () => ({ warn: vi.fn(), info: vi.fn(), debug: vi.fn(), error: vi.fn() }) as unknown as Logger & { warn: ReturnType<typeof vi.fn> };
const viewer = (userId = new ObjectId().toHexString()): Identity => ({ userId, roles: ['USER'] }) as Identity;

function services(events: ChatEventPublisher, log: Logger = logger(), seqRetry?: SeqRetryPolicy, messages = repos.messages) {
  const rooms = new ChatRoomService(repos);
  const memberships = new MembershipService(rooms, repos.memberships, events);
  return {
    rooms,
    memberships,
    messages: new ChatMessageService({ rooms: repos.rooms, messages, mutes: repos.mutes }, rooms, memberships, events, log, seqRetry),
  };
}

async function roomWithMembers(n: number, s = services({ publish: async () => undefined })) {
  const members = Array.from({ length: n }, () => viewer());
  const room = await s.rooms.create(members[0]!, { name: 'Store test' });
  for (const m of members.slice(1)) await s.memberships.join(m.userId, room._id.toHexString());
  return { room, members, roomId: room._id.toHexString() };
}

describe('message store', () => {
  it('should create its indexes, and again on a restart against existing data', async () => {
    const setup = () => Promise.all([repos.rooms.ensureIndexes(), repos.messages.ensureIndexes(), repos.memberships.ensureIndexes()]);
    await setup();
    await setup();
    const names = async (col: string) => (await scratch.db('chat').collection(col).listIndexes().toArray()).map((i) => i.name).sort();
    expect(await names('rooms')).toEqual(['_id_', 'concert_unique', 'lastActivityAt_id']);
    expect(await names('messages')).toEqual(['_id_', 'room_seq_unique']);
    expect(await names('memberships')).toEqual(['_id_', 'room_user_unique', 'user_createdAt_id']);
  });

  it('should number 60 parallel sends from two instances 1..60, publishing each only once it is readable', async () => {
    const published: ChatEvent[] = [];
    const events: ChatEventPublisher = {
      publish: async (event) => {
        if (event.type === ChatEventType.MessageAdded) {
          // Store first, then publish: the message must already be there.
          const doc = await repos.messages.collection.findOne({ _id: new ObjectId(event.messageId) });
          expect(doc?.seq).toBe(event.seq);
        }
        published.push(event);
      },
    };
    let inserts = 0;
    const counting = Object.assign(Object.create(repos.messages) as ChatMessageRepository, {
      insertRun: (docs: Parameters<ChatMessageRepository['insertRun']>[0]) => {
        inserts += 1;
        return repos.messages.insertRun(docs);
      },
    });
    // Two chat instances (each with its own per-room queue) race for the same room's seqs.
    const [one, two] = [services(events, logger(), undefined, counting), services(events, logger(), undefined, counting)];
    const { roomId, members } = await roomWithMembers(4, one);
    const sent = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).messages.send(members[i % 4]!, roomId, `message ${i}`)));
    const seqs = sent.map((m) => m.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(inserts).toBeGreaterThanOrEqual(2);
    expect(published.map((e) => (e.type === ChatEventType.MessageAdded ? e.seq : 0)).sort((a, b) => a - b)).toEqual(seqs);
    const stored = await repos.messages.range(new ObjectId(roomId), 0, null, 200);
    expect(stored.map((m) => m.seq)).toEqual(seqs);
    expect(new Set(stored.map((m) => m.body)).size).toBe(60);
    // The room's hints point at a stored seq at most the newest, and the newest-message lookup is exact.
    const room = await repos.rooms.findById(new ObjectId(roomId));
    expect(room!.lastSeqHint).toBeGreaterThanOrEqual(1);
    expect(room!.lastSeqHint).toBeLessThanOrEqual(60);
    expect((await repos.messages.newestByRooms([{ roomId: room!._id, fromSeq: room!.lastSeqHint }])).get(roomId)?.seq).toBe(60);
    expect(await repos.messages.maxSeq(room!._id)).toBe(60);
  });

  it('should not race itself: one instance stores a burst of 200 with a few inserts and one read of the newest seq', async () => {
    let inserts = 0;
    let reads = 0;
    const counting = Object.assign(Object.create(repos.messages) as ChatMessageRepository, {
      insertRun: (docs: Parameters<ChatMessageRepository['insertRun']>[0]) => {
        inserts += 1;
        return repos.messages.insertRun(docs);
      },
      maxSeq: (roomId: Parameters<ChatMessageRepository['maxSeq']>[0]) => {
        reads += 1;
        return repos.messages.maxSeq(roomId);
      },
    });
    const s = services({ publish: async () => undefined }, logger(), undefined, counting);
    const { roomId, members } = await roomWithMembers(2, s);
    const sent = await Promise.all(Array.from({ length: 200 }, (_, i) => s.messages.send(members[i % 2]!, roomId, `burst ${i}`)));
    expect(sent.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // Group commit: sends that wait while an insert runs go in the next one (at most 100 each).
    expect(inserts).toBeGreaterThanOrEqual(2);
    expect(inserts).toBeLessThanOrEqual(10);
    expect(reads).toBe(1);
    // Each body once, at the seq its send answered.
    const stored = await repos.messages.range(new ObjectId(roomId), 0, null, 200);
    expect(new Map(stored.map((m) => [m.seq, m.body]))).toEqual(new Map(sent.map((m) => [m.seq, m.body])));
    expect(new Set(stored.map((m) => m.body)).size).toBe(200);
    // The next send follows on without reading the newest seq again.
    expect((await s.messages.send(members[0]!, roomId, 'after the burst')).seq).toBe(201);
    expect(reads).toBe(1);
  });

  it('should read again and take the next seq when another instance stored the one it tried', async () => {
    const { roomId, members } = await roomWithMembers(1);
    const room = new ObjectId(roomId);
    const rival = new ObjectId();
    let first = true;
    const losing = Object.assign(Object.create(repos.messages) as ChatMessageRepository, {
      insertRun: async (docs: Parameters<ChatMessageRepository['insertRun']>[0]) => {
        if (first) {
          first = false;
          // Another instance wins this seq between our read and our insert.
          await repos.messages.collection.insertOne({
            _id: rival,
            roomId: room,
            seq: docs[0]!.seq,
            body: 'rival',
            authorId: new ObjectId(),
            createdAt: new Date(),
          });
        }
        return repos.messages.insertRun(docs);
      },
    });
    const s = services({ publish: async () => undefined }, logger(), { attempts: 3, delayMs: () => 1 }, losing);
    const message = await s.messages.send(members[0]!, roomId, 'mine');
    expect(message.seq).toBe(2);
    expect((await repos.messages.range(room, 0, null, 10)).map((m) => [m.seq, m.body])).toEqual([
      [1, 'rival'],
      [2, 'mine'],
    ]);
  });

  it('should store and answer a message when Redis is down, logging a warning instead of publishing', async () => {
    const deadRedis = createRedis('redis://127.0.0.1:1', { retryStrategy: () => null });
    deadRedis.on('error', () => undefined);
    const log = logger();
    const events = new ChatEvents(deadRedis, 'test:', log);
    try {
      const s = services(events, log);
      const { roomId, members } = await roomWithMembers(1, s);
      const message = await s.messages.send(members[0]!, roomId, 'still here');
      expect(message.seq).toBe(1);
      expect(await repos.messages.collection.countDocuments({ _id: message._id })).toBe(1);
      expect(log.warn).toHaveBeenCalledWith(
        expect.objectContaining({ event: { type: 'message-added', roomId, messageId: message._id.toHexString(), seq: 1 } }),
        expect.stringContaining('not published'),
      );
    } finally {
      await events.close();
      deadRedis.disconnect();
    }
  });

  it('should give up with SERVICE_UNAVAILABLE after the bounded attempts when every seq is taken', async () => {
    const { roomId, members } = await roomWithMembers(1);
    const alwaysTaken = Object.assign(Object.create(repos.messages) as ChatMessageRepository, { insertRun: vi.fn(async () => []) });
    const log = logger();
    const s = services({ publish: async () => undefined }, log, { attempts: 4, delayMs: () => 1 }, alwaysTaken);
    const error = await s.messages.send(members[0]!, roomId, 'hello').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(alwaysTaken.insertRun).toHaveBeenCalledTimes(4);
    expect(log.warn).toHaveBeenCalledOnce();
  });
});
