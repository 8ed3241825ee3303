import { randomBytes } from 'node:crypto';
import type { CommandStartedEvent } from 'mongodb';
import { GraphQLClient } from 'graphql-request';
import {
  connectMongo,
  detectMongoFeatures,
  createLogger,
  createRedis,
  redisReady,
  loadBaseConfig,
  type Mongo,
  type MongoFeatures,
  type Redis,
} from '@stagelives/platform';
import { SUBGRAPH_START_WAVES } from '@stagelives/schema';
import type { SubgraphServer } from '@stagelives/platform/subgraph';
import { createRouterServer, type RouterServer } from '@stagelives/router';
import { loadRouterConfig } from '@stagelives/router/config';
import { subgraphFactory } from './subgraphs.js';

export const ADMIN_EMAIL = 'admin@stagelives.test';
export const SECOND_ADMIN_EMAIL = 'ops@stagelives.test';
/** The clients' base URL the test stack's mail links into (PUBLIC_URL). */
export const PUBLIC_URL = 'https://app.stagelives.test';

export interface Stack {
  /** The router's GraphQL endpoint. */
  url: string;
  /** The same endpoint for graphql-ws (subscriptions). */
  wsUrl: string;
  /** The router's base URL (for /health, REST). */
  baseUrl: string;
  subgraphUrls: Record<string, string>;
  mongo: Mongo;
  /** What the database server supports, as every subgraph of the stack was told: command counts that depend on it (point reads, equality reads) follow it. */
  features: MongoFeatures;
  redis: Redis;
  prefix: string;
  identitySecret: string;
  router: RouterServer;
  /** Database commands seen, per domain database (e.g. `concerts`), since the last reset. */
  commands: { byDomain(domain: string): CommandStartedEvent[]; reset(): void };
  /** Starts another router instance over the same subgraphs, Redis and config (plus `env`). */
  extraRouter(env?: Record<string, string>): Promise<{ url: string; wsUrl: string; router: RouterServer; close(): Promise<void> }>;
  /** Subgraph fetches made by the router, since the last reset. */
  fetches: { list: string[]; reset(): void };
  /** The raw environment the stack was built from (prefixes, secret, limits): for processes started beside it (benchmarks). */
  env: Record<string, string>;
  /** HTTP requests each subgraph server received (by name), from any router, since the last reset. */
  subgraphRequests: { byName: Record<string, number>; reset(): void };
  close(): Promise<void>;
}

/**
 * Starts the whole graph in this process against the suite's FerretDB and Redis:
 * every subgraph on its own loopback port and the real router in front, with a
 * private database prefix and Redis key prefix that `close()` removes.
 */
export async function createStack(env: Record<string, string> & { MONGODB_URI: string; REDIS_URL: string }): Promise<Stack> {
  const prefix = `t${randomBytes(4).toString('hex')}_`;
  const identitySecret = randomBytes(32).toString('hex');
  const rawEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGODB_DB_PREFIX: prefix,
    REDIS_PREFIX: `${prefix}:`,
    IDENTITY_SECRET: identitySecret,
    ADMIN_EMAILS: `${ADMIN_EMAIL},${SECOND_ADMIN_EMAIL}`,
    // Every test client shares 127.0.0.1: tests of the limits set their own.
    RATE_LIMIT_AUTH: '100000',
    RATE_LIMIT_DEFAULT: '100000',
    RATE_LIMIT_PUBLIC_READ: '100000',
    WS_CONNECTIONS_PER_MINUTE: '100000',
    HTTP_MAX_CONNECTIONS_PER_IP: '100000',
    // Mail (SMTP_URL: the suite's Mailpit, given by startStack): its links point here.
    PUBLIC_URL: PUBLIC_URL,
    MAIL_FROM: 'stagelives <no-reply@stagelives.test>',
    // Production routers built by tests close at once (production waits 5 s with readiness 503 first).
    SHUTDOWN_DELAY_MS: '0',
    ...env,
  };
  const config = loadBaseConfig(rawEnv);
  const mongo = await connectMongo(config.MONGODB_URI, { dbPrefix: prefix, monitorCommands: true });
  const events: CommandStartedEvent[] = [];
  // Per-operation counts leave out the audit trail's recovery scan: reads of `audit_outbox` run on
  // a timer in every domain with staff actions, whatever the operation (its writes do count).
  mongo.client.on('commandStarted', (e) => e.command.find === 'audit_outbox' || events.push(e));
  const redis = createRedis(config.REDIS_URL);
  redis.on('error', () => undefined);
  const subgraphs: SubgraphServer[] = [];
  const subgraphUrls: Record<string, string> = {};
  const requests: Record<string, number> = {};
  const fetched: string[] = [];
  const extraRouters = new Set<RouterServer>();
  let opened: RouterServer | undefined;
  let started: {
    router: RouterServer;
    port: number;
    features: MongoFeatures;
    routerConfig: ReturnType<typeof loadRouterConfig> & { SUBGRAPH_URLS_RAW: string };
  };
  try {
    await redisReady(redis);
    const features = await detectMongoFeatures(mongo.client, mongo.db('features'));
    // A subgraph that calls others (SUBGRAPH_CALLS) is built once they listen, with their URLs.
    for (const name of SUBGRAPH_START_WAVES.flat()) {
      const factory = await subgraphFactory(name);
      const known = Object.entries(subgraphUrls)
        .map(([n, u]) => `${n}=${u}`)
        .join(',');
      const server = await factory({ config, env: { ...rawEnv, SUBGRAPH_URLS: known }, logger: createLogger(name, config.LOG_LEVEL), mongo, redis, features });
      requests[name] = 0;
      server.httpServer.on('request', () => void (requests[name] = (requests[name] ?? 0) + 1));
      subgraphs.push(server);
      const subgraphPort = await server.listen(0, '127.0.0.1');
      subgraphUrls[name] = `http://127.0.0.1:${subgraphPort}/graphql`;
    }
    const subgraphUrlsRaw = Object.entries(subgraphUrls)
      .map(([n, u]) => `${n}=${u}`)
      .join(',');
    const routerConfig = { ...loadRouterConfig({ ...rawEnv, SUBGRAPH_URLS: subgraphUrlsRaw }), SUBGRAPH_URLS_RAW: subgraphUrlsRaw };
    opened = await createRouterServer({
      config: routerConfig,
      logger: createLogger('router', config.LOG_LEVEL),
      redis,
      onSubgraphFetch: (s) => fetched.push(s),
    });
    started = { router: opened, port: await opened.listen(0, '127.0.0.1'), features, routerConfig };
  } catch (error) {
    // Half a stack is closed here: the caller never gets a handle to close it with.
    await opened?.close().catch(() => undefined);
    for (const s of subgraphs) await s.close().catch(() => undefined);
    redis.disconnect();
    await mongo.close().catch(() => undefined);
    throw error;
  }
  const { router, port, features, routerConfig } = started;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: `${baseUrl}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    baseUrl,
    subgraphUrls,
    mongo,
    features,
    redis,
    prefix,
    identitySecret,
    router,
    commands: {
      byDomain: (domain) => events.filter((e) => e.databaseName === `${prefix}${domain}`),
      reset: () => void events.splice(0),
    },
    fetches: { list: fetched, reset: () => void fetched.splice(0) },
    env: rawEnv,
    subgraphRequests: {
      byName: requests,
      reset: () => {
        for (const name of Object.keys(requests)) requests[name] = 0;
      },
    },
    extraRouter: async (env = {}) => {
      const extraConfig = Object.keys(env).length ? loadRouterConfig({ ...rawEnv, SUBGRAPH_URLS: routerConfig.SUBGRAPH_URLS_RAW, ...env }) : routerConfig;
      const extra = await createRouterServer({
        config: extraConfig,
        logger: createLogger('router-2', config.LOG_LEVEL),
        redis,
        onSubgraphFetch: (s) => fetched.push(s),
      });
      extraRouters.add(extra);
      const extraPort = await extra.listen(0, '127.0.0.1');
      return {
        url: `http://127.0.0.1:${extraPort}/graphql`,
        wsUrl: `ws://127.0.0.1:${extraPort}/graphql`,
        router: extra,
        close: async () => {
          extraRouters.delete(extra);
          await extra.close();
        },
      };
    },
    // Each step runs even when one before it fails (Redis away: the key sweep fails at once), so
    // servers and clients are always closed; the first failure is thrown at the end.
    close: async () => {
      const failures: unknown[] = [];
      const step = (fn: () => Promise<unknown>) => fn().catch((error: unknown) => void failures.push(error));
      for (const extra of extraRouters) await step(() => extra.close());
      await step(() => router.close());
      for (const s of subgraphs) await step(() => s.close());
      await step(async () => {
        const { databases } = await mongo.client.db('admin').admin().listDatabases({ nameOnly: true });
        for (const { name } of databases) if (name.startsWith(prefix)) await mongo.client.db(name).dropDatabase();
      });
      await step(async () => {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      });
      await step(() => (redis.status === 'ready' ? redis.quit() : Promise.resolve(redis.disconnect())));
      await step(() => mongo.close());
      if (failures.length) throw failures[0];
    },
  };
}

export interface GqlResult<T> {
  data: T | undefined;
  errors: Array<{ message: string; extensions?: Record<string, unknown>; path?: ReadonlyArray<string | number> }> | undefined;
  headers: Headers;
  status: number;
}

/** Sends one operation through the router with graphql-request; errors are returned, not thrown. */
export async function gql<T = Record<string, any>>(
  stack: Pick<Stack, 'url'>,
  query: string,
  variables: Record<string, unknown> = {},
  { token, cookie, headers = {} }: { token?: string; cookie?: string; headers?: Record<string, string> } = {},
): Promise<GqlResult<T>> {
  const client = new GraphQLClient(stack.url, {
    errorPolicy: 'all',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
  });
  try {
    const res = await client.rawRequest<T>(query, variables);
    return { data: res.data ?? undefined, errors: res.errors as GqlResult<T>['errors'], headers: res.headers, status: res.status };
  } catch (error) {
    const e = error as { response?: { data?: T; errors?: GqlResult<T>['errors']; headers: Headers; status: number } };
    if (e.response) return { data: e.response.data, errors: e.response.errors, headers: e.response.headers, status: e.response.status };
    throw error;
  }
}

/** Data of a successful operation; fails the test with the errors otherwise. */
export async function ok<T = Record<string, any>>(...args: Parameters<typeof gql>): Promise<T> {
  const res = await gql<T>(...args);
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

/** The `extensions.code` of the first error. */
export const codeOf = (res: GqlResult<unknown>) => res.errors?.[0]?.extensions?.code;

let counter = 0;
/** Signs a fresh user up and returns their session token and id. */
export async function signUp(stack: Pick<Stack, 'url'>, overrides: Partial<{ email: string; nickname: string; password: string }> = {}) {
  counter += 1;
  const tag = `${randomBytes(3).toString('hex')}${counter}`;
  const input = { email: `fan${tag}@example.com`, nickname: `fan${tag}`, password: 'correct horse battery staple', ...overrides };
  const data = await ok<{ signUp: { sessionToken: string; user: { id: string; email: string; nickname: string; roles: string[] } } }>(
    stack,
    'mutation($input: SignUpInput!) { signUp(input: $input) { sessionToken user { id email nickname roles } } }',
    { input },
  );
  return { token: data.signUp.sessionToken, user: data.signUp.user, ...input };
}

export const signUpAdmin = (stack: Pick<Stack, 'url'>, email = ADMIN_EMAIL) => signUp(stack, { email, nickname: `admin${randomBytes(2).toString('hex')}` });
