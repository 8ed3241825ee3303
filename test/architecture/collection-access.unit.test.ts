import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Run-time source where "only a repository talks to a collection" holds (docs/architecture.md). */
const SOURCE_DIRS = ['platform/src', 'workers/src', ...readdirSync(join(root, 'subgraphs')).map((name) => `subgraphs/${name}/src`)];

/**
 * Files that call `.collection(…)` without being a `*.repository.ts`, each with why. Shrink it;
 * never grow it without a reason written here.
 */
const ALLOWED: Record<string, string> = {
  // The driver layer, not a domain: probes what the server supports on a throwaway collection.
  'platform/src/mongo/mongo-features.ts': 'feature probe on a scratch collection',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.m?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** `file:line` of each call whose callee is a property named `collection` (`db.collection(…)`, `this.db.collection<T>(…)`). */
function collectionCalls(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee)
        ? callee.name.text
        : ts.isElementAccessExpression(callee) && ts.isStringLiteral(callee.argumentExpression)
          ? callee.argumentExpression.text
          : undefined;
      if (name === 'collection') found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('collection access', () => {
  const calls = SOURCE_DIRS.flatMap(sourceFiles).flatMap(collectionCalls);
  const outside = calls.filter((at) => !at.split(':')[0]!.endsWith('.repository.ts'));

  it('should happen only in *.repository.ts (or a file of the commented allow-list)', () => {
    const offenders = outside.filter((at) => !(at.split(':')[0]! in ALLOWED));
    expect(offenders, `db.collection() outside a repository:\n${offenders.join('\n')}`).toEqual([]);
  });

  it('should keep the allow-list to files that still need it', () => {
    const stale = Object.keys(ALLOWED).filter((file) => !outside.some((at) => at.startsWith(`${file}:`)));
    expect(stale, 'no longer call .collection(): remove them from ALLOWED').toEqual([]);
  });

  it('should find the repositories’ calls (the scan works)', () => {
    expect(calls.some((at) => at.split(':')[0]!.endsWith('.repository.ts'))).toBe(true);
  });
});
