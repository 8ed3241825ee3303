/**
 * The rehearsal's load: the accounts, devices, concerts, rooms and articles it works on
 * (`setUp`), then mixed HTTP requests from CONCURRENCY loops until a deadline (`runLoad`),
 * each counted by operation and error kind, with its latency (`LoadStats`).
 */
import { type Gql, type Result, must, pool } from './client.js';
import { ADMIN, CONCURRENCY, DEVICES, FANS, PASSWORD, REMINDER_OFFSETS, ROOMS, say, since } from './config.js';

/** What the setup created, by id; the load, the subscribers and the checks work on it. */
export interface World {
  admin: { token: string; id: string };
  fans: Array<{ token: string; id: string }>;
  /** Each fan's device tokens, by user id. */
  tokensOf: Map<string, string[]>;
  /** Concerts the load reads and likes. */
  filler: string[];
  rooms: string[];
  /** The first message of each room: the subscribers start after it. */
  hello: Array<{ seq: number; cursor: string }>;
  articles: string[];
  /** Concerts whose ticket-open reminders fall due during the load (every fan likes every one). */
  reminderConcerts: string[];
  /** When the load was planned to start (the reminders are due relative to it). */
  loadStartsAt: number;
}

export async function setUp(gql: Gql): Promise<World> {
  const signUp = async (email: string, nickname: string) => {
    const data = await must(gql, 'mutation($input: SignUpInput!) { signUp(input: $input) { sessionToken user { id } } }', {
      input: { email, password: PASSWORD, nickname },
    });
    return { token: data.signUp.sessionToken as string, id: data.signUp.user.id as string };
  };
  const admin = await signUp(ADMIN, 'admin');
  const fans = await pool(
    Array.from({ length: FANS }, (_, i) => i),
    4,
    (i) => signUp(`fan${i}@rehearsal.test`, `fan${i}`),
  );
  const tokensOf = new Map<string, string[]>();
  await pool(fans, 6, async (fan, i) => {
    const tokens = Array.from({ length: DEVICES }, (_, d) => `rh-device-${i}-${d}`);
    tokensOf.set(fan.id, tokens);
    for (const token of tokens) await must(gql, 'mutation($token: String!) { registerDevice(token: $token, platform: ANDROID) }', { token }, fan.token);
    await must(
      gql,
      'mutation($input: NotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { ticketOpen } }',
      { input: { ticketOpen: true, concertStart: false, ticketOpenLeadMinutes: 5 } },
      fan.token,
    );
  });
  const createConcert = async (title: string, startsAt: Date, ticketOpenAt?: Date) =>
    (
      await must(
        gql,
        'mutation($input: CreateConcertInput!) { createConcert(input: $input) { id } }',
        {
          input: {
            title,
            artist: 'Rehearsal Band',
            venue: 'Loopback Hall',
            startsAt: startsAt.toISOString(),
            ...(ticketOpenAt && { ticketOpenAt: ticketOpenAt.toISOString() }),
          },
        },
        admin.token,
      )
    ).createConcert.id as string;
  const filler = await pool(
    Array.from({ length: 6 }, (_, i) => i),
    3,
    (i) => createConcert(`Filler show ${i}`, new Date(Date.now() + (30 + i) * 86_400_000)),
  );
  const rooms = await pool(
    Array.from({ length: ROOMS }, (_, i) => i),
    3,
    async (i) =>
      (await must(gql, 'mutation($input: CreateChatRoomInput!) { createChatRoom(input: $input) { id } }', { input: { name: `room ${i}` } }, fans[i]!.token))
        .createChatRoom.id as string,
  );
  await pool(
    fans.flatMap((fan, f) => rooms.map((room, r) => ({ fan, room, owner: f === r }))).filter((x) => !x.owner),
    6,
    ({ fan, room }) => must(gql, 'mutation($roomId: ID!) { joinChatRoom(roomId: $roomId) { id } }', { roomId: room }, fan.token),
  );
  const hello = await pool(
    rooms,
    3,
    async (room, i) =>
      (
        await must(
          gql,
          'mutation($roomId: ID!, $body: String!) { sendMessage(roomId: $roomId, body: $body) { seq cursor } }',
          { roomId: room, body: 'hello' },
          fans[i]!.token,
        )
      ).sendMessage as { seq: number; cursor: string },
  );
  const articles = await pool(
    [0, 1, 2],
    3,
    async (i) =>
      (
        await must(
          gql,
          'mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }',
          { input: { title: `Rehearsal notes ${i}`, body: 'Loud and clear.', tags: ['rehearsal'] } },
          fans[i]!.token,
        )
      ).createArticle.id as string,
  );

  // Reminder concerts: ticket sales open 5 minutes (the shortest lead) after their reminder is
  // due, so each fan's TICKET_OPEN reminder fires during the load. Every fan likes every one.
  const loadStartsAt = Date.now() + 8_000;
  const reminderConcerts = await pool(REMINDER_OFFSETS, 3, (offset, i) =>
    createConcert(`Ticket rush ${i}`, new Date(Date.now() + 2 * 86_400_000), new Date(loadStartsAt + offset * 1000 + 5 * 60_000)),
  );
  await pool(
    fans.flatMap((fan) => reminderConcerts.map((concert) => ({ fan, concert }))),
    8,
    ({ fan, concert }) => must(gql, 'mutation($id: ID!) { likeConcert(id: $id) { id } }', { id: concert }, fan.token),
  );
  say(
    `setup done at ${since()}: ${FANS} fans × ${DEVICES} devices, ${ROOMS} rooms, ${reminderConcerts.length} reminder concerts (due at +${REMINDER_OFFSETS.join('s, +')}s of the load), ${filler.length} others`,
  );
  return { admin, fans, tokensOf, filler, rooms, hello, articles, reminderConcerts, loadStartsAt };
}

/** Client requests during the load: per operation, per error kind, and their latencies inside and outside the hung replica's window. */
export interface LoadStats {
  /** Requests are counted only while this is set (during the load). */
  counting: boolean;
  /** Client-side errors by kind. */
  errors: Record<string, number>;
  opCounts: Record<string, { ok: number; failed: number }>;
  /** Requests during the hung replica's window (latency in ms). */
  hangWindow: { active: boolean; total: number; failed: number; errors: Record<string, number>; ms: number[] };
  /** Latencies (ms) of the other requests. */
  otherMs: number[];
  /** sendMessage calls made, and answered without an error. */
  sent: { attempted: number; acknowledged: number };
}

export const loadStats = (): LoadStats => ({
  counting: false,
  errors: {},
  opCounts: {},
  hangWindow: { active: false, total: 0, failed: 0, errors: {}, ms: [] },
  otherMs: [],
  sent: { attempted: 0, acknowledged: 0 },
});

/** One request of the load, counted in `stats`; its result, or undefined when it failed. */
async function measured(
  gql: Gql,
  stats: LoadStats,
  op: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<Result | undefined> {
  const began = performance.now();
  const { result, error } = await gql(query, variables, token);
  if (stats.counting) {
    const ms = performance.now() - began;
    const hang = stats.hangWindow;
    if (hang.active) {
      hang.total += 1;
      hang.ms.push(ms);
      if (error) {
        hang.failed += 1;
        hang.errors[error] = (hang.errors[error] ?? 0) + 1;
      }
    } else stats.otherMs.push(ms);
    const c = (stats.opCounts[op] ??= { ok: 0, failed: 0 });
    if (error) {
      c.failed += 1;
      stats.errors[error] = (stats.errors[error] ?? 0) + 1;
    } else c.ok += 1;
  }
  return error ? undefined : result;
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

/** CONCURRENCY loops of mixed requests (public and signed-in reads, likes and unlikes, chat messages, comments) until `deadline`. */
export async function runLoad(gql: Gql, world: World, stats: LoadStats, deadline: number): Promise<void> {
  const { fans, filler, rooms, articles } = world;
  const fanState = fans.map(() => new Set<string>());
  const request = (op: string, query: string, variables: Record<string, unknown>, token?: string) => measured(gql, stats, op, query, variables, token);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) {
        const f = Math.floor(Math.random() * FANS);
        const fan = fans[f]!;
        const dice = Math.random();
        if (dice < 0.25)
          await request(
            'query concerts (anonymous)',
            'query($first: Int) { concerts(first: $first) { totalCount edges { node { id title artist status likeCount } } } }',
            { first: 10 },
          );
        else if (dice < 0.4)
          await request(
            'query concert + me (signed in)',
            'query($id: ID!) { me { id nickname } concert(id: $id) { id title likeCount viewerHasLiked } }',
            { id: pick(filler) },
            fan.token,
          );
        else if (dice < 0.55) {
          const concert = pick(filler);
          const liked = fanState[f]!.has(concert);
          const res = await request(
            liked ? 'mutation unlikeConcert' : 'mutation likeConcert',
            `mutation($id: ID!) { ${liked ? 'unlikeConcert' : 'likeConcert'}(id: $id) { id likeCount } }`,
            { id: concert },
            fan.token,
          );
          if (res) liked ? fanState[f]!.delete(concert) : fanState[f]!.add(concert);
        } else if (dice < 0.8) {
          stats.sent.attempted += 1;
          const res = await request(
            'mutation sendMessage',
            'mutation($roomId: ID!, $body: String!) { sendMessage(roomId: $roomId, body: $body) { id seq } }',
            { roomId: pick(rooms), body: `m ${stats.sent.attempted}` },
            fan.token,
          );
          if (res) stats.sent.acknowledged += 1;
        } else if (dice < 0.88) await request('query articles', 'query { articles(first: 5) { edges { node { id title likeCount commentCount } } } }', {});
        else if (dice < 0.93)
          await request(
            'mutation addComment',
            'mutation($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body) { id } }',
            { articleId: pick(articles), body: 'same here' },
            fan.token,
          );
        else if (dice < 0.97) await request('query chatRooms', 'query { chatRooms(first: 5) { edges { node { id lastSeq } } } }', {}, fan.token);
        else await request('query my notifications', 'query { me { id notifications(first: 5) { unreadCount } } }', {}, fan.token);
      }
    }),
  );
}
