/**
 * `npm run seed`: loads the demo data of ./data.ts into a running stack through the router's
 * public GraphQL API (so every rule, event and cache purge applies), as an admin account and
 * ten fan accounts. Idempotent: each thing is looked up first by its deterministic key (email,
 * title, room name, author and text) and only what is missing is created.
 *
 * The router URL: SEED_URL, else http://localhost:${PORT:-4000}/graphql. Sign-ins are few (one
 * per account per run) and a RATE_LIMITED answer is waited out and retried.
 */
import { pathToFileURL } from 'node:url';
import { ADMIN, ARTICLES, DEMO_PASSWORD, FANS, ROOMS, bookmarksArticle, concerts as concertSeeds, likesArticle, likesConcert } from './data.js';

interface GqlError {
  message: string;
  extensions?: { code?: string; retryAfter?: number; field?: string };
}
class GqlFailure extends Error {
  constructor(readonly errors: GqlError[]) {
    super(errors.map((e) => `${e.message}${e.extensions?.code ? ` (${e.extensions.code})` : ''}`).join('; '));
  }
  get code() {
    return this.errors[0]?.extensions?.code;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Text compared without markup, entities or punctuation (bodies are sanitised on write). */
const norm = (text: string) =>
  text
    .replace(/<[^>]*>|&[#\w]+;/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .toLowerCase();

function client(url: string, log: (line: string) => void) {
  return async function gql<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      let body: { data?: T; errors?: GqlError[] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new Error(`${url} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
      }
      const limited = body.errors?.find((e) => e.extensions?.code === 'RATE_LIMITED');
      if (limited && attempt < 5) {
        const wait = Math.min(120, limited.extensions?.retryAfter ?? 10);
        log(`rate limited (${limited.message}); waiting ${wait} s`);
        await sleep(wait * 1000);
        continue;
      }
      if (body.errors?.length) throw new GqlFailure(body.errors);
      if (!body.data) throw new Error(`${url} answered HTTP ${res.status} without data`);
      return body.data;
    }
  };
}

interface Page<N> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: N }>;
}

/** Every node of a connection, 100 at a time. */
async function all<N>(fetchPage: (after: string | null) => Promise<Page<N>>): Promise<N[]> {
  const out: N[] = [];
  for (let after: string | null = null; ; ) {
    const page: Page<N> = await fetchPage(after);
    out.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return out;
    after = page.pageInfo.endCursor;
  }
}

/** What a run created (all zero when everything existed). */
export interface SeedResult {
  accounts: number;
  concerts: number;
  setlists: number;
  concertLikes: number;
  articles: number;
  comments: number;
  articleLikes: number;
  bookmarks: number;
  rooms: number;
  memberships: number;
  messages: number;
}

const AUTH_FIELDS = '{ sessionToken user { id nickname roles } }';

/** Loads the demo data into the stack behind `url` (the router's /graphql). */
export async function seed(url: string, { log = (line: string) => console.log(`[seed] ${line}`), now = new Date() } = {}): Promise<SeedResult> {
  const gql = client(url, log);
  const created: SeedResult = {
    accounts: 0,
    concerts: 0,
    setlists: 0,
    concertLikes: 0,
    articles: 0,
    comments: 0,
    articleLikes: 0,
    bookmarks: 0,
    rooms: 0,
    memberships: 0,
    messages: 0,
  };
  const concertData = concertSeeds(now);

  // Has a seed run here before? Then accounts exist: log in first (one sign-in each), else sign up first.
  const marker = concertData[0]!;
  const byArtist = await gql<{ concerts: Page<{ title: string }> }>(
    'query($f: ConcertFilter) { concerts(filter: $f, first: 100) { pageInfo { hasNextPage endCursor } edges { node { id title } } } }',
    { f: { artist: marker.artist } },
  );
  const seededBefore = byArtist.concerts.edges.some((e) => e.node.title === marker.title);

  async function account(email: string, nickname: string) {
    const password = email === ADMIN.email ? (process.env.SEED_ADMIN_PASSWORD ?? DEMO_PASSWORD) : DEMO_PASSWORD;
    type Auth = { sessionToken: string; user: { id: string; nickname: string; roles: string[] } };
    const logIn = async () =>
      (await gql<{ logIn: Auth }>(`mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) ${AUTH_FIELDS} }`, { e: email, p: password })).logIn;
    const signUp = async () => {
      const auth = (await gql<{ signUp: Auth }>(`mutation($i: SignUpInput!) { signUp(input: $i) ${AUTH_FIELDS} }`, { i: { email, password, nickname } }))
        .signUp;
      created.accounts++;
      return auth;
    };
    try {
      return seededBefore ? await logIn() : await signUp();
    } catch (error) {
      const code = error instanceof GqlFailure ? error.code : undefined;
      if (seededBefore && code === 'UNAUTHENTICATED') return signUp();
      if (!seededBefore && code === 'CONFLICT' && /email/i.test(error instanceof Error ? error.message : '')) {
        try {
          return await logIn();
        } catch (inner) {
          throw new Error(
            `${email} exists with another password (set SEED_ADMIN_PASSWORD for the admin): ${inner instanceof Error ? inner.message : String(inner)}`,
          );
        }
      }
      throw error;
    }
  }

  // Accounts: the admin, then the fans; one session each for the whole run.
  const admin = await account(ADMIN.email, ADMIN.nickname);
  if (!admin.user.roles.includes('ADMIN')) throw new Error(`${ADMIN.email} is not an admin here: start the stack with it in ADMIN_EMAILS`);
  const fans: Array<{ sessionToken: string; user: { id: string; nickname: string } }> = [];
  for (const fan of FANS) fans.push(await account(fan.email, fan.nickname));
  log(`accounts: ${1 + fans.length} (${created.accounts} new)`);

  // Concerts by title, with whether each has a setlist.
  type ConcertNode = { id: string; title: string; setlist: { id: string } | null };
  const listConcerts = () =>
    all<ConcertNode>(
      async (after) =>
        (
          await gql<{ concerts: Page<ConcertNode> }>(
            'query($after: String) { concerts(first: 50, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id title setlist { id } } } } }',
            { after },
            admin.sessionToken,
          )
        ).concerts,
    );
  const concertByTitle = new Map((await listConcerts()).map((c) => [c.title, c]));
  for (const c of concertData) {
    let existing = concertByTitle.get(c.title);
    if (!existing) {
      const { setlist: _setlist, ...input } = c;
      const made = (
        await gql<{ createConcert: { id: string; title: string } }>(
          'mutation($i: CreateConcertInput!) { createConcert(input: $i) { id title } }',
          { i: input },
          admin.sessionToken,
        )
      ).createConcert;
      existing = { ...made, setlist: null };
      concertByTitle.set(c.title, existing);
      created.concerts++;
    }
    if (c.setlist && !existing.setlist) {
      await gql(
        'mutation($c: ID!, $i: SetlistInput!) { upsertSetlist(concertId: $c, input: $i) { id } }',
        { c: existing.id, i: c.setlist },
        admin.sessionToken,
      );
      created.setlists++;
    }
  }
  const concertId = (title: string) => {
    const c = concertByTitle.get(title);
    if (!c) throw new Error(`seed data names an unknown concert: ${title}`);
    return c.id;
  };
  log(`concerts: ${concertData.length} (${created.concerts} new, ${created.setlists} setlists new)`);

  // Concert likes, per fan from their own liked list.
  for (const [f, fan] of fans.entries()) {
    const liked = await all<{ id: string }>(
      async (after) =>
        (
          await gql<{ me: { likedConcerts: Page<{ id: string }> } }>(
            'query($after: String) { me { id likedConcerts(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } }',
            { after },
            fan.sessionToken,
          )
        ).me.likedConcerts,
    );
    const likedIds = new Set(liked.map((c) => c.id));
    for (const [i, c] of concertData.entries()) {
      const id = concertId(c.title);
      if (!likesConcert(f, i) || likedIds.has(id)) continue;
      await gql('mutation($id: ID!) { likeConcert(id: $id) { id } }', { id }, fan.sessionToken);
      created.concertLikes++;
    }
  }
  log(`concert likes: ${created.concertLikes} new`);

  // Articles by title, then their comments (by author and text), likes and bookmarks.
  type ArticleNode = { id: string; title: string };
  const listArticles = (token: string) =>
    all<ArticleNode & { viewerHasLiked: boolean; viewerHasBookmarked: boolean }>(
      async (after) =>
        (
          await gql<{ articles: Page<ArticleNode & { viewerHasLiked: boolean; viewerHasBookmarked: boolean }> }>(
            'query($after: String) { articles(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id title viewerHasLiked viewerHasBookmarked } } } }',
            { after },
            token,
          )
        ).articles,
    );
  const articleByTitle = new Map((await listArticles(admin.sessionToken)).map((a) => [a.title, a.id]));
  for (const a of ARTICLES) {
    let id = articleByTitle.get(a.title);
    if (!id) {
      const input = { title: a.title, body: a.body, tags: a.tags, ...(a.concert ? { concertId: concertId(a.concert) } : {}) };
      id = (
        await gql<{ createArticle: { id: string } }>(
          'mutation($i: CreateArticleInput!) { createArticle(input: $i) { id } }',
          { i: input },
          fans[a.author]!.sessionToken,
        )
      ).createArticle.id;
      articleByTitle.set(a.title, id);
      created.articles++;
    }
    type CommentNode = { body: string; author: { nickname: string } | null };
    const comments = await all<CommentNode>(
      async (after) =>
        (
          await gql<{ article: { comments: Page<CommentNode> } }>(
            'query($id: ID!, $after: String) { article(id: $id) { id comments(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id body author { id nickname } } } } } }',
            { id, after },
          )
        ).article.comments,
    );
    const have = new Set(comments.map((c) => `${c.author?.nickname}\u0000${norm(c.body)}`));
    for (const c of a.comments) {
      const fan = fans[c.author]!;
      if (have.has(`${fan.user.nickname}\u0000${norm(c.body)}`)) continue;
      await gql('mutation($a: ID!, $b: String!) { addComment(articleId: $a, body: $b) { id } }', { a: id, b: c.body }, fan.sessionToken);
      created.comments++;
    }
  }
  for (const [f, fan] of fans.entries()) {
    const seen = new Map((await listArticles(fan.sessionToken)).map((a) => [a.id, a]));
    for (const [i, a] of ARTICLES.entries()) {
      const id = articleByTitle.get(a.title)!;
      const state = seen.get(id);
      if (likesArticle(f, i) && !state?.viewerHasLiked) {
        await gql('mutation($id: ID!) { likeArticle(id: $id) { id } }', { id }, fan.sessionToken);
        created.articleLikes++;
      }
      if (bookmarksArticle(f, i) && !state?.viewerHasBookmarked) {
        await gql('mutation($id: ID!) { bookmarkArticle(id: $id) { id } }', { id }, fan.sessionToken);
        created.bookmarks++;
      }
    }
  }
  log(
    `articles: ${ARTICLES.length} (${created.articles} new, ${created.comments} comments, ${created.articleLikes} likes, ${created.bookmarks} bookmarks new)`,
  );

  // Chat rooms: concert rooms by concert (a concert has one room), others by name.
  type RoomNode = { id: string; name: string; concert: { id: string } | null };
  const rooms = await all<RoomNode>(
    async (after) =>
      (
        await gql<{ chatRooms: Page<RoomNode> }>(
          'query($after: String) { chatRooms(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id name concert { id } } } } }',
          { after },
          admin.sessionToken,
        )
      ).chatRooms,
  );
  for (const r of ROOMS) {
    const cId = r.concert ? concertId(r.concert) : null;
    let room = rooms.find((x) => (cId ? x.concert?.id === cId : !x.concert && x.name === r.name));
    const creator = fans[r.creator]!;
    if (!room) {
      const made = (
        await gql<{ createChatRoom: { id: string; name: string } }>(
          'mutation($i: CreateChatRoomInput!) { createChatRoom(input: $i) { id name } }',
          { i: { name: r.name, ...(cId ? { concertId: cId } : {}) } },
          creator.sessionToken,
        )
      ).createChatRoom;
      room = { ...made, concert: cId ? { id: cId } : null };
      rooms.push(room);
      created.rooms++;
    }
    for (const m of new Set([r.creator, ...r.members])) {
      const fan = fans[m]!;
      const { chatRoom } = await gql<{ chatRoom: { viewerIsMember: boolean } }>(
        'query($id: ID!) { chatRoom(id: $id) { id viewerIsMember } }',
        { id: room.id },
        fan.sessionToken,
      );
      if (chatRoom.viewerIsMember) continue;
      await gql('mutation($id: ID!) { joinChatRoom(roomId: $id) { id } }', { id: room.id }, fan.sessionToken);
      created.memberships++;
    }
    type MessageNode = { body: string; author: { nickname: string } | null };
    const { chatRoom } = await gql<{ chatRoom: { messages: Page<MessageNode> } }>(
      'query($id: ID!) { chatRoom(id: $id) { id messages(last: 100) { pageInfo { hasPreviousPage startCursor } edges { node { id body author { id nickname } } } } } }',
      { id: room.id },
      creator.sessionToken,
    );
    const have = new Set(chatRoom.messages.edges.map(({ node }) => `${node.author?.nickname}\u0000${norm(node.body)}`));
    for (const [author, body] of r.messages) {
      const fan = fans[author]!;
      if (have.has(`${fan.user.nickname}\u0000${norm(body)}`)) continue;
      await gql('mutation($r: ID!, $b: String!) { sendMessage(roomId: $r, body: $b) { id } }', { r: room.id, b: body }, fan.sessionToken);
      created.messages++;
    }
  }
  log(`chat rooms: ${ROOMS.length} (${created.rooms} new, ${created.memberships} memberships, ${created.messages} messages new)`);

  const total = Object.values(created).reduce((a, b) => a + b, 0);
  log(total ? `done: ${total} things created` : 'done: everything was already there, nothing created');
  return created;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = process.env.SEED_URL ?? `http://localhost:${process.env.PORT ?? 4000}/graphql`;
  console.log(`[seed] loading demo data through ${url}`);
  seed(url).then(
    () => process.exit(0),
    (error: unknown) => {
      const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
      console.error(`[seed] failed: ${error instanceof Error ? error.message : String(error)}${cause}`);
      if (error instanceof TypeError && /fetch failed/.test(error.message)) console.error(`[seed] is the stack running? start it with npm run dev`);
      process.exit(1);
    },
  );
}
