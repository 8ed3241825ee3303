import { Kind, parse, valueFromASTUntyped, type ConstDirectiveNode, type DirectiveNode, type TypeNode } from 'graphql';

const isList = (type: TypeNode): boolean => (type.kind === Kind.NON_NULL_TYPE ? isList(type.type) : type.kind === Kind.LIST_TYPE);
const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

/**
 * The list fields of a supergraph (`Type.field`) that declare no size: neither their own
 * `@listSize` (an `assumedSize` or slicing arguments) nor, for a list inside a type such as a
 * connection's `edges`, a `@listSize(sizedFields: [...])` naming it on every field that returns
 * that type. The router's cost rule would count such a list at a guess (cost/operation-cost.ts).
 */
export function unsizedListFields(supergraphSdl: string): string[] {
  const { definitions } = parse(supergraphSdl);
  const isListSize = (d: ConstDirectiveNode | DirectiveNode) => d.name.value === 'listSize' || d.name.value.endsWith('__listSize');
  const argsOf = (d: ConstDirectiveNode | DirectiveNode) =>
    Object.fromEntries((d.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)])) as Record<string, unknown>;
  const fields: Array<{ type: string; name: string; returns: string; list: boolean; listSize: Record<string, unknown> | undefined }> = [];
  for (const def of definitions) {
    if (
      def.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      def.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      def.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      def.kind !== Kind.INTERFACE_TYPE_EXTENSION
    )
      continue;
    for (const field of def.fields ?? []) {
      const directive = field.directives?.find(isListSize);
      fields.push({
        type: def.name.value,
        name: field.name.value,
        returns: namedType(field.type),
        list: isList(field.type),
        listSize: directive ? argsOf(directive) : undefined,
      });
    }
  }
  const ownSize = (ls: Record<string, unknown> | undefined) =>
    ls !== undefined && (typeof ls.assumedSize === 'number' || (Array.isArray(ls.slicingArguments) && ls.slicingArguments.length > 0));
  return fields
    .filter((f) => f.list && !ownSize(f.listSize))
    .filter((f) => {
      const parents = fields.filter((p) => p.returns === f.type);
      const sizedByEveryParent =
        parents.length > 0 && parents.every((p) => ownSize(p.listSize) && Array.isArray(p.listSize?.sizedFields) && p.listSize.sizedFields.includes(f.name));
      return !sizedByEveryParent;
    })
    .map((f) => `${f.type}.${f.name}`);
}
