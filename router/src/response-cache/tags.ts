import {
  Kind,
  getNamedType,
  isAbstractType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  valueFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { ViewerDependentFields } from '../viewer-dependence.js';

type Fragments = Record<string, FragmentDefinitionNode>;

/** `Type:id` of one entity. */
const entityTag = (type: string, id: string) => `${type}:${id}`;
/** Entries holding objects of the type whose id was not selected: purged by any change of the type. */
const idlessTag = (type: string) => `idless:${type}`;
/** Entries whose selection reaches the type: purged when membership of lists of it may change (create, delete, moves). */
export const typeTag = (type: string) => `type:${type}`;

/** The tags of one entity change: its own, and the entries that could not name it. */
export const changedEntity = (type: string, id: string) => [entityTag(type, id), idlessTag(type)];

function typeConditionHolds(schema: GraphQLSchema, condition: string | undefined, type: GraphQLObjectType): boolean {
  if (!condition || condition === type.name) return true;
  const cond = schema.getType(condition);
  return !!cond && isAbstractType(cond) && schema.isSubType(cond, type);
}

/** Field nodes of a selection set that apply to `type` (fragments expanded), in order. */
function fieldsOf(schema: GraphQLSchema, set: SelectionSetNode, type: GraphQLObjectType, fragments: Fragments, out: FieldNode[] = []): FieldNode[] {
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (typeConditionHolds(schema, sel.typeCondition?.name.value, type)) fieldsOf(schema, sel.selectionSet, type, fragments, out);
    } else {
      const fragment = fragments[sel.name.value];
      if (fragment && typeConditionHolds(schema, fragment.typeCondition.name.value, type)) fieldsOf(schema, fragment.selectionSet, type, fragments, out);
    }
  }
  return out;
}

/** Every object type the selection can reach, and whether it selects a viewer field (static: cached per query). */
export function staticShape(
  schema: GraphQLSchema,
  declared: ViewerDependentFields,
  operation: OperationDefinitionNode,
  fragments: Fragments,
): { types: string[]; viewerFields: boolean } {
  const types = new Set<string>();
  let viewerFields = false;
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode, named: GraphQLNamedType, depth: number) => {
    if (depth > 64) return;
    const objects = isObjectType(named) ? [named] : isAbstractType(named) ? schema.getPossibleTypes(named) : [];
    for (const type of objects) {
      const key = `${type.name}@${set.loc?.start ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (type !== schema.getQueryType()) types.add(type.name);
      for (const field of fieldsOf(schema, set, type, fragments)) {
        const name = field.name.value;
        if (name === '__typename') continue;
        if (declared.of(type.name, name)) viewerFields = true;
        const def = type.getFields()[name];
        if (def && field.selectionSet) visit(field.selectionSet, getNamedType(def.type), depth + 1);
      }
    }
  };
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (root) visit(operation.selectionSet, root, 0);
  return { types: [...types], viewerFields };
}

/**
 * Walks an answer along its operation and names the entities it holds: `Type:id` for each object
 * whose type has an `id` field and whose id was selected, `idless:Type` where it was not.
 */
export function entityTags(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Fragments, data: unknown): Set<string> {
  const tags = new Set<string>();
  const visit = (set: SelectionSetNode, named: GraphQLNamedType, value: unknown): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(set, named, item);
      return;
    }
    if (typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    let type: GraphQLObjectType | undefined;
    if (isObjectType(named)) type = named;
    else if (isAbstractType(named) && typeof record.__typename === 'string') {
      const concrete = schema.getType(record.__typename);
      if (isObjectType(concrete)) type = concrete;
    }
    if (!type) return;
    const fields = fieldsOf(schema, set, type, fragments);
    const idField = type.getFields().id;
    if (idField && type !== schema.getQueryType() && type !== schema.getMutationType()) {
      const idNode = fields.find((f) => f.name.value === 'id');
      const id = idNode ? record[idNode.alias?.value ?? 'id'] : undefined;
      if (typeof id === 'string' || typeof id === 'number') tags.add(entityTag(type.name, String(id)));
      else tags.add(idlessTag(type.name));
    }
    for (const field of fields) {
      if (!field.selectionSet) continue;
      const def = type.getFields()[field.name.value];
      if (def) visit(field.selectionSet, getNamedType(def.type), record[field.alias?.value ?? field.name.value]);
    }
  };
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (root && data) visit(operation.selectionSet, root, data);
  return tags;
}

/** The ID values passed to the root fields of an operation (arguments and input fields, variables resolved). */
export function idArguments(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Fragments,
  variables: Record<string, unknown>,
): Map<string, string[]> {
  const byField = new Map<string, string[]>();
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!root) return byField;
  const collect = (type: GraphQLInputType, value: unknown, out: string[]): void => {
    if (value === null || value === undefined) return;
    if (isNonNullType(type)) {
      collect(type.ofType as GraphQLInputType, value, out);
      return;
    }
    if (isListType(type)) {
      for (const item of Array.isArray(value) ? value : [value]) collect(type.ofType as GraphQLInputType, item, out);
      return;
    }
    if (isScalarType(type)) {
      if (type.name === 'ID' && (typeof value === 'string' || typeof value === 'number')) out.push(String(value));
      return;
    }
    if (isInputObjectType(type) && typeof value === 'object') {
      for (const [name, field] of Object.entries(type.getFields())) collect(field.type, (value as Record<string, unknown>)[name], out);
    }
  };
  for (const field of fieldsOf(schema, operation.selectionSet, root, fragments)) {
    const def = root.getFields()[field.name.value];
    if (!def) continue;
    const ids: string[] = [];
    for (const arg of field.arguments ?? []) {
      const argDef = def.args.find((a) => a.name === arg.name.value);
      if (!argDef) continue;
      const value = valueFromAST(arg.value, argDef.type, variables);
      collect(argDef.type, value, ids);
    }
    byField.set(field.name.value, [...(byField.get(field.name.value) ?? []), ...ids]);
  }
  return byField;
}

/** Object types of the schema that have an `id` field: the types an ID argument may name. */
export function entityTypes(schema: GraphQLSchema): string[] {
  return Object.values(schema.getTypeMap())
    .filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__') && 'id' in t.getFields())
    .map((t) => t.name);
}
