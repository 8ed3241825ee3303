import { createHash } from 'node:crypto';
import {
  Kind,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { ViewerDependentFields } from '../viewer-dependence.js';

/**
 * Turns a client's subscription (`messageAdded`, `messageRemoved`, `notificationAdded`) into the
 * query the router runs through the gateway when its events arrive: the same selection set over
 * the owning subgraph's read of that event (`chatMessageFeed`, `chatMessageRemovals`,
 * `notificationsAdded`), so a payload may select fields of any subgraph and is resolved once per
 * group of subscribers, not once per subscriber. Whatever the transport (graphql-ws, graphql-sse).
 */

/** The subscription root fields the router serves, and how each one's events are read. */
const EVENT_FIELDS = {
  /** New messages: the visible messages of a seq range and how far storage was read (hidden ones are skipped, not taken for a gap). */
  messageAdded: { operationName: 'MessageAddedEvent', read: 'chatMessageFeed', feed: true, scope: 'room' },
  /** Messages staff hid: those of a seq range hidden now. */
  messageRemoved: { operationName: 'MessageRemovedEvents', read: 'chatMessageRemovals', feed: false, scope: 'room' },
  /** The viewer's new in-app notifications: those of an event's ids (the viewer's own only). */
  notificationAdded: { operationName: 'NotificationAddedEvent', read: 'notificationsAdded', feed: false, scope: 'viewer' },
} as const;

type EventField = keyof typeof EVENT_FIELDS;

/** Alias under which the router reads each item's sequence number (removed unless the client asked for `seq`). */
export const SEQ_ALIAS = '_slSeq';
const FEED_ALIAS = '_slFeed';
const ITEMS_ALIAS = '_slMessages';
const LAST_SEQ_ALIAS = '_slLastSeq';
const MORE_ALIAS = '_slMore';
const VAR_ROOM = '_slRoomId';
const VAR_AFTER = '_slAfterSeq';
const VAR_UP_TO = '_slUpToSeq';
const VAR_OWN_HIDDEN = '_slOwnHidden';
const VAR_IDS = '_slIds';
/** Most items one range read returns (the chat subgraph's bound). */
const RANGE_PAGE = 200;

export interface EventOperation {
  /** The subscription's root field. */
  field: EventField;
  /** The range query (printed once). */
  query: string;
  /** The client's own variables (minus the root field's arguments). */
  variables: Record<string, unknown>;
  /** Whether any selected field is declared `@viewerDependent`: its subscribers are resolved one viewer at a time. */
  viewerDependent: boolean;
  /** Identifies subscribers that can share one resolution (query + variables, viewer aside). */
  key: string;
  /** The room of a chat field; null for a field of the viewer's own (`notificationAdded`: the viewer's channel). */
  roomId: string | null;
  /** `after` argument, when given. */
  after: string | null;
}

export class EventOperationError extends Error {}

function argValue(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  const arg = field.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  const v = arg.value;
  if (v.kind === Kind.VARIABLE) return variables[v.name.value];
  if (v.kind === Kind.STRING) return v.value;
  if (v.kind === Kind.NULL) return null;
  throw new EventOperationError(`${name} must be a string`);
}

/**
 * Builds the event operation of a validated subscription document. Throws EventOperationError
 * when the document is not a single subscription to one of EVENT_FIELDS.
 */
export function eventOperation(
  schema: GraphQLSchema,
  viewerFields: ViewerDependentFields,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): EventOperation {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) throw new EventOperationError(operationName ? `Unknown operation ${operationName}.` : 'Send exactly one operation, or name the one to run.');
  if (operation.operation !== 'subscription') {
    throw new EventOperationError('Only subscriptions run here; send queries and mutations over HTTP (/graphql).');
  }
  const fields = operation.selectionSet.selections;
  const root = fields[0];
  if (fields.length !== 1 || root?.kind !== Kind.FIELD || !Object.hasOwn(EVENT_FIELDS, root.name.value) || root.alias) {
    throw new EventOperationError(`A subscription selects exactly one root field, ${Object.keys(EVENT_FIELDS).join(' or ')}, without an alias.`);
  }
  const field = root.name.value as EventField;
  const spec = EVENT_FIELDS[field];
  const roomId = spec.scope === 'room' ? argValue(root, 'roomId', variables) : null;
  if (spec.scope === 'room' && typeof roomId !== 'string') throw new EventOperationError('roomId is required.');
  const after = argValue(root, 'after', variables);
  if (after !== undefined && after !== null && typeof after !== 'string') throw new EventOperationError('after must be a message cursor.');

  const selection = root.selectionSet as SelectionSetNode;
  const seqField: FieldNode = { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: SEQ_ALIAS }, name: { kind: Kind.NAME, value: 'seq' } };
  const variable = (name: string, type: string, nonNull: boolean): VariableDefinitionNode => ({
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
    type: nonNull
      ? { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: type } } }
      : { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: type } },
  });
  const varRef = (name: string) => ({ kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } }) as const;
  // The root field's own arguments are the router's business; its variables are dropped unless the selection uses them.
  const rootVars = new Set((root.arguments ?? []).flatMap((a) => (a.value.kind === Kind.VARIABLE ? [a.value.name.value] : [])));
  const usedInSelection = new Set<string>();
  visit(selection, { Variable: (node) => void usedInSelection.add(node.name.value) });
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) visit(def, { Variable: (node) => void usedInSelection.add(node.name.value) });
  }
  const keptVars = (operation.variableDefinitions ?? []).filter((d) => !rootVars.has(d.variable.name.value) || usedInSelection.has(d.variable.name.value));

  const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
  const leaf = (alias: string, fieldName: string): FieldNode => ({ kind: Kind.FIELD, alias: name(alias), name: name(fieldName) });
  const rangeArgs = [
    { kind: Kind.ARGUMENT, name: name('roomId'), value: varRef(VAR_ROOM) },
    { kind: Kind.ARGUMENT, name: name('afterSeq'), value: varRef(VAR_AFTER) },
    { kind: Kind.ARGUMENT, name: name('upToSeq'), value: varRef(VAR_UP_TO) },
  ] as const;
  const items = (alias: string, fieldName: string, args: FieldNode['arguments'] = []): FieldNode => ({
    kind: Kind.FIELD,
    alias: name(alias),
    name: name(fieldName),
    arguments: args,
    selectionSet: { kind: Kind.SELECTION_SET, selections: spec.scope === 'room' ? [seqField, ...selection.selections] : selection.selections },
  });
  // messageAdded: `_slFeed: chatMessageFeed(…) { _slLastSeq: lastSeq _slMore: hasMore _slMessages: messages { … } }`;
  // messageRemoved: `_slMessages: chatMessageRemovals(…) { … }`; notificationAdded: `_slMessages: notificationsAdded(ids: $_slIds) { … }`.
  const read: FieldNode =
    spec.scope === 'viewer'
      ? items(ITEMS_ALIAS, spec.read, [{ kind: Kind.ARGUMENT, name: name('ids'), value: varRef(VAR_IDS) }])
      : spec.feed
        ? {
            kind: Kind.FIELD,
            alias: name(FEED_ALIAS),
            name: name(spec.read),
            arguments: [...rangeArgs, { kind: Kind.ARGUMENT, name: name('includeOwnHidden'), value: varRef(VAR_OWN_HIDDEN) }],
            selectionSet: {
              kind: Kind.SELECTION_SET,
              selections: [leaf(LAST_SEQ_ALIAS, 'lastSeq'), leaf(MORE_ALIAS, 'hasMore'), items(ITEMS_ALIAS, 'messages')],
            },
          }
        : items(ITEMS_ALIAS, spec.read, rangeArgs);
  const rangeQuery: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as OperationDefinitionNode['operation'],
    name: name(spec.operationName),
    variableDefinitions:
      spec.scope === 'viewer'
        ? [...keptVars, idsVariable(VAR_IDS)]
        : [
            ...keptVars,
            variable(VAR_ROOM, 'ID', true),
            variable(VAR_AFTER, 'Int', true),
            variable(VAR_UP_TO, 'Int', false),
            ...(spec.feed ? [variable(VAR_OWN_HIDDEN, 'Boolean', true)] : []),
          ],
    directives: [],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [read] },
  };
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  const query = print({ kind: Kind.DOCUMENT, definitions: [rangeQuery, ...fragments] });
  const kept = new Set(keptVars.map((d) => d.variable.name.value));
  const ownVariables = Object.fromEntries(Object.entries(variables).filter(([name]) => kept.has(name)));
  const key = createHash('sha256').update(query).update('\0').update(JSON.stringify(ownVariables)).digest('base64url');
  return {
    field,
    query,
    variables: ownVariables,
    viewerDependent: viewerFields.selects(schema, { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }),
    key,
    roomId: typeof roomId === 'string' ? roomId : null,
    after: typeof after === 'string' ? after : null,
  };
}

/** `$name: [ID!]!` */
function idsVariable(name: string): VariableDefinitionNode {
  const id = { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } } as const;
  return {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
    type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.LIST_TYPE, type: id } },
  };
}

/** Whether a field's events are the viewer's own (one channel per user) rather than a room's. */
export const viewerScoped = (op: EventOperation): boolean => EVENT_FIELDS[op.field].scope === 'viewer';

/** Variables of the read of a viewer-scoped event (`notificationAdded`): the event's ids. */
export function idsVariables(op: EventOperation, ids: readonly string[]): Record<string, unknown> {
  return { ...op.variables, [VAR_IDS]: ids };
}

/**
 * Variables of one range read. `ownHidden`: the reader's own hidden messages are included (a
 * replay to that one subscriber); never for a group, which shares what it reads.
 */
export function rangeVariables(op: EventOperation, afterSeq: number, upToSeq: number | null, ownHidden = false): Record<string, unknown> {
  const vars: Record<string, unknown> = { ...op.variables, [VAR_ROOM]: op.roomId as string, [VAR_AFTER]: afterSeq, [VAR_UP_TO]: upToSeq };
  if (EVENT_FIELDS[op.field].feed) vars[VAR_OWN_HIDDEN] = ownHidden;
  return vars;
}

/** What one range read gave: its items (each with its seq), the highest seq it read (null: nothing), and whether more may follow. */
export interface RangeResult {
  items: Array<Record<string, unknown>>;
  lastSeq: number | null;
  more: boolean;
}

export function rangeResult(op: EventOperation, data: Record<string, unknown> | null | undefined): RangeResult {
  if (EVENT_FIELDS[op.field].feed) {
    const feed = data?.[FEED_ALIAS] as Record<string, unknown> | null | undefined;
    const list = feed?.[ITEMS_ALIAS];
    const lastSeq = Number(feed?.[LAST_SEQ_ALIAS]);
    return {
      items: Array.isArray(list) ? (list as Array<Record<string, unknown>>) : [],
      lastSeq: feed && Number.isSafeInteger(lastSeq) ? lastSeq : null,
      more: feed?.[MORE_ALIAS] === true,
    };
  }
  const list = data?.[ITEMS_ALIAS];
  const items = Array.isArray(list) ? (list as Array<Record<string, unknown>>) : [];
  const last = items.at(-1);
  return { items, lastSeq: last ? Number(last[SEQ_ALIAS]) : null, more: items.length >= RANGE_PAGE };
}

/** Rewrites an error path of the range query into the subscription's (`messageAdded.…`, `messageRemoved.…`, `notificationAdded.…`). */
export function subscriptionPath(op: EventOperation, path: ReadonlyArray<string | number> | undefined, index: number): Array<string | number> | undefined {
  if (!path) return undefined;
  const prefix = EVENT_FIELDS[op.field].feed ? [FEED_ALIAS, ITEMS_ALIAS, index] : [ITEMS_ALIAS, index];
  if (prefix.some((step, i) => path[i] !== step)) return undefined;
  return [op.field, ...path.slice(prefix.length)];
}
