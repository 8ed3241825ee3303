/**
 * The side-by-side benchmark's scenarios: what each contender is sent. Selections follow the
 * client contract (`contract/*.graphql`) where it has the operation.
 *
 * A scenario builds its request variants per contender kind:
 *   - `router`: the stagelives router, signed-in requests with `Authorization: Bearer <session>`;
 *   - `gateway`: a peer gateway, signed-in requests with the identity the router would have signed
 *     (`x-stagelives-identity` + `x-request-id`), which the peer forwards to the subgraphs;
 *   - `subgraph`: the subgraph called directly (the floor), with the same identity headers; only
 *     what that one subgraph can answer: for a scenario spanning several subgraphs, the root
 *     fetch (the subgraph's own part of the selection, marked as such), or nothing (n/a).
 */
import { operationManifest } from '@stagelives/schema';
import type { Variant } from './load.js';
import { prng, type Seeded } from './seed.js';

export type ContenderKind = 'router' | 'gateway' | 'subgraph';

export interface Scenario {
  key: string;
  title: string;
  /** The subgraph called directly for the floor, and whether that call is only the root fetch. */
  subgraph: { name: string; rootFetchOnly: boolean } | null;
  variants(kind: ContenderKind): Variant[] | null;
  /** What the unmeasured warm-up sends (default: the same variants). */
  warmup?(kind: ContenderKind): Variant[] | null;
  /**
   * A fault held during the measurement: `hang` is a subgraph whose process is stopped (SIGSTOP)
   * before the first request and resumed (SIGCONT) after the run. Measured on the router (cache
   * off) only: the peers have no subgraph timeout and would wait out BENCH_TIMEOUT_SECONDS.
   */
  fault?: { hang: string };
}

/** A client contract operation's text, as clients send it (`contract/*.graphql`). */
function contractOperation(name: string): string {
  const op = operationManifest().operations.find((o) => o.name === name);
  if (!op) throw new Error(`contract/ has no operation ${name}`);
  return op.body;
}

const body = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  JSON.stringify({ query, ...(variables ? { variables } : {}), ...(operationName ? { operationName } : {}) });

/** contract/concerts.graphql `Concerts`, anonymous. */
const CONCERTS_PAGE = contractOperation('Concerts');

/** The concert page over four subgraphs: concerts, users (`createdBy`), setlists, articles. */
const CONCERTS_PAGE_4 = `query ConcertsFull($first: Int) {
  concerts(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id title artist venue startsAt status posterUrl likeCount
        createdBy { id nickname avatarUrl }
        setlist { id songs { order title artist } playlists { provider url } }
        articles { totalCount }
      }
    }
  }
}`;
/** What the concerts subgraph answers of it: the gateway's first fetch. */
const CONCERTS_PAGE_4_ROOT = `query ConcertsFull($first: Int) {
  concerts(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id title artist venue startsAt status posterUrl likeCount createdBy { __typename id } } }
  }
}`;

/** contract/articles.graphql `Article`, anonymous, 20 comments. */
const ARTICLE = contractOperation('Article');
const ARTICLE_ROOT = `query Article($id: ID!, $first: Int, $after: String) {
  article(id: $id) {
    id title body tags createdAt updatedAt
    author { __typename id }
    concert { __typename id }
    likeCount commentCount viewerHasLiked viewerHasBookmarked
    comments(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id body createdAt author { __typename id } } }
    }
  }
}`;

/** contract/users.graphql `Me`. */
const ME = contractOperation('Me');

/** contract/concerts.graphql `LikeConcert` / `UnlikeConcert`. */
const LIKE = contractOperation('LikeConcert');
const UNLIKE = contractOperation('UnlikeConcert');

/**
 * At the router's depth limit (MAX_DEPTH 12): depth 12 through Concert → articles → Article →
 * concert → articles → author with 5 aliases, across three subgraphs and five sequential fetches.
 * Its cost, lists counted at their actual sizes (router/src/cost/), is 70 of MAX_COST's 6000
 * (graphql-armor's former cost rule counted it near its 5000).
 */
const DEEP = `query Deep {
  soon: concerts(first: 3) {
    edges {
      node {
        title
        recent: articles(first: 2) {
          edges {
            node {
              title
              about: concert {
                title
                more: articles(first: 2) {
                  edges { node { writer: author { nickname } } }
                }
              }
            }
          }
        }
      }
    }
  }
}`;

const CONCERT_FIELDS = [
  'id',
  'title',
  'artist',
  'venue',
  'startsAt',
  'endsAt',
  'ticketOpenAt',
  'status',
  'posterUrl',
  'createdAt',
  'updatedAt',
  'description',
  'likeCount',
];

/**
 * `count` distinct operations on the concert list: a subset of fields in shuffled order, an
 * alias, a page size, and for some a `createdBy` (users) or `setlist` (setlists) selection.
 * Every text differs, so each one is a new parse, validation and query plan for a cold cache.
 * The `direct` form drops what the concerts subgraph cannot answer.
 */
export function generatedShapes(count: number, seed = 7): Array<{ full: string; direct: string }> {
  const r = prng(seed);
  const shapes: Array<{ full: string; direct: string }> = [];
  const seen = new Set<string>();
  for (let i = 0; shapes.length < count; i += 1) {
    const fields = [...CONCERT_FIELDS].sort(() => r.next() - 0.5).slice(0, 3 + r.int(CONCERT_FIELDS.length - 3));
    const foreign: string[] = [];
    if (r.next() < 0.4) foreign.push(r.next() < 0.5 ? 'createdBy { id nickname }' : 'createdBy { nickname avatarUrl id }');
    if (r.next() < 0.3) foreign.push(r.next() < 0.5 ? 'setlist { songs { order title } }' : 'setlist { id playlists { url } }');
    const alias = `${['list', 'page', 'shows', 'upcoming'][r.int(4)]}${i}`;
    const first = 5 + r.int(16);
    const wrap = (sel: string[]) =>
      `query Shape${i} { ${alias}: concerts(first: ${first}) { ${r.next() < 0.5 ? 'totalCount ' : ''}edges { node { ${sel.join(' ')} } } } }`;
    const full = wrap([...fields, ...foreign].sort(() => r.next() - 0.5));
    if (seen.has(full)) continue;
    seen.add(full);
    const direct = full.replace(/ createdBy \{[^}]*\}| setlist \{[^{}]*(\{[^}]*\}[^{}]*)?\}/g, '');
    shapes.push({ full, direct });
  }
  return shapes;
}

export function buildScenarios(seeded: Seeded, shapeCount = 500): Scenario[] {
  const sessions = seeded.sessions;
  const articles = seeded.commentedArticleIds.slice(0, 20);
  // Concerts far from the first page: likes never touch the pages the read scenarios cache.
  const from = Math.floor(seeded.concertIds.length / 2);
  const likePairs = Array.from({ length: 400 }, (_, j) => ({
    session: sessions[j % sessions.length]!,
    concertId: seeded.concertIds[(from + j) % seeded.concertIds.length]!,
  }));
  const shapes = generatedShapes(shapeCount);
  // Warm-up on other operations (another seed, other names): the measured ones stay cold.
  const warmShapes = generatedShapes(20, 99).map((s) => ({
    full: s.full.replace('query Shape', 'query Warm'),
    direct: s.direct.replace('query Shape', 'query Warm'),
  }));
  const signedIn = (kind: ContenderKind, s: (typeof sessions)[number]): Record<string, string> =>
    kind === 'router' ? { authorization: `Bearer ${s.token}` } : s.identityHeaders;

  return [
    {
      key: 'trivial',
      title: '{ __typename } (no subgraph call)',
      subgraph: { name: 'concerts', rootFetchOnly: false },
      variants: () => [{ body: body('{ __typename }') }],
    },
    {
      key: 'page',
      title: 'anonymous concert page (20, one subgraph)',
      subgraph: { name: 'concerts', rootFetchOnly: false },
      variants: () => [{ body: body(CONCERTS_PAGE, { first: 20 }) }],
    },
    {
      key: 'page4',
      title: 'concert page + createdBy, setlist, articles.totalCount (four subgraphs)',
      subgraph: { name: 'concerts', rootFetchOnly: true },
      variants: (kind) => [{ body: body(kind === 'subgraph' ? CONCERTS_PAGE_4_ROOT : CONCERTS_PAGE_4, { first: 20 }) }],
    },
    {
      key: 'page4-hung',
      title: 'the same four-subgraph page while setlists hangs (SIGSTOP): timeout, then breaker, setlist null',
      subgraph: { name: 'concerts', rootFetchOnly: true },
      variants: (kind) => (kind === 'router' ? [{ body: body(CONCERTS_PAGE_4, { first: 20 }) }] : null),
      fault: { hang: 'setlists' },
    },
    {
      key: 'article',
      title: 'article with 20 comments and their authors (20 articles in turn)',
      subgraph: { name: 'articles', rootFetchOnly: true },
      variants: (kind) => articles.map((id) => ({ body: body(kind === 'subgraph' ? ARTICLE_ROOT : ARTICLE, { id, first: 20 }) })),
    },
    {
      key: 'me',
      title: 'me with a session (200 users in turn)',
      subgraph: { name: 'users', rootFetchOnly: false },
      variants: (kind) => sessions.map((s) => ({ body: body(ME), headers: signedIn(kind, s) })),
    },
    {
      key: 'like',
      title: 'likeConcert / unlikeConcert (write; 200 users × 400 pairs, like then unlike)',
      subgraph: { name: 'concerts', rootFetchOnly: false },
      variants: (kind) => [
        ...likePairs.map((p) => ({ body: body(LIKE, { id: p.concertId }), headers: signedIn(kind, p.session) })),
        ...likePairs.map((p) => ({ body: body(UNLIKE, { id: p.concertId }), headers: signedIn(kind, p.session) })),
      ],
    },
    {
      key: 'deep',
      title: 'deep query near the limits (depth 12, cost < 5000, 5 aliases, 3 subgraphs)',
      subgraph: null,
      variants: (kind) => (kind === 'subgraph' ? null : [{ body: body(DEEP) }]),
    },
    {
      key: 'shapes',
      title: `${shapeCount} distinct operation shapes (plan cache cold on the first pass)`,
      subgraph: { name: 'concerts', rootFetchOnly: true },
      variants: (kind) => shapes.map((s) => ({ body: body(kind === 'subgraph' ? s.direct : s.full) })),
      warmup: (kind) => warmShapes.map((s) => ({ body: body(kind === 'subgraph' ? s.direct : s.full) })),
    },
  ];
}
