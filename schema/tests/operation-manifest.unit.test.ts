import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { documentShapeKey, operationManifest } from '../src/operation-manifest.js';
import { CONTRACT_DIR, loadContract } from '../src/tooling/index.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const dirs: string[] = [];
function contractDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'contract-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('operation manifest of the contract', () => {
  it('should list every contract operation once, its body its text in the file and its id the sha256 hex of that text', () => {
    const manifest = operationManifest(CONTRACT_DIR);
    expect(manifest).toMatchObject({ format: 'apollo-persisted-query-manifest', version: 1 });
    const contract = loadContract();
    expect(manifest.operations.map((o) => o.name)).toEqual(contract.map((o) => o.name));
    for (const op of contract) {
      const entry = manifest.operations.find((o) => o.name === op.name)!;
      expect(entry.body, op.name).toBe(op.source);
      expect(entry.id, op.name).toBe(sha256(op.source));
      expect(entry.type, op.name).toBe(/^\s*(query|mutation|subscription)/.exec(op.source)![1]);
    }
    expect(new Set(manifest.operations.map((o) => o.id)).size).toBe(manifest.operations.length);
  });

  it('should append the fragments an operation uses, through other fragments and files too, in contract order', () => {
    const dir = contractDir({
      'a.graphql': 'fragment Author on User { id nickname }\n\n# variables: {}\nquery Feed {\n  articles { ...Card }\n}\n',
      'b.graphql': 'fragment Unused on User { id }\nfragment Card on Article {\n  id author { ...Author }\n}\nquery Plain { me { id } }\n',
    });
    const { operations } = operationManifest(dir);
    const feed = operations.find((o) => o.name === 'Feed')!;
    expect(feed.body).toBe(
      'query Feed {\n  articles { ...Card }\n}\n\nfragment Author on User { id nickname }\n\nfragment Card on Article {\n  id author { ...Author }\n}',
    );
    expect(feed.id).toBe(sha256(feed.body));
    expect(operations.find((o) => o.name === 'Plain')!.body).toBe('query Plain { me { id } }');
  });

  it('should refuse an ambiguous contract: anonymous or duplicated operations, unknown or duplicated fragments', () => {
    expect(() => operationManifest(contractDir({ 'a.graphql': '{ me { id } }' }))).toThrow(/anonymous/);
    expect(() => operationManifest(contractDir({ 'a.graphql': 'query Me { me { id } }', 'b.graphql': 'query Me { me { nickname } }' }))).toThrow(
      /Me is defined twice/,
    );
    expect(() => operationManifest(contractDir({ 'a.graphql': 'query Me { me { ...Missing } }' }))).toThrow(/Missing/);
    expect(() => operationManifest(contractDir({ 'a.graphql': 'fragment F on User { id }', 'b.graphql': 'fragment F on User { id }' }))).toThrow(
      /F is defined twice/,
    );
  });
});

describe('document shape key', () => {
  const key = (text: string) => documentShapeKey(parse(text));
  it('should ignore whitespace, commas, comments and the order of definitions', () => {
    const original = 'query Feed($first: Int) { articles(first: $first) { ...Card } }\nfragment Card on Article { id title }';
    expect(key('# a comment\nfragment Card on Article {\n  id,\n  title\n}\n\nquery   Feed( $first : Int ) {articles(first:$first){...Card}}')).toBe(
      key(original),
    );
  });
  it('should tell apart documents that differ in meaning', () => {
    const original = key('query Feed { articles { id title } }');
    expect(key('query Feed { articles { id } }')).not.toBe(original);
    expect(key('query Feed { articles { title id } }')).not.toBe(original);
    expect(key('query Other { articles { id title } }')).not.toBe(original);
  });
});
