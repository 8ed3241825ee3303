import { Kind, parse, valueFromASTUntyped, type ConstDirectiveNode, type DefinitionNode, type DirectiveNode } from 'graphql';

/** `@listSize` of a field (the GraphQL cost specification's, as Apollo Federation composes it). */
interface ListSize {
  /** Items when no slicing argument is given, or the list's bound when it has none. */
  assumedSize?: number;
  /** Arguments whose value (the largest given) is the number of items. */
  slicingArguments?: readonly string[];
  /** Child list fields the size applies to (a connection's `edges`) instead of this field. */
  sizedFields?: readonly string[];
}

/** The cost declarations of a supergraph, by `Type.field` and by type. */
export interface CostDirectives {
  /** `@cost(weight:)` of a field. */
  fieldWeight(type: string, field: string): number | undefined;
  /** `@cost(weight:)` of a type (object, scalar, enum). */
  typeWeight(type: string): number | undefined;
  listSize(type: string, field: string): ListSize | undefined;
}

const COST_SPEC = 'https://specs.apollo.dev/cost/';

/**
 * The names `@cost` and `@listSize` have in a supergraph: as imported by its
 * `@link(url: "https://specs.apollo.dev/cost/v0.1", import: [...])` (possibly renamed with
 * `{name:, as:}`), else namespaced (`cost__listSize`, or the link's `as`).
 */
function costDirectiveNames(definitions: readonly DefinitionNode[]): { cost: Set<string>; listSize: Set<string> } {
  const cost = new Set(['cost__cost']);
  const listSize = new Set(['cost__listSize']);
  for (const def of definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of def.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const args = Object.fromEntries((link.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)])) as {
        url?: unknown;
        as?: unknown;
        import?: unknown;
      };
      if (typeof args.url !== 'string' || !args.url.startsWith(COST_SPEC)) continue;
      const namespace = typeof args.as === 'string' ? args.as : 'cost';
      cost.add(`${namespace}__cost`);
      listSize.add(`${namespace}__listSize`);
      for (const item of Array.isArray(args.import) ? args.import : []) {
        const { name, as } = typeof item === 'string' ? { name: item, as: item } : (item as { name?: string; as?: string });
        const local = (as ?? name ?? '').replace(/^@/, '');
        if (name === '@cost') cost.add(local);
        if (name === '@listSize') listSize.add(local);
      }
    }
  }
  return { cost, listSize };
}

function argumentsOf(directive: ConstDirectiveNode | DirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}

const stringList = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined);

/** Reads every `@cost` and `@listSize` of a supergraph SDL (the router reads it once, at start). */
export function readCostDirectives(supergraphSdl: string): CostDirectives {
  const { definitions } = parse(supergraphSdl);
  const names = costDirectiveNames(definitions);
  const fieldWeights = new Map<string, number>();
  const typeWeights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const weightOf = (directives: readonly (ConstDirectiveNode | DirectiveNode)[] | undefined) => {
    const found = directives?.find((d) => names.cost.has(d.name.value));
    const weight = found ? argumentsOf(found).weight : undefined;
    return typeof weight === 'number' ? weight : undefined;
  };
  for (const def of definitions) {
    if (!('name' in def) || !def.name || !('directives' in def)) continue;
    const typeName = def.name.value;
    const typeWeight = weightOf(def.directives);
    if (typeWeight !== undefined) typeWeights.set(typeName, typeWeight);
    if (!('fields' in def) || !def.fields) continue;
    for (const field of def.fields) {
      if (field.kind !== Kind.FIELD_DEFINITION) continue;
      const key = `${typeName}.${field.name.value}`;
      const weight = weightOf(field.directives);
      if (weight !== undefined) fieldWeights.set(key, weight);
      const listSize = field.directives?.find((d) => names.listSize.has(d.name.value));
      if (!listSize) continue;
      const args = argumentsOf(listSize);
      listSizes.set(key, {
        ...(typeof args.assumedSize === 'number' ? { assumedSize: args.assumedSize } : {}),
        ...(stringList(args.slicingArguments) ? { slicingArguments: stringList(args.slicingArguments) } : {}),
        ...(stringList(args.sizedFields) ? { sizedFields: stringList(args.sizedFields) } : {}),
      });
    }
  }
  return {
    fieldWeight: (type, field) => fieldWeights.get(`${type}.${field}`),
    typeWeight: (type) => typeWeights.get(type),
    listSize: (type, field) => listSizes.get(`${type}.${field}`),
  };
}
