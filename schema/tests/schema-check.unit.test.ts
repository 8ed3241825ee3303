import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kind, buildASTSchema, buildSchema, parse, print, printSchema, visit, type FieldDefinitionNode, type ObjectTypeDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  type ContractOperation,
  type SchemaCheckResult,
  apiSchemaOf,
  checkSchemaChanges,
  formatSchemaCheck,
  loadContract,
  readReleasedSupergraph,
  readSupergraph,
} from '../src/tooling/index.js';

const RELEASED = `
  type Query {
    concert(id: ID!): Concert
    concerts(status: ConcertStatus, first: Int): [Concert!]!
    search(text: String): [Concert!]!
  }
  type Mutation { likeConcert(input: LikeInput!): Boolean! }
  type Concert {
    id: ID!
    title: String!
    venue: String
    status: ConcertStatus!
    internalNote: String
  }
  enum ConcertStatus { UPCOMING ONGOING CANCELLED }
  input LikeInput { concertId: ID! }
`;

const op = (file: string, source: string): ContractOperation => ({ file, name: /(?:query|mutation) (\w+)/.exec(source)![1]!, source, variables: {} });
const OPERATIONS = [
  op('concerts.graphql', 'query ConcertPage($id: ID!) { concert(id: $id) { id title venue } }'),
  op('concerts.graphql', 'query Concerts($status: ConcertStatus) { concerts(status: $status) { id status } }'),
  op('concerts.graphql', 'mutation LikeConcert($input: LikeInput!) { likeConcert(input: $input) }'),
];

/** Checks RELEASED against RELEASED with `edit` applied to its SDL. */
async function check(edit: (sdl: string) => string, operations = OPERATIONS): Promise<SchemaCheckResult> {
  const candidate = edit(RELEASED);
  expect(candidate, 'the edit changed nothing').not.toBe(RELEASED);
  return checkSchemaChanges(buildSchema(RELEASED), buildSchema(candidate), operations);
}

const verdicts = (result: SchemaCheckResult) => result.changes.map((c) => ({ path: c.path, verdict: c.verdict, operations: c.operations }));

describe('schema check: breaking changes a contract operation uses fail, with the operations named', () => {
  it.each([
    ['a removed field', (s: string) => s.replace('title: String!', ''), 'Concert.title', ['concerts.graphql ConcertPage']],
    ['a renamed field', (s: string) => s.replace('title: String!', 'name: String!'), 'Concert.title', ['concerts.graphql ConcertPage']],
    [
      'a removed argument',
      (s: string) => s.replace('concerts(status: ConcertStatus, first: Int)', 'concerts(first: Int)'),
      'Query.concerts.status',
      ['concerts.graphql Concerts'],
    ],
    ['a removed enum value', (s: string) => s.replace('ONGOING ', ''), 'ConcertStatus.ONGOING', ['concerts.graphql Concerts']],
    ['an output field made non-null', (s: string) => s.replace('venue: String', 'venue: String!'), 'Concert.venue', ['concerts.graphql ConcertPage']],
    ['an output field made nullable', (s: string) => s.replace('title: String!', 'title: String'), 'Concert.title', ['concerts.graphql ConcertPage']],
    [
      'a new required input field',
      (s: string) => s.replace('{ concertId: ID! }', '{ concertId: ID! source: String! }'),
      'LikeInput.source',
      ['concerts.graphql LikeConcert'],
    ],
    [
      'a new required argument',
      (s: string) => s.replace('concert(id: ID!)', 'concert(id: ID!, locale: String!)'),
      'Query.concert.locale',
      ['concerts.graphql ConcertPage'],
    ],
  ])('%s', async (_what, edit, path, operations) => {
    const result = await check(edit);
    expect(result.failed).toBe(true);
    expect(verdicts(result)).toContainEqual({ path, verdict: 'fail', operations });
    expect(formatSchemaCheck(result, { source: 'test', fallback: undefined })).toContain(`breaks: ${operations.join(', ')}`);
  });

  it('should name every operation a removed enum value can reach, as input or output', async () => {
    const operations = [...OPERATIONS, op('concerts.graphql', 'query Statuses { concert(id: "1") { status } }')];
    const result = await check((s) => s.replace('CANCELLED ', ''), operations);
    expect(verdicts(result)).toContainEqual({
      path: 'ConcertStatus.CANCELLED',
      verdict: 'fail',
      operations: ['concerts.graphql Concerts', 'concerts.graphql Statuses'],
    });
  });
});

describe('schema check: breaking changes no contract operation uses only warn', () => {
  it.each([
    ['a removed field', (s: string) => s.replace('internalNote: String', ''), 'Concert.internalNote'],
    [
      'a new required argument on a field nobody calls',
      (s: string) => s.replace('search(text: String)', 'search(text: String, limit: Int!)'),
      'Query.search.limit',
    ],
    [
      'a removed argument nobody passes',
      (s: string) => s.replace('concerts(status: ConcertStatus, first: Int)', 'concerts(status: ConcertStatus)'),
      'Query.concerts.first',
    ],
  ])('%s', async (_what, edit, path) => {
    const result = await check(edit);
    expect(result.failed).toBe(false);
    expect(verdicts(result)).toContainEqual({ path, verdict: 'warn', operations: [] });
    const report = formatSchemaCheck(result, { source: 'test', fallback: undefined }).split('\n');
    const line = report.findIndex((l) => l.startsWith('WARN ') && l.endsWith(`[${path}]`));
    expect(report.slice(line + 1, line + 3).map((l) => l.trim())).toContain('no contract operation uses it');
  });
});

describe('schema check: safe changes pass', () => {
  it('a new optional field and a description (a new optional argument is only a note)', async () => {
    const result = await check((s) =>
      s
        .replace('internalNote: String', 'internalNote: String\n    doorsOpenAt: String')
        .replace('search(text: String)', 'search(text: String, first: Int)')
        .replace('type Concert {', '"A live show."\n  type Concert {'),
    );
    expect(result.failed).toBe(false);
    expect(verdicts(result)).toEqual(
      expect.arrayContaining([
        { path: 'Concert.doorsOpenAt', verdict: 'safe', operations: [] },
        { path: 'Concert', verdict: 'safe', operations: [] },
        { path: 'Query.search.first', verdict: 'note', operations: [] },
      ]),
    );
    expect(result.changes).toHaveLength(3);
    expect(formatSchemaCheck(result, { source: 'test', fallback: undefined })).toMatch(/^passed: /m);
  });
});

describe('schema check on the real supergraph and contract', async () => {
  const released = parse(printSchema(apiSchemaOf(await readSupergraph())));
  const contract = loadContract();
  /** The released API schema with `edit` applied to the fields of one object type (their AST). */
  const editFields = (type: string, edit: (fields: readonly FieldDefinitionNode[]) => FieldDefinitionNode[]) => {
    const candidate = visit(released, {
      ObjectTypeDefinition: (node) => (node.name.value === type ? { ...node, fields: edit(node.fields ?? []) } : undefined),
    });
    expect(print(candidate), 'the edit changed nothing').not.toBe(print(released));
    return checkSchemaChanges(buildASTSchema(released), buildASTSchema(candidate), contract);
  };
  const newField = (sdl: string) => (parse(`type T { ${sdl} }`).definitions[0] as ObjectTypeDefinitionNode).fields![0]!;

  it('should fail on a removed Concert.venue, naming the contract operations that select it', async () => {
    const result = await editFields('Concert', (fields) => fields.filter((f) => f.name.value !== 'venue'));
    expect(result.failed).toBe(true);
    const change = result.changes.find((c) => c.path === 'Concert.venue');
    expect(change?.verdict).toBe('fail');
    expect(change?.operations).toEqual(expect.arrayContaining(['concerts.graphql Concerts', 'concerts.graphql Concert']));
  });

  it('should warn on a removed router-internal field no contract operation uses (Query.notificationsAdded)', async () => {
    const result = await editFields('Query', (fields) => fields.filter((f) => f.name.value !== 'notificationsAdded'));
    expect(result.failed).toBe(false);
    expect(verdicts(result)).toEqual([{ path: 'Query.notificationsAdded', verdict: 'warn', operations: [] }]);
  });

  it('should pass a new optional field and a changed description', async () => {
    const result = await editFields('Concert', (fields) => [
      ...fields.map((f) =>
        f.name.value === 'likeCount' ? { ...f, description: { kind: Kind.STRING, value: 'How many fans like it, right now.' } as const } : f,
      ),
      newField('"When the doors open." doorsOpenAt: DateTime'),
    ]);
    expect(result.failed).toBe(false);
    expect(verdicts(result)).toEqual(
      expect.arrayContaining([
        { path: 'Concert.doorsOpenAt', verdict: 'safe', operations: [] },
        { path: 'Concert.likeCount', verdict: 'safe', operations: [] },
      ]),
    );
    expect(result.changes.every((c) => c.verdict === 'safe')).toBe(true);
  });
});

describe('the released supergraph', () => {
  /** A throwaway repository holding schema/supergraph.graphql; `git(…)` runs in it. */
  function repository(branch: string) {
    const root = mkdtempSync(join(tmpdir(), 'schema-check-'));
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'pipe' });
    git('init', '-q', '-b', branch);
    mkdirSync(join(root, 'schema'));
    const commit = (sdl: string) => {
      writeFileSync(join(root, 'schema/supergraph.graphql'), sdl);
      git('add', '.');
      git('commit', '-q', '-m', sdl);
    };
    return { root, git, commit, [Symbol.dispose]: () => rmSync(root, { recursive: true, force: true }) };
  }

  it('should be the one at the merge base with main, or at --base', async () => {
    using repo = repository('main');
    repo.commit('released');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit('on the branch');
    writeFileSync(join(repo.root, 'schema/supergraph.graphql'), 'uncommitted');
    expect(await readReleasedSupergraph(undefined, repo.root)).toMatchObject({ sdl: 'released', fallback: undefined });
    expect((await readReleasedSupergraph(undefined, repo.root)).source).toMatch(/^the merge base with main \([0-9a-f]{12}\)$/);
    expect(await readReleasedSupergraph('HEAD', repo.root)).toMatchObject({ sdl: 'on the branch', fallback: undefined });
  });

  it("should be main's before HEAD when HEAD is main's head (CI on main), and HEAD's on main's first commit", async () => {
    using repo = repository('main');
    repo.commit('first release');
    expect(await readReleasedSupergraph(undefined, repo.root)).toMatchObject({ sdl: 'first release' });
    repo.commit('second release');
    repo.commit('third release');
    const released = await readReleasedSupergraph(undefined, repo.root);
    expect(released).toMatchObject({ sdl: 'second release', fallback: undefined });
    expect(released.source).toMatch(/^main before HEAD/);
  });

  it("should be HEAD's when there is no main, and say so", async () => {
    using repo = repository('trunk');
    repo.commit('first');
    repo.commit('second');
    expect(await readReleasedSupergraph(undefined, repo.root)).toMatchObject({ sdl: 'second', fallback: expect.stringMatching(/comparing with HEAD/) });
  });

  it('should be the checked-in file when there is no git history, and say so', async () => {
    using repo = repository('main');
    writeFileSync(join(repo.root, 'schema/supergraph.graphql'), 'never committed');
    expect(await readReleasedSupergraph(undefined, repo.root)).toMatchObject({ sdl: 'never committed', fallback: expect.stringMatching(/no git history/) });
  });

  it('should refuse a --base that names no commit', async () => {
    await expect(readReleasedSupergraph('no-such-ref-for-the-schema-check')).rejects.toThrow(/no such commit/);
  });
});

describe('npm run schema:check', () => {
  it('should pass on the current tree (exit 0)', { timeout: 90_000 }, async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    // execFile rejects on a non-zero exit code, printing the report (stdout) with it.
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'schema:check'], { cwd: root });
    expect(stdout).toMatch(/^schema check: the working tree's API schema against schema\/supergraph\.graphql at /);
    expect(stdout).toMatch(/^passed: /m);
  });
});
