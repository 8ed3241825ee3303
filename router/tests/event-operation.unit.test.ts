import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { EventOperationError, SEQ_ALIAS, eventOperation, rangeMessages, rangeVariables, subscriptionPath } from '../src/subscriptions/event-operation.js';
import { ViewerDependentFields } from '../src/viewer-dependence.js';

const SDL = `
  type Message { id: ID!, seq: Int!, body: String!, author: User!, viewerHasLiked: Boolean! }
  type User { id: ID!, nickname(short: Boolean): String! }
  type Query { chatMessagesInRange(roomId: ID!, afterSeq: Int!, upToSeq: Int): [Message!]! }
  type Mutation { noop: Boolean }
  type Subscription { messageAdded(roomId: ID!, after: String): Message!, other: Int }
`;
const schema = buildSchema(SDL);
const viewerFields = ViewerDependentFields.fromSupergraph(SDL.replace('viewerHasLiked: Boolean!', 'viewerHasLiked: Boolean! @viewerDependent(kind: VIEWER)'));

const build = (source: string, variables: Record<string, unknown> = {}, operationName?: string) =>
  eventOperation(schema, viewerFields, parse(source), operationName, variables);

describe(eventOperation.name, () => {
  it('should turn messageAdded into a range query over chatMessagesInRange that validates against the schema', () => {
    const op = build('subscription { messageAdded(roomId: "r1", after: "c9") { id body author { nickname } } }');
    expect(op.roomId).toBe('r1');
    expect(op.after).toBe('c9');
    expect(op.variables).toEqual({});
    expect(op.viewerDependent).toBe(false);
    expect(op.query).toContain('query MessageAddedEvent($_slRoomId: ID!, $_slAfterSeq: Int!, $_slUpToSeq: Int)');
    expect(op.query.replace(/\s+/g, ' ')).toContain(
      '_slMessages: chatMessagesInRange( roomId: $_slRoomId afterSeq: $_slAfterSeq upToSeq: $_slUpToSeq ) { _slSeq: seq id body author { nickname } }',
    );
    expect(op.query).toContain(`${SEQ_ALIAS}: seq`);
    expect(validate(schema, parse(op.query))).toEqual([]);
    expect(rangeVariables(op, 3, null)).toEqual({ _slRoomId: 'r1', _slAfterSeq: 3, _slUpToSeq: null });
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
    expect(rangeVariables(op, 0, 7)).toEqual({ short: true, _slRoomId: 'r2', _slAfterSeq: 0, _slUpToSeq: 7 });
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

  it('should refuse what is not one messageAdded subscription', () => {
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
    expect(rangeMessages({ _slMessages: [{ id: '1' }] })).toEqual([{ id: '1' }]);
    expect(rangeMessages(null)).toEqual([]);
    expect(subscriptionPath(['_slMessages', 2, 'author', 'nickname'], 2)).toEqual(['messageAdded', 'author', 'nickname']);
    expect(subscriptionPath(['_slMessages', 1, 'author'], 2)).toBeUndefined();
    expect(subscriptionPath(undefined, 0)).toBeUndefined();
  });
});
