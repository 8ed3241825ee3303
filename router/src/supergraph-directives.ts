import { Kind, parse, valueFromASTUntyped, type DocumentNode } from 'graphql';

/** `Type.field` → the arguments of one directive on that field definition (values as plain JS). */
export type FieldDirectiveArgs = ReadonlyMap<string, Readonly<Record<string, unknown>>>;

/**
 * Reads the uses of a composed directive on field definitions of the supergraph SDL (object and
 * interface types, extensions included). The gateway's API schema drops composed directives, so
 * facts the subgraphs declare about their fields (who may see them, what a list may cost) are read
 * from the supergraph itself, once at start-up.
 */
export function fieldDirectives(supergraph: string | DocumentNode, directive: string): FieldDirectiveArgs {
  const document = typeof supergraph === 'string' ? parse(supergraph) : supergraph;
  const found = new Map<string, Record<string, unknown>>();
  for (const def of document.definitions) {
    if (
      def.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      def.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      def.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      def.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    for (const field of def.fields ?? []) {
      const use = field.directives?.find((d) => d.name.value === directive);
      if (!use) continue;
      found.set(`${def.name.value}.${field.name.value}`, Object.fromEntries((use.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)])));
    }
  }
  return found;
}
