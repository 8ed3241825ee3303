// Every field reachable from the graph's main entities, run as several viewers through the real
// router (response cache off, so each answer is the subgraphs' own): a field that answers one
// viewer differently from another must be declared @viewerDependent where it is defined, because
// subscription groups and the response cache share answers between viewers on that declaration
// alone. A new field without its declaration turns this suite red.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getNamedType,
  isCompositeType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { ViewerDependentFields } from '@stagelives/router';
import { SUPERGRAPH_PATH } from '@stagelives/schema';
import { apiSchemaOf } from '@stagelives/schema/tooling';
import { MINUTE, at, startNotificationsStack, waitFor, type NotificationsStack } from '../notifications/fixtures.js';
import { gql, ok, signUp, signUpAdmin, type GqlResult } from '../support/harness.js';

type Viewer = { name: string; token?: string };
/** One step from a parent to a field: `name` and its arguments as written in the query. */
type Step = { field: string; args?: string };
/** How to reach an object of a type: a root field with its arguments, then steps. */
type Path = { root: Step; steps: Step[] };

const supergraph = readFileSync(SUPERGRAPH_PATH, 'utf8');
const schema: GraphQLSchema = apiSchemaOf(supergraph);
const declared = ViewerDependentFields.fromSupergraph(supergraph);

const requiredArgs = (field: GraphQLField<unknown, unknown>) => field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);

/**
 * A selection that shows a field's whole answer a few levels down, without the declared fields
 * below it (their own differences are theirs, checked on their own) and without fields that need
 * arguments.
 */
function selectionOf(type: GraphQLNamedType, depth: number): string {
  if (isLeafType(type) || !isObjectType(type)) return '';
  const parts = ['__typename'];
  for (const field of Object.values(type.getFields())) {
    if (requiredArgs(field).length || declared.of(type.name, field.name)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (depth > 0 && isObjectType(named)) parts.push(`${field.name} { ${selectionOf(named, depth - 1)} }`);
  }
  return parts.join(' ');
}

/** Shortest paths from the entry points to every object type reachable through fields without required arguments. */
function pathsFrom(entries: Array<{ root: Step; type: string }>): Map<string, Path> {
  const paths = new Map<string, Path>();
  const queue: string[] = [];
  for (const entry of entries) {
    if (paths.has(entry.type)) continue;
    paths.set(entry.type, { root: entry.root, steps: [] });
    queue.push(entry.type);
  }
  while (queue.length) {
    const name = queue.shift()!;
    const type = schema.getType(name) as GraphQLObjectType;
    const path = paths.get(name)!;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (!isObjectType(named) || paths.has(named.name) || requiredArgs(field).length) continue;
      paths.set(named.name, { root: path.root, steps: [...path.steps, { field: field.name }] });
      queue.push(named.name);
    }
  }
  return paths;
}

const stepText = (s: Step) => `${s.field}${s.args ? `(${s.args})` : ''}`;

function queryFor(path: Path, inner: string): string {
  let body = inner;
  for (const step of [...path.steps].reverse()) body = `${stepText(step)} { ${body} }`;
  return `{ ${stepText(path.root)} { ${body} } }`;
}

/** Follows the path in an answer, taking the first item of every list; undefined when the parent is not there. */
function parentIn(data: unknown, path: Path): Record<string, unknown> | undefined {
  let value: unknown = (data as Record<string, unknown> | undefined)?.[path.root.field];
  for (const step of path.steps) {
    if (Array.isArray(value)) value = value[0];
    value = (value as Record<string, unknown> | null | undefined)?.[step.field];
  }
  if (Array.isArray(value)) value = value[0];
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

/** What a viewer sees of one field: its value (or that it took its parent away) and the codes of the errors. */
function answerOf(result: GqlResult<Record<string, unknown>>, path: Path, field: string): string {
  const parent = parentIn(result.data, path);
  const codes = (result.errors ?? []).map((e) => String(e.extensions?.code ?? 'none')).sort();
  return JSON.stringify({ value: parent ? parent[field] : '(the object itself is gone)', errors: codes });
}

describe('Fields whose answer depends on the viewer', () => {
  let n: NotificationsStack;
  let viewers: Viewer[];
  let entries: Array<{ root: Step; type: string }>;

  beforeAll(async () => {
    // The subgraphs' own answers: no response cache and no shared in-flight fetches between viewers.
    n = await startNotificationsStack({ RESPONSE_CACHE: 'off', SUBGRAPH_FETCH_DEDUPE: 'off' });
    const { stack } = n;
    const [admin, owner, other] = [await signUpAdmin(stack), await signUp(stack), await signUp(stack)];
    viewers = [{ name: 'anonymous' }, { name: 'owner', token: owner.token }, { name: 'other', token: other.token }, { name: 'admin', token: admin.token }];
    // A concert starting in 30 minutes: the owner's like schedules a start reminder that is due at
    // once, so the owner has a scheduled notification and a sent one.
    const { createConcert: concert } = await ok(
      stack,
      'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
      { input: { title: 'Viewer show', artist: 'IU', venue: 'KSPO Dome', startsAt: at(Date.now() + 30 * MINUTE) } },
      { token: admin.token },
    );
    await ok(
      stack,
      'mutation($concertId: ID!, $input: SetlistInput!) { upsertSetlist(concertId: $concertId, input: $input) { id } }',
      {
        concertId: concert.id,
        input: { songs: [{ title: 'Blueming', artist: 'IU' }], playlistUrls: ['https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M'] },
      },
      { token: admin.token },
    );
    await ok(stack, 'mutation($id: ID!) { likeConcert(id: $id) { id } }', { id: concert.id }, { token: owner.token });
    const { createArticle: article } = await ok(
      stack,
      'mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }',
      { input: { title: 'Setlist talk', body: '<p>Who is going?</p>', tags: ['iu'], concertId: concert.id } },
      { token: owner.token },
    );
    await ok(
      stack,
      'mutation($id: ID!, $body: String!) { addComment(articleId: $id, body: $body) { id } }',
      { id: article.id, body: 'Me!' },
      { token: other.token },
    );
    await ok(stack, 'mutation($id: ID!) { likeArticle(id: $id) { id } }', { id: article.id }, { token: owner.token });
    await ok(stack, 'mutation($id: ID!) { bookmarkArticle(id: $id) { id } }', { id: article.id }, { token: owner.token });
    const { createChatRoom: room } = await ok(
      stack,
      'mutation($input: CreateChatRoomInput!) { createChatRoom(input: $input) { id } }',
      { input: { name: 'Viewer room', concertId: concert.id } },
      { token: owner.token },
    );
    await ok(stack, 'mutation($roomId: ID!) { joinChatRoom(roomId: $roomId) { id } }', { roomId: room.id }, { token: other.token });
    await ok(
      stack,
      'mutation($roomId: ID!, $body: String!) { sendMessage(roomId: $roomId, body: $body) { id } }',
      { roomId: room.id, body: 'hello from the owner' },
      { token: owner.token },
    );
    await waitFor(
      () => ok(stack, '{ me { notifications { totalCount } } }', {}, { token: owner.token }),
      (d) => d.me.notifications.totalCount > 0,
      20_000,
      'the start reminder sent',
    );
    const id = (value: string) => JSON.stringify(value);
    entries = [
      { root: { field: 'concert', args: `id: ${id(concert.id)}` }, type: 'Concert' },
      { root: { field: 'article', args: `id: ${id(article.id)}` }, type: 'Article' },
      { root: { field: 'user', args: `id: ${id(owner.user.id)}` }, type: 'User' },
      { root: { field: 'chatRoom', args: `id: ${id(room.id)}` }, type: 'ChatRoom' },
    ];
  }, 120_000);

  afterAll(async () => {
    await n?.close();
  });

  it('should read the declarations from the supergraph, the owner-only fields of User among them', () => {
    expect(declared.of('User', 'notifications')).toBe('OWNER');
    expect(declared.of('User', 'scheduledNotifications')).toBe('OWNER');
    expect(declared.of('User', 'email')).toBe('OWNER');
    expect(declared.of('Concert', 'viewerHasLiked')).toBe('VIEWER');
    expect(declared.of('Concert', 'title')).toBeUndefined();
  });

  it('should declare @viewerDependent on every field reachable from Concert, Article, User and ChatMessage that answers viewers differently', async () => {
    const paths = pathsFrom(entries);
    for (const type of ['Concert', 'Article', 'User', 'ChatMessage', 'ChatRoom', 'Comment', 'Setlist', 'Notification', 'ScheduledNotification']) {
      expect(paths.has(type), `${type} is reachable`).toBe(true);
    }
    const undeclared: string[] = [];
    const reached = new Map<string, number>();
    const tested: string[] = [];
    for (const [typeName, path] of paths) {
      // Who reaches an object of this type at all; a field that then makes the object disappear
      // for some of them (a non-null field refused, its error nulling the parent) answers differently too.
      const baseline = await Promise.all(viewers.map((v) => gql<Record<string, unknown>>(n.stack, queryFor(path, '__typename'), {}, { token: v.token })));
      const reaching = viewers.filter((_, i) => parentIn(baseline[i]!.data, path));
      reached.set(typeName, reaching.length);
      if (reaching.length < 2) continue;
      const type = schema.getType(typeName) as GraphQLObjectType;
      for (const field of Object.values(type.getFields())) {
        if (requiredArgs(field).length) continue;
        const named = getNamedType(field.type);
        const inner = isCompositeType(named) ? `${field.name} { ${selectionOf(named, isListType(field.type) ? 2 : 3)} }` : field.name;
        const query = queryFor(path, `__typename ${inner}`);
        const results = await Promise.all(reaching.map((v) => gql<Record<string, unknown>>(n.stack, query, {}, { token: v.token })));
        const answers = new Map<string, string[]>();
        results.forEach((result, i) => {
          const answer = answerOf(result, path, field.name);
          answers.set(answer, [...(answers.get(answer) ?? []), reaching[i]!.name]);
        });
        tested.push(`${typeName}.${field.name}`);
        if (answers.size > 1 && !declared.of(typeName, field.name)) {
          undeclared.push(`${typeName}.${field.name}: ${[...answers.values()].map((who) => who.join('+')).join(' ≠ ')}`);
        }
      }
    }
    // The seeded objects are seen by at least two viewers each, so every field of them was compared.
    for (const type of ['Concert', 'Article', 'User', 'ChatMessage', 'ChatRoom', 'Comment', 'Setlist', 'Notification', 'ScheduledNotification']) {
      expect(reached.get(type), `${type} seen by two viewers or more`).toBeGreaterThanOrEqual(2);
    }
    expect(tested).toEqual(
      expect.arrayContaining([
        'User.notifications',
        'User.scheduledNotifications',
        'User.email',
        'Concert.viewerHasLiked',
        'ChatMessage.author',
        'Notification.title',
      ]),
    );
    expect(undeclared, 'fields that answer viewers differently without @viewerDependent').toEqual([]);
  }, 180_000);
});
