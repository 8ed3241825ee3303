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
 * Turns a client's `messageAdded` subscription into the query the router runs through the
 * gateway when messages arrive: the same selection set over `chatMessagesInRange`, so a payload
 * may select fields of any subgraph and is resolved once per group of subscribers, not once
 * per subscriber.
 */

/** The only subscription root field the router serves. */
const MESSAGE_ADDED = 'messageAdded';

/** Alias under which the router reads each message's sequence number (removed unless the client asked for `seq`). */
export const SEQ_ALIAS = '_slSeq';
const RANGE_ALIAS = '_slMessages';
const VAR_ROOM = '_slRoomId';
const VAR_AFTER = '_slAfterSeq';
const VAR_UP_TO = '_slUpToSeq';

export interface EventOperation {
  /** The range query (printed once). */
  query: string;
  /** The client's own variables (minus the root field's arguments). */
  variables: Record<string, unknown>;
  /** Whether any selected field is declared `@viewerDependent`: its subscribers are resolved one viewer at a time. */
  viewerDependent: boolean;
  /** Identifies subscribers that can share one resolution (query + variables, viewer aside). */
  key: string;
  roomId: string;
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
 * when the document is not a single `messageAdded` subscription.
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
    throw new EventOperationError('Only subscriptions run over WebSocket; send queries and mutations over HTTP.');
  }
  const fields = operation.selectionSet.selections;
  const root = fields[0];
  if (fields.length !== 1 || root?.kind !== Kind.FIELD || root.name.value !== MESSAGE_ADDED || root.alias) {
    throw new EventOperationError(`A subscription selects exactly one root field, ${MESSAGE_ADDED}, without an alias.`);
  }
  const roomId = argValue(root, 'roomId', variables);
  if (typeof roomId !== 'string') throw new EventOperationError('roomId is required.');
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

  const rangeQuery: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as OperationDefinitionNode['operation'],
    name: { kind: Kind.NAME, value: 'MessageAddedEvent' },
    variableDefinitions: [...keptVars, variable(VAR_ROOM, 'ID', true), variable(VAR_AFTER, 'Int', true), variable(VAR_UP_TO, 'Int', false)],
    directives: [],
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [
        {
          kind: Kind.FIELD,
          alias: { kind: Kind.NAME, value: RANGE_ALIAS },
          name: { kind: Kind.NAME, value: 'chatMessagesInRange' },
          arguments: [
            { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'roomId' }, value: varRef(VAR_ROOM) },
            { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'afterSeq' }, value: varRef(VAR_AFTER) },
            { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'upToSeq' }, value: varRef(VAR_UP_TO) },
          ],
          selectionSet: { kind: Kind.SELECTION_SET, selections: [seqField, ...selection.selections] },
        },
      ],
    },
  };
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  const query = print({ kind: Kind.DOCUMENT, definitions: [rangeQuery, ...fragments] });
  const kept = new Set(keptVars.map((d) => d.variable.name.value));
  const ownVariables = Object.fromEntries(Object.entries(variables).filter(([name]) => kept.has(name)));
  const key = createHash('sha256').update(query).update('\0').update(JSON.stringify(ownVariables)).digest('base64url');
  return {
    query,
    variables: ownVariables,
    viewerDependent: viewerFields.selects(schema, { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }),
    key,
    roomId,
    after: typeof after === 'string' ? after : null,
  };
}

/** Variables of one range read. */
export function rangeVariables(op: EventOperation, afterSeq: number, upToSeq: number | null): Record<string, unknown> {
  return { ...op.variables, [VAR_ROOM]: op.roomId, [VAR_AFTER]: afterSeq, [VAR_UP_TO]: upToSeq };
}

/** The messages of a range result, each with its seq. */
export function rangeMessages(data: Record<string, unknown> | null | undefined): Array<Record<string, unknown>> {
  const list = data?.[RANGE_ALIAS];
  return Array.isArray(list) ? (list as Array<Record<string, unknown>>) : [];
}

/** Rewrites an error path of the range query into the subscription's (`messageAdded.…`). */
export function subscriptionPath(path: ReadonlyArray<string | number> | undefined, index: number): Array<string | number> | undefined {
  if (!path || path[0] !== RANGE_ALIAS || path[1] !== index) return undefined;
  return [MESSAGE_ADDED, ...path.slice(2)];
}
