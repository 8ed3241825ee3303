import { Kind, parse, valueFromASTUntyped, type ConstDirectiveNode, type DirectiveNode, type DocumentNode } from 'graphql';

/** `Type.field` → the arguments of one directive on that field definition (values as plain JS). */
export type FieldDirectiveArgs = ReadonlyMap<string, Readonly<Record<string, unknown>>>;

/** A supergraph as SDL, or already parsed (the router parses it once at start: gateway.ts). */
export type Supergraph = string | DocumentNode;

export const parsed = (supergraph: Supergraph): DocumentNode => (typeof supergraph === 'string' ? parse(supergraph) : supergraph);

/** The arguments of a directive use, as plain values. */
export function directiveArguments(directive: ConstDirectiveNode | DirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}

/**
 * Reads the uses of a composed directive on field definitions of the supergraph (object and
 * interface types, extensions included), by any of its names (a spec's directive may be imported
 * under another name). The gateway's API schema drops composed directives, so facts the subgraphs
 * declare about their fields (who may see them, what a list may cost) are read from the supergraph
 * itself, once at start-up.
 */
export function fieldDirectives(supergraph: Supergraph, names: string | ReadonlySet<string>): FieldDirectiveArgs {
  const named = typeof names === 'string' ? (name: string) => name === names : (name: string) => names.has(name);
  const found = new Map<string, Record<string, unknown>>();
  for (const def of parsed(supergraph).definitions) {
    if (
      def.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      def.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      def.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      def.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    for (const field of def.fields ?? []) {
      const use = field.directives?.find((d) => named(d.name.value));
      if (use) found.set(`${def.name.value}.${field.name.value}`, directiveArguments(use));
    }
  }
  return found;
}
