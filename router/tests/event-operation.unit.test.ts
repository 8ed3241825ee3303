import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { EventOperationError, SEQ_ALIAS, eventOperation, rangeResult, rangeVariables, subscriptionPath } from '../src/subscriptions/event-operation.js';
import { ViewerDependentFields } from '../src/viewer-dependence.js';

const SDL = `
  type Message { id: ID!, seq: Int!, body: String!, author: User!, viewerHasLiked: Boolean! }
  type User { id: ID!, nickname(short: Boolean): String! }
  type Feed { messages: [Message!]!, lastSeq: Int!, hasMore: Boolean! }
  type Removed { messageId: ID!, roomId: ID!, seq: Int!, removedAt: String! }
  type Query {
    chatMessagesInRange(roomId: ID!, afterSeq: Int!, upToSeq: Int): [Message!]!
    chatMessageFeed(roomId: ID!, afterSeq: Int!, upToSeq: Int, includeOwnHidden: Boolean! = true): Feed!
    chatMessageRemovals(roomId: ID!, afterSeq: Int!, upToSeq: Int): [Removed!]!
  }
  type Mutation { noop: Boolean }
  type Subscription { messageAdded(roomId: ID!, after: String): Message!, messageRemoved(roomId: ID!, after: String): Removed!, other: Int }
`;
const schema = buildSchema(SDL);
const viewerFields = ViewerDependentFields.fromSupergraph(SDL.replace('viewerHasLiked: Boolean!', 'viewerHasLiked: Boolean! @viewerDependent(kind: VIEWER)'));

const build = (source: string, variables: Record<string, unknown> = {}, operationName?: string) =>
  eventOperation(schema, viewerFields, parse(source), operationName, variables);

describe(eventOperation.name, () => {
  it('should turn messageAdded into a range query over chatMessageFeed that validates against the schema', () => {
    const op = build('subscription { messageAdded(roomId: "r1", after: "c9") { id body author { nickname } } }');
    expect(op.roomId).toBe('r1');
    expect(op.after).toBe('c9');
    expect(op.variables).toEqual({});
    expect(op.viewerDependent).toBe(false);
    expect(op.field).toBe('messageAdded');
    expect(op.query).toContain('query MessageAddedEvent($_slRoomId: ID!, $_slAfterSeq: Int!, $_slUpToSeq: Int, $_slOwnHidden: Boolean!)');
    expect(op.query.replace(/\s+/g, ' ')).toContain(
      '_slFeed: chatMessageFeed( roomId: $_slRoomId afterSeq: $_slAfterSeq upToSeq: $_slUpToSeq includeOwnHidden: $_slOwnHidden ) { _slLastSeq: lastSeq _slMore: hasMore _slMessages: messages { _slSeq: seq id body author { nickname } } }',
    );
    expect(op.query).toContain(`${SEQ_ALIAS}: seq`);
    expect(validate(schema, parse(op.query))).toEqual([]);
    expect(rangeVariables(op, 3, null)).toEqual({ _slRoomId: 'r1', _slAfterSeq: 3, _slUpToSeq: null, _slOwnHidden: false });
    expect(rangeVariables(op, 3, 9, true)).toEqual({ _slRoomId: 'r1', _slAfterSeq: 3, _slUpToSeq: 9, _slOwnHidden: true });
  });

  it('should turn messageRemoved into a range query over chatMessageRemovals that validates against the schema', () => {
    const op = build('subscription MessageRemoved($roomId: ID!) { messageRemoved(roomId: $roomId) { messageId roomId removedAt } }', { roomId: 'r1' });
    expect(op.field).toBe('messageRemoved');
    expect(op.roomId).toBe('r1');
    expect(op.query.replace(/\s+/g, ' ')).toContain(
      '_slMessages: chatMessageRemovals( roomId: $_slRoomId afterSeq: $_slAfterSeq upToSeq: $_slUpToSeq ) { _slSeq: seq messageId roomId removedAt }',
    );
    expect(validate(schema, parse(op.query))).toEqual([]);
    expect(rangeVariables(op, 4, 5)).toEqual({ _slRoomId: 'r1', _slAfterSeq: 4, _slUpToSeq: 5 });
    expect(op.key).not.toBe(build('subscription { messageAdded(roomId: "r1") { id } }').key);
  });

  it('should read the root arguments from variables and keep only the variables the selection uses', () => {
    const source = `subscription S($room: ID!, $after: String, $short: Boolean) { messageAdded(roomId: $room, after: $after) { id author { ...Name } } }
      fragment Name on User { nickname(short: $short) }`;
    const op = build(source, { room: 'r2', after: null, short: true });
    expect(op.roomId).toBe('r2');
    expect(op.after).toBeNull();
    expect(op.variables).toEqual({ short: true });
    expect(op.query).toContain('fragment Name on User');
    expect(validate(schema, parse(op.query))).toEqual([]);
    expect(rangeVariables(op, 0, 7)).toEqual({ short: true, _slRoomId: 'r2', _slAfterSeq: 0, _slUpToSeq: 7, _slOwnHidden: false });
  });

  it('should give equal keys to equal operations and variables, and different keys otherwise', () => {
    const source = 'subscription S($room: ID!, $short: Boolean) { messageAdded(roomId: $room) { id author { nickname(short: $short) } } }';
    const a = build(source, { room: 'r1', short: true });
    expect(build(source, { room: 'r1', short: true }).key).toBe(a.key);
    // The room is not part of the key: subscribers of every room with this selection share it.
    expect(build(source, { room: 'r2', short: true }).key).toBe(a.key);
    expect(build(source, { room: 'r1', short: false }).key).not.toBe(a.key);
    expect(build('subscription { messageAdded(roomId: "r1") { id } }').key).not.toBe(build('subscription { messageAdded(roomId: "r1") { id body } }').key);
  });

  it('should tell when a selection reaches a viewer-dependent field', () => {
    expect(build('subscription { messageAdded(roomId: "r1") { id viewerHasLiked } }').viewerDependent).toBe(true);
    expect(build('subscription { messageAdded(roomId: "r1") { ...F } } fragment F on Message { viewerHasLiked }').viewerDependent).toBe(true);
  });

  it('should refuse what is not one messageAdded or messageRemoved subscription', () => {
    const refused = (source: string, variables: Record<string, unknown> = {}, name?: string) => {
      expect(() => build(source, variables, name)).toThrow(EventOperationError);
      try {
        build(source, variables, name);
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(refused('query { chatMessagesInRange(roomId: "r", afterSeq: 0) { id } }')).toMatch(/Only subscriptions/);
    expect(refused('subscription A { other } subscription B { other }')).toMatch(/exactly one operation/);
    expect(refused('subscription A { other }', {}, 'B')).toBe('Unknown operation B.');
    expect(refused('subscription { other }')).toMatch(/exactly one root field, messageAdded/);
    expect(refused('subscription { m: messageAdded(roomId: "r") { id } }')).toMatch(/without an alias/);
    expect(refused('subscription { messageAdded(roomId: "r") { id } other }')).toMatch(/exactly one root field/);
    expect(refused('subscription S($room: ID) { messageAdded(roomId: $room) { id } }')).toBe('roomId is required.');
    expect(refused('subscription { messageAdded(roomId: 5) { id } }')).toBe('roomId must be a string');
    expect(refused('subscription S($a: String) { messageAdded(roomId: "r", after: $a) { id } }', { a: 5 })).toBe('after must be a message cursor.');
  });

  it('should read range results and map error paths back to the subscription', () => {
    const added = build('subscription { messageAdded(roomId: "r1") { id author { nickname } } }');
    const removed = build('subscription { messageRemoved(roomId: "r1") { messageId } }');
    expect(rangeResult(added, { _slFeed: { _slLastSeq: 7, _slMore: false, _slMessages: [{ id: '1' }] } })).toEqual({
      items: [{ id: '1' }],
      lastSeq: 7,
      more: false,
    });
    expect(rangeResult(added, null)).toEqual({ items: [], lastSeq: null, more: false });
    expect(rangeResult(removed, { _slMessages: [{ _slSeq: 3, messageId: 'm' }] })).toEqual({ items: [{ _slSeq: 3, messageId: 'm' }], lastSeq: 3, more: false });
    expect(rangeResult(removed, null)).toEqual({ items: [], lastSeq: null, more: false });
    expect(subscriptionPath(added, ['_slFeed', '_slMessages', 2, 'author', 'nickname'], 2)).toEqual(['messageAdded', 'author', 'nickname']);
    expect(subscriptionPath(added, ['_slFeed', '_slMessages', 1, 'author'], 2)).toBeUndefined();
    expect(subscriptionPath(removed, ['_slMessages', 0, 'messageId'], 0)).toEqual(['messageRemoved', 'messageId']);
    expect(subscriptionPath(added, undefined, 0)).toBeUndefined();
  });
});
