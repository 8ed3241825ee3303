import { Kind, type DefinitionNode } from 'graphql';
import { type Supergraph, directiveArguments, fieldDirectives, parsed } from '../supergraph-directives.js';

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
      const args = directiveArguments(link) as { url?: unknown; as?: unknown; import?: unknown };
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

const stringList = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined);

/** Reads every `@cost` and `@listSize` of a supergraph (the router reads it once, at start). */
export function readCostDirectives(supergraph: Supergraph): CostDirectives {
  const document = parsed(supergraph);
  const names = costDirectiveNames(document.definitions);
  const weightOf = (args: Readonly<Record<string, unknown>> | undefined) => (typeof args?.weight === 'number' ? args.weight : undefined);
  const fieldWeights = new Map<string, number>();
  for (const [key, args] of fieldDirectives(document, names.cost)) {
    const weight = weightOf(args);
    if (weight !== undefined) fieldWeights.set(key, weight);
  }
  const typeWeights = new Map<string, number>();
  for (const def of document.definitions) {
    if (!('name' in def) || !def.name || !('directives' in def)) continue;
    const use = def.directives?.find((d) => names.cost.has(d.name.value));
    const weight = use ? weightOf(directiveArguments(use)) : undefined;
    if (weight !== undefined) typeWeights.set(def.name.value, weight);
  }
  const listSizes = new Map<string, ListSize>();
  for (const [key, args] of fieldDirectives(document, names.listSize)) {
    listSizes.set(key, {
      ...(typeof args.assumedSize === 'number' ? { assumedSize: args.assumedSize } : {}),
      ...(stringList(args.slicingArguments) ? { slicingArguments: stringList(args.slicingArguments) } : {}),
      ...(stringList(args.sizedFields) ? { sizedFields: stringList(args.sizedFields) } : {}),
    });
  }
  return {
    fieldWeight: (type, field) => fieldWeights.get(`${type}.${field}`),
    typeWeight: (type) => typeWeights.get(type),
    listSize: (type, field) => listSizes.get(`${type}.${field}`),
  };
}
