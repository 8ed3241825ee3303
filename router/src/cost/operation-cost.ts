import {
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { CostDirectives } from './cost-directives.js';

/** Items a list without any size declaration counts as (the supergraph test keeps every list declared). */
const UNDECLARED_LIST_SIZE = 100;
/** Apollo's demand-control base cost of a mutation. */
const MUTATION_COST = 10;

export interface OperationCostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The client's variables (values of `$first`, `$last`… are the list sizes). */
  variables?: Readonly<Record<string, unknown>> | null | undefined;
  directives: CostDirectives;
}

/**
 * The static cost of an operation, Apollo demand control's model with the actual list sizes:
 * an object (or interface, union) field costs 1, a scalar or enum 0, unless `@cost(weight:)`
 * says otherwise (on the field, else on its type); a field's selection adds to it; a list field
 * multiplies both by its size — its slicing argument's value (a literal, the variable's value,
 * the variable's default, the argument's default), else its `assumedSize`; a connection's
 * `@listSize(sizedFields: ["edges"])` gives that size to its `edges`. `@skip`/`@include` are
 * evaluated. A mutation adds 10.
 */
export function operationCost({ schema, document, operation, variables, directives }: OperationCostInput): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const values: Record<string, unknown> = {};
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    const given = variables?.[name];
    values[name] = given !== undefined ? given : def.defaultValue ? valueFromASTUntyped(def.defaultValue) : undefined;
  }
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const base = operation.operation === 'mutation' ? MUTATION_COST : 0;
  return base + selectionCost(root, operation.selectionSet, undefined, new Set());

  function argumentValue(node: ValueNode): unknown {
    return node.kind === Kind.VARIABLE ? values[node.name.value] : valueFromASTUntyped(node, values);
  }

  function included(node: FieldNode | SelectionSetNode['selections'][number]): boolean {
    for (const directive of node.directives ?? []) {
      const condition = directive.arguments?.find((a) => a.name.value === 'if');
      if (!condition) continue;
      const value = argumentValue(condition.value);
      if (directive.name.value === 'skip' && value === true) return false;
      if (directive.name.value === 'include' && value === false) return false;
    }
    return true;
  }

  /** The size a field's slicing arguments or assumed size give, when it declares one. */
  function declaredSize(parent: GraphQLCompositeType, field: FieldNode, def: GraphQLField<unknown, unknown>): number | undefined {
    const listSize = directives.listSize(parent.name, def.name);
    if (!listSize) return undefined;
    const sizes: number[] = [];
    for (const name of listSize.slicingArguments ?? []) {
      const arg = field.arguments?.find((a) => a.name.value === name);
      let value = arg ? argumentValue(arg.value) : undefined;
      if (value === undefined || value === null) {
        const defaultValue = def.args.find((a) => a.name === name)?.defaultValue;
        value = defaultValue ?? undefined;
      }
      if (typeof value === 'number' && Number.isFinite(value)) sizes.push(Math.max(0, Math.ceil(value)));
    }
    if (sizes.length) return Math.max(...sizes);
    return listSize.assumedSize;
  }

  function selectionCost(parent: GraphQLCompositeType, selectionSet: SelectionSetNode, sized: Map<string, number> | undefined, visiting: Set<string>): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) total += selectionCost(type, selection.selectionSet, sized, visiting);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A cycle is refused by validation; guard anyway.
        if (!fragment || visiting.has(name)) continue;
        const type = schema.getType(fragment.typeCondition.name.value);
        if (!type || !isCompositeType(type)) continue;
        visiting.add(name);
        total += selectionCost(type, fragment.selectionSet, sized, visiting);
        visiting.delete(name);
        continue;
      }
      total += fieldCost(parent, selection, sized, visiting);
    }
    return total;
  }

  function fieldCost(parent: GraphQLCompositeType, field: FieldNode, sized: Map<string, number> | undefined, visiting: Set<string>): number {
    const name = field.name.value;
    // __typename costs nothing; introspection (__schema, __type) is off in production and not costed.
    if (name.startsWith('__')) return 0;
    const def = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
    if (!def) return 0;
    const type = getNamedType(def.type);
    const weight = directives.fieldWeight(parent.name, name) ?? directives.typeWeight(type.name) ?? (isCompositeType(type) ? 1 : 0);
    const size = declaredSize(parent, field, def);
    const listSize = directives.listSize(parent.name, name);
    // A connection: the size goes to its sized fields (edges), not to the connection itself.
    const childSized = listSize?.sizedFields?.length && size !== undefined ? new Map(listSize.sizedFields.map((f) => [f, size])) : undefined;
    const children = field.selectionSet && isCompositeType(type) ? selectionCost(type, field.selectionSet, childSized, visiting) : 0;
    const count = isListType(getNullableType(def.type)) ? (sized?.get(name) ?? (listSize?.sizedFields?.length ? undefined : size) ?? UNDECLARED_LIST_SIZE) : 1;
    return count * (weight + children);
  }
}
