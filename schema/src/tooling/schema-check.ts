import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChangeType, CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { TypeInfo, getNamedType, isEnumType, isInputObjectType, parse, visit, visitWithTypeInfo, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { apiSchemaOf } from './api-schema.js';
import type { ContractOperation } from './contract.js';

/**
 * What a schema change means for the check: `fail` (breaking, and a contract operation uses what
 * changed), `warn` (breaking, but no contract operation uses it), `note` (dangerous: it can change
 * what a client sees, e.g. a new enum value), `safe` (non-breaking: a new optional field, a description).
 */
export type SchemaChangeVerdict = 'fail' | 'warn' | 'note' | 'safe';

export interface CheckedSchemaChange {
  type: string;
  message: string;
  /** The schema coordinate it touches (`Type`, `Type.field`, `Type.field.arg`, `Enum.VALUE`, `Input.field`), when it has one. */
  path: string | undefined;
  criticality: `${CriticalityLevel}`;
  reason: string | undefined;
  /** The contract operations that use what changed, as `<file> <OperationName>`. */
  operations: string[];
  verdict: SchemaChangeVerdict;
}

export interface SchemaCheckResult {
  changes: CheckedSchemaChange[];
  /** True when a breaking change is used by a contract operation. */
  failed: boolean;
}

/**
 * The schema coordinates one operation uses in a schema: the types it touches, `Type.field` of each
 * field it selects, `Type.field.arg` of each argument it passes, `@directive` and `@directive.arg`;
 * for every input type it can send (its variables' and arguments' types), each input field and enum
 * value reachable from it (a client may send any of them), and each value of an enum it selects
 * (a client may switch on any of them). Fields and types the schema lacks are skipped.
 */
export function coordinatesUsedBy(schema: GraphQLSchema, source: string): Set<string> {
  const used = new Set<string>();
  const addType = (type: GraphQLNamedType) => {
    if (used.has(type.name)) return;
    used.add(type.name);
    if (isEnumType(type)) for (const value of type.getValues()) used.add(`${type.name}.${value.name}`);
    if (isInputObjectType(type))
      for (const field of Object.values(type.getFields())) {
        used.add(`${type.name}.${field.name}`);
        addType(getNamedType(field.type));
      }
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    parse(source),
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        const root = schema.getRootType(node.operation);
        if (root) addType(root);
      },
      VariableDefinition() {
        const type = typeInfo.getInputType();
        if (type) addType(getNamedType(type));
      },
      Field(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field || node.name.value.startsWith('__')) return;
        used.add(`${parent.name}.${field.name}`);
        addType(getNamedType(field.type));
      },
      Argument() {
        const argument = typeInfo.getArgument();
        if (!argument) return;
        const directive = typeInfo.getDirective();
        const field = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        if (directive) used.add(`@${directive.name}.${argument.name}`);
        else if (field && parent) used.add(`${parent.name}.${field.name}.${argument.name}`);
        addType(getNamedType(argument.type));
      },
      Directive(node) {
        used.add(`@${node.name.value}`);
      },
      InlineFragment() {
        const type = typeInfo.getType();
        if (type) addType(getNamedType(type));
      },
    }),
  );
  return used;
}

const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('.'))) || path;

/**
 * The coordinate an operation must use to be broken by a change. Something added (a required
 * argument or input field) breaks whoever uses its parent; an argument whose type changes breaks
 * every call of the field (one that omits it too, when it became required); the rest breaks
 * whoever uses the coordinate itself or anything beneath it (a removed type: each of its fields).
 * No path (e.g. a root type replaced): every operation.
 */
function affectedCoordinate(change: Change): string | undefined {
  if (!change.path) return undefined;
  switch (change.type) {
    case ChangeType.FieldArgumentAdded:
    case ChangeType.InputFieldAdded:
    case ChangeType.DirectiveArgumentAdded:
    case ChangeType.FieldArgumentTypeChanged:
      return parentOf(change.path);
    default:
      return change.path;
  }
}

const stripNonNull = (type: string) => type.replaceAll('!', '');
const nonNullCount = (type: string) => type.split('!').length - 1;

/**
 * graphql-inspector's criticality, with one change of ours: an output field whose type only gains
 * non-null markers (`String` → `String!`, `[ID]` → `[ID!]`) is breaking here. Its values stay the
 * same, but when it cannot be resolved (its subgraph fails, see docs/operations.md "Subgraph
 * failures") GraphQL now nulls its nearest nullable parent instead of the field alone, so a client
 * loses more of the answer than before (and a generated client's types change).
 */
function criticalityOf(change: Change): { level: `${CriticalityLevel}`; reason: string | undefined } {
  if (change.type === ChangeType.FieldTypeChanged) {
    const { oldFieldType, newFieldType } = change.meta as { oldFieldType: string; newFieldType: string };
    if (stripNonNull(oldFieldType) === stripNonNull(newFieldType) && nonNullCount(newFieldType) > nonNullCount(oldFieldType))
      return {
        level: CriticalityLevel.Breaking,
        reason: 'output nullability tightened: when it cannot be resolved, its nearest nullable parent becomes null instead of the field',
      };
  }
  return { level: change.criticality.level, reason: change.criticality.reason };
}

/**
 * Compares two API schemas (the released one and the candidate) and says, for each change, which
 * contract operations use what changed (their usage is read in the released schema, where what
 * was removed still exists). A breaking change fails the check when an operation uses it and only
 * warns when none does.
 */
export async function checkSchemaChanges(
  released: GraphQLSchema,
  candidate: GraphQLSchema,
  operations: readonly ContractOperation[],
): Promise<SchemaCheckResult> {
  const usage = operations.map((op) => ({ name: `${op.file} ${op.name}`, used: coordinatesUsedBy(released, op.source) }));
  const usersOf = (coordinate: string | undefined) =>
    usage
      .filter(({ used }) => coordinate === undefined || used.has(coordinate) || [...used].some((c) => c.startsWith(`${coordinate}.`)))
      .map(({ name }) => name);
  const changes = (await diff(released, candidate)).map((change): CheckedSchemaChange => {
    const { level, reason } = criticalityOf(change);
    const users = level === CriticalityLevel.NonBreaking ? [] : usersOf(affectedCoordinate(change));
    const verdict: SchemaChangeVerdict =
      level === CriticalityLevel.Breaking ? (users.length > 0 ? 'fail' : 'warn') : level === CriticalityLevel.Dangerous ? 'note' : 'safe';
    return { type: change.type, message: change.message, path: change.path, criticality: level, reason, operations: users, verdict };
  });
  return { changes, failed: changes.some((c) => c.verdict === 'fail') };
}

/** `checkSchemaChanges` over two supergraph SDLs: each is reduced to its API schema first. */
export function checkSupergraphChanges(
  releasedSupergraph: string,
  candidateSupergraph: string,
  operations: readonly ContractOperation[],
): Promise<SchemaCheckResult> {
  return checkSchemaChanges(apiSchemaOf(releasedSupergraph), apiSchemaOf(candidateSupergraph), operations);
}

const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SUPERGRAPH_IN_GIT = './schema/supergraph.graphql';

export interface ReleasedSupergraph {
  sdl: string;
  /** What it was read from, for the report: `<ref> (<commit>)`, or the checked-in file when there is no git history. */
  source: string;
  /** Set when the default base could not be used, saying what was compared instead. */
  fallback: string | undefined;
}

/**
 * The last released supergraph: `schema/supergraph.graphql` at `base` when given (an unknown ref
 * throws), else at the merge base of HEAD with main (or origin/main), or HEAD's first parent when
 * HEAD is main's head (the schema main served before it). Without one (a clone that
 * has no main) it is HEAD's, and without any commit (no git history) the checked-in file itself;
 * `fallback` says so. `root`: the project's folder (tests use another repository).
 */
export async function readReleasedSupergraph(base?: string, root = PROJECT_ROOT): Promise<ReleasedSupergraph> {
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).trim();
  const tryGit = (args: string[]) => {
    try {
      return git(args);
    } catch {
      return undefined;
    }
  };
  const at = (ref: string, label: string, fallback?: string) => {
    const commit = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return { sdl: git(['show', `${commit}:${SUPERGRAPH_IN_GIT}`]), source: `${label} (${commit.slice(0, 12)})`, fallback };
  };
  if (base !== undefined) {
    if (!tryGit(['rev-parse', '--verify', '--quiet', `${base}^{commit}`])) throw new Error(`--base ${base}: no such commit`);
    return at(base, base);
  }
  const head = tryGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  for (const main of ['main', 'origin/main']) {
    const mergeBase = tryGit(['merge-base', 'HEAD', main]);
    if (!mergeBase) continue;
    // On main itself (CI checks main's head) the merge base is HEAD, which would compare the
    // schema with itself: what main served before this commit is its first parent.
    if (mergeBase === head && tryGit(['rev-parse', '--verify', '--quiet', 'HEAD^1^{commit}'])) return at('HEAD^1', `main before HEAD (${main}'s head is HEAD)`);
    return at(mergeBase, `the merge base with ${main}`);
  }
  if (head) return at('HEAD', 'HEAD', 'no merge base with main (no main branch here): comparing with HEAD');
  return {
    sdl: await readFile(join(root, SUPERGRAPH_IN_GIT), 'utf8'),
    source: 'the checked-in schema/supergraph.graphql',
    fallback: 'no git history: comparing with the checked-in schema/supergraph.graphql',
  };
}

const MARK: Record<SchemaChangeVerdict, string> = { fail: 'FAIL', warn: 'WARN', note: 'NOTE', safe: 'ok  ' };

/** The report `npm run schema:check` prints: each change, the operations it breaks, and the verdict. */
export function formatSchemaCheck(result: SchemaCheckResult, released: Pick<ReleasedSupergraph, 'source' | 'fallback'>): string {
  const lines = [`schema check: the working tree's API schema against schema/supergraph.graphql at ${released.source}`];
  if (released.fallback) lines.push(`  note: ${released.fallback}`);
  if (result.changes.length === 0) lines.push('  no change to the API schema');
  const order: SchemaChangeVerdict[] = ['fail', 'warn', 'note', 'safe'];
  for (const change of [...result.changes].sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict))) {
    lines.push(`${MARK[change.verdict]} ${change.criticality.toLowerCase().replace('_', '-')}: ${change.message}${change.path ? ` [${change.path}]` : ''}`);
    if (change.reason && change.verdict !== 'safe') lines.push(`       why: ${change.reason}`);
    if (change.verdict === 'fail') lines.push(`       breaks: ${change.operations.join(', ')}`);
    else if (change.verdict === 'warn') lines.push('       no contract operation uses it');
    else if (change.verdict === 'note' && change.operations.length) lines.push(`       used by: ${change.operations.join(', ')}`);
  }
  const count = (verdict: SchemaChangeVerdict) => result.changes.filter((c) => c.verdict === verdict).length;
  lines.push(
    result.failed
      ? `failed: ${count('fail')} breaking change(s) used by contract operations (${count('warn')} unused, ${count('note')} dangerous, ${count('safe')} safe)`
      : `passed: no breaking change used by a contract operation (${count('warn')} breaking but unused, ${count('note')} dangerous, ${count('safe')} safe)`,
  );
  return lines.join('\n');
}
