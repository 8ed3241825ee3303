import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse, print, visit, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';

/** The project's client contract (`contract/*.graphql`). */
export const DEFAULT_CONTRACT_DIR = fileURLToPath(new URL('../../contract', import.meta.url));

/** One trusted operation, in the shape of Apollo's persisted query manifest. */
export interface ManifestOperation {
  /** sha256 (lowercase hex) of `body`, UTF-8: the `extensions.persistedQuery.sha256Hash` clients send. */
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  /**
   * The text clients send: the operation exactly as written in its contract file (from its
   * keyword to its closing brace), then each fragment it uses, directly or through another
   * fragment, exactly as written, in contract order (files by name, then position), each
   * after a blank line ("\n\n").
   */
  body: string;
}

/** Apollo's persisted query manifest format (`apollo-persisted-query-manifest`, version 1). */
export interface OperationManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: ManifestOperation[];
}

/** The id of an operation text: sha256 hex of its UTF-8 bytes (Apollo's APQ rule). */
export const operationId = (body: string): string => createHash('sha256').update(body, 'utf8').digest('hex');

/**
 * A key that ignores what does not change a document's meaning: whitespace, commas, comments
 * and the order of its top-level definitions (operations first, then fragments, each by name).
 */
export function documentShapeKey(document: DocumentNode): string {
  const rank = (d: DefinitionNode) => (d.kind === Kind.OPERATION_DEFINITION ? 0 : d.kind === Kind.FRAGMENT_DEFINITION ? 1 : 2);
  const nameOf = (d: DefinitionNode) => ('name' in d && d.name ? d.name.value : '');
  const definitions = [...document.definitions].sort((a, b) => rank(a) - rank(b) || (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  return operationId(print({ kind: Kind.DOCUMENT, definitions }));
}

interface Located<T> {
  node: T;
  text: string;
}

/**
 * The trusted operations of the contract: every named operation of every `*.graphql` file in
 * `dir`, with the fragments it uses. Throws on an anonymous or duplicated operation name, an
 * unknown or duplicated fragment: the list must be unambiguous.
 */
export function operationManifest(dir = DEFAULT_CONTRACT_DIR): OperationManifest {
  const operations: Array<Located<OperationDefinitionNode>> = [];
  const fragments = new Map<string, Located<FragmentDefinitionNode> & { order: number }>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const def of parse(text).definitions) {
      const source = text.slice(def.loc!.start, def.loc!.end);
      if (def.kind === Kind.OPERATION_DEFINITION) {
        if (!def.name) throw new Error(`${file}: an anonymous operation cannot be trusted; name it`);
        operations.push({ node: def, text: source });
      } else if (def.kind === Kind.FRAGMENT_DEFINITION) {
        if (fragments.has(def.name.value)) throw new Error(`${file}: fragment ${def.name.value} is defined twice in the contract`);
        fragments.set(def.name.value, { node: def, text: source, order: fragments.size });
      }
    }
  }
  const seen = new Set<string>();
  const manifest: ManifestOperation[] = [];
  for (const { node, text } of operations) {
    const name = node.name!.value;
    if (seen.has(name)) throw new Error(`operation ${name} is defined twice in the contract`);
    seen.add(name);
    const used = new Set<string>();
    const collect = (root: OperationDefinitionNode | FragmentDefinitionNode) =>
      visit(root, {
        FragmentSpread(spread) {
          const fragmentName = spread.name.value;
          if (used.has(fragmentName)) return;
          const fragment = fragments.get(fragmentName);
          if (!fragment) throw new Error(`operation ${name} uses fragment ${fragmentName}, which the contract does not define`);
          used.add(fragmentName);
          collect(fragment.node);
        },
      });
    collect(node);
    const parts = [
      text,
      ...[...used]
        .map((f) => fragments.get(f)!)
        .sort((a, b) => a.order - b.order)
        .map((f) => f.text),
    ];
    const body = parts.join('\n\n');
    manifest.push({ id: operationId(body), name, type: node.operation, body });
  }
  return { format: 'apollo-persisted-query-manifest', version: 1, operations: manifest };
}
