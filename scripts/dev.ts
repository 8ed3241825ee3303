/**
 * `npm run dev`: the whole stack on one machine, on embedded defaults.
 * FerretDB (unless MONGODB_URI; on a private PostgreSQL when installed, else SQLite:
 * FERRETDB_BACKEND chooses) and redis-server (unless REDIS_URL) as children with data
 * under DATA_DIR, the local FCM server in this process (unless FIREBASE_SERVICE_ACCOUNT,
 * GOOGLE_APPLICATION_CREDENTIALS or FCM_LOCAL_URL: each push it receives is logged as `[fcm]`),
 * Mailpit (unless SMTP_URL: every mail the stack sends lands in its web UI),
 * then every subgraph on a free internal port, the router on PORT and the workers; readable,
 * prefixed logs; Ctrl-C or SIGTERM stops everything.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SUBGRAPH_START_WAVES } from '../schema/src/subgraph-names.js';
import { localFcmEnv } from '../workers/src/push/push.config.js';
import { DEMO_PASSWORD } from './seed/data.js';
import {
  ROOT,
  announcedPort,
  forkNode,
  formatLogLine,
  startDatabase,
  startJaeger,
  startLocalFcmServer,
  startMailpit,
  startRedis,
  stopChild,
  type ChildService,
} from '@stagelives/devkit';

const env = { ...process.env };
const dataDir = resolve(ROOT, env.DATA_DIR ?? '.stagelives');
const port = Number(env.PORT ?? 4000);
mkdirSync(dataDir, { recursive: true });

const print = (name: string, line: string) => process.stdout.write(`${formatLogLine(name, line)}\n`);
const services: ChildService[] = [];
/** In-process servers (the local FCM server), closed after the children. */
const closers: Array<() => Promise<void>> = [];
const children: Array<{ name: string; child: ChildProcess }> = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => undefined);
  stopping = true;
  print('dev', 'stopping…');
  await Promise.all([...children].reverse().map(({ child }) => stopChild(child, 8_000)));
  for (const service of services.reverse()) await service.stop();
  for (const close of closers.reverse()) await close().catch(() => undefined);
  print('dev', 'stopped');
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/** Starts a TypeScript entry point (tsx); resolves with the port it announces. */
function startNode(name: string, entry: string, extraEnv: Record<string, string>): Promise<number> {
  const child = forkNode(entry, { env: { ...env, ...extraEnv }, onLine: (line) => print(name, line) });
  children.push({ name, child });
  child.once('exit', (code, signal) => {
    if (stopping) return;
    print('dev', `${name} exited (${signal ?? code}); stopping the stack`);
    void stopAll(1);
  });
  return announcedPort(child, name);
}

try {
  let databaseNote = 'MONGODB_URI';
  if (!env.MONGODB_URI) {
    // FERRETDB_BACKEND: auto (PostgreSQL when installed, else SQLite), postgresql or sqlite.
    const database = await startDatabase({
      dataDir,
      postgresUrl: env.FERRETDB_POSTGRESQL_URL,
      onOutput: (name, l) => print(name, l),
      onNote: (l) => print('dev', l),
    });
    services.push(...database.services);
    env.MONGODB_URI = database.url;
    databaseNote = `FerretDB on ${database.description}`;
    print('dev', `FerretDB on ${database.url}, backend ${database.description}`);
    const earlierSqlite = join(dataDir, 'ferretdb', 'sqlite');
    if (database.backend === 'postgresql' && existsSync(earlierSqlite) && readdirSync(earlierSqlite).some((f) => f.endsWith('.sqlite'))) {
      print('dev', `data written on the SQLite backend stays in ${earlierSqlite}: FERRETDB_BACKEND=sqlite npm run dev serves it`);
    }
  }
  if (!env.REDIS_URL) {
    const redis = await startRedis({ dataDir: join(dataDir, 'redis'), onOutput: (l) => print('redis', l) });
    services.push(redis);
    env.REDIS_URL = redis.url;
    print('dev', `redis-server on ${redis.url} (append-only file in ${join(dataDir, 'redis')})`);
  }
  // Mail (sign-up verification, password reset): Mailpit keeps every message, readable in its web UI.
  let mailUi: string | null = null;
  if (!env.SMTP_URL) {
    const mailpit = await startMailpit({ dataDir: join(dataDir, 'mailpit'), onOutput: (l) => print('mailpit', l) });
    services.push(mailpit);
    env.SMTP_URL = mailpit.url;
    mailUi = mailpit.webUrl;
    print('dev', `Mailpit: SMTP on ${mailpit.url}, web UI on ${mailpit.webUrl}`);
  }
  // Traces: a local Jaeger (unless OTEL_EXPORTER_OTLP_ENDPOINT) every process exports to, every trace kept.
  let tracesUi: string | null = null;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    const jaeger = await startJaeger({ queryPort: env.JAEGER_PORT ? Number(env.JAEGER_PORT) : undefined, onOutput: (l) => print('jaeger', l) });
    services.push(jaeger);
    env.OTEL_EXPORTER_OTLP_ENDPOINT = jaeger.url;
    tracesUi = jaeger.queryUrl;
    print('dev', `Jaeger: OTLP/HTTP on ${jaeger.url}, query API on ${jaeger.queryUrl}`);
  }
  // The gateway's own usage reporting to Apollo stays off in development.
  env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  env.MAIL_FROM ??= 'stagelives <no-reply@stagelives.dev>';
  env.PUBLIC_URL ??= `http://localhost:${port}`;

  // Development-only secret, fresh per run: identity headers live for one request anyway.
  env.IDENTITY_SECRET ??= randomBytes(32).toString('hex');
  env.NODE_ENV ??= 'development';
  env.ADMIN_EMAILS ??= 'admin@stagelives.dev';

  // Push notifications: Firebase when credentials are given, else the local FCM server (logs each push).
  const workersEnv: Record<string, string> = {};
  let fcmSummary = env.FIREBASE_SERVICE_ACCOUNT
    ? 'Firebase (FIREBASE_SERVICE_ACCOUNT)'
    : `Firebase (GOOGLE_APPLICATION_CREDENTIALS=${env.GOOGLE_APPLICATION_CREDENTIALS})`;
  if (!env.FIREBASE_SERVICE_ACCOUNT && !env.GOOGLE_APPLICATION_CREDENTIALS) {
    if (env.FCM_LOCAL_URL) fcmSummary = `${env.FCM_LOCAL_URL}  (FCM_LOCAL_URL)`;
    else {
      const shortToken = (token: string) => (token.length > 16 ? `${token.slice(0, 16)}…` : token);
      const fcm = await startLocalFcmServer({
        onPush: (push) =>
          print('fcm', `push to ${shortToken(push.token)} ${JSON.stringify(push.title ?? '')}${push.reminderId ? `  reminder=${push.reminderId}` : ''}`),
      });
      closers.push(() => fcm.close());
      Object.assign(workersEnv, localFcmEnv(fcm.info));
      fcmSummary = `${fcm.url}  (local FCM server; each push is logged as [fcm])`;
      print('dev', `local FCM server on ${fcm.url} (project ${fcm.projectId}; no Firebase credentials set)`);
    }
  }

  const urls: Array<readonly [string, string]> = [];
  // In waves: a subgraph that calls others (SUBGRAPH_CALLS) starts once they listen, with their URLs.
  for (const wave of SUBGRAPH_START_WAVES) {
    const known = urls.map(([n, u]) => `${n}=${u}`).join(',');
    urls.push(
      ...(await Promise.all(
        wave.map(
          async (name) =>
            [
              name,
              `http://127.0.0.1:${await startNode(name, `subgraphs/${name}/src/index.ts`, { SUBGRAPH_PORT: '0', SUBGRAPH_URLS: known })}/graphql`,
            ] as const,
        ),
      )),
    );
  }
  const routerPort = await startNode('router', 'router/src/index.ts', {
    PORT: String(port),
    SUBGRAPH_URLS: urls.map(([n, u]) => `${n}=${u}`).join(','),
  });
  await startNode('workers', 'workers/src/index.ts', workersEnv);

  const base = `http://localhost:${routerPort}`;
  // /metrics and /health/subgraphs: on PORT in development, on METRICS_PORT of their own when set.
  const ops = env.METRICS_PORT && env.METRICS_PORT !== '0' ? `http://localhost:${env.METRICS_PORT}` : env.METRICS_PORT ? null : base;
  const explorerOn = env.EXPLORER === 'true' || (env.EXPLORER !== 'false' && env.NODE_ENV !== 'production');
  const [fcmUrl, fcmNote] = fcmSummary.split(/\s{2,}/);
  const rows: Array<readonly [label: string, url: string, note?: string | undefined]> = [
    ['GraphQL', `${base}/graphql`, 'POST; subscriptions: ws:// on the same path'],
    ['explorer', explorerOn ? `${base}/graphql` : 'off', explorerOn ? 'open in a browser (GraphiQL)' : 'EXPLORER'],
    ['Swagger UI', `${base}/api-docs`, 'the REST paths'],
    ['OpenAPI', `${base}/api-docs/openapi.json`],
    ['metrics', ops ? `${ops}/metrics` : 'METRICS_PORT=0', ops ? 'Prometheus' : "a free port: see the router's log"],
    ['health', `${base}/health`],
    ['subgraph health', ops ? `${ops}/health/subgraphs` : 'METRICS_PORT=0', "each subgraph's circuit breaker"],
    ['MongoDB', env.MONGODB_URI ?? '', databaseNote],
    ['Redis', env.REDIS_URL ?? '', services.some((s) => s.url === env.REDIS_URL) ? 'redis-server' : 'REDIS_URL'],
    ['push (FCM)', fcmUrl ?? fcmSummary, fcmNote?.replace(/^\((.*)\)$/, '$1')],
    ['mail', mailUi ?? env.SMTP_URL ?? '', mailUi ? 'Mailpit web UI: every mail sent (links into PUBLIC_URL)' : 'SMTP_URL'],
    [
      'traces',
      tracesUi ? `${tracesUi}/api/traces?service=router&lookback=15m` : (env.OTEL_EXPORTER_OTLP_ENDPOINT ?? ''),
      // The Jaeger built from the Go module has no UI assets: its query API is what there is.
      tracesUi ? 'Jaeger query API (no UI in this build; docs/operations.md "Traces")' : 'OTEL_EXPORTER_OTLP_ENDPOINT',
    ],
    ...urls.map(([n, u]) => [n, u, 'subgraph (internal)'] as const),
    ['admin emails', env.ADMIN_EMAILS],
  ];
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  const urlWidth = Math.max(...rows.filter(([, , note]) => note).map(([, url]) => url.length));
  print(
    'dev',
    [
      'stagelives is up:',
      ...rows.map(([label, url, note]) => `  ${label.padEnd(labelWidth)}  ${note ? `${url.padEnd(urlWidth)}  ${note}` : url}`.trimEnd()),
      `${port === 4000 ? '' : `PORT=${port} `}npm run seed loads demo data (fan1…fan10@stagelives.dev, password "${DEMO_PASSWORD}"). Ctrl-C stops everything.`,
    ].join('\n'),
  );
} catch (error) {
  print('dev', `failed to start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
}
