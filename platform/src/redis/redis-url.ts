/**
 * `REDIS_URL`, the one variable that says where Redis is, in three forms:
 *
 * - `redis://[[user]:password@]host[:port][/db]` (`rediss://` for TLS): one server, as ioredis
 *   reads it;
 * - `redis+sentinel://[[user]:password@]sentinel1:26379,sentinel2:26379/<master name>[/db]`
 *   (`rediss+sentinel://`: TLS to the sentinels and the master): the master a Sentinel group
 *   names, found again after a failover; the user and password are the master's, the sentinels'
 *   own (when they have one) are the `sentinelUsername` / `sentinelPassword` query parameters;
 * - `redis+cluster://[[user]:password@]node1:6379,node2:6379` (`rediss+cluster://`): a Redis
 *   Cluster, from any of its nodes (the rest are discovered); `?scaleReads=slave` (or `all`)
 *   sends read-only commands to replicas (default `master`).
 *
 * Pure parsing, no ioredis: the config schema validates with it too.
 */
export type RedisTarget =
  | { mode: 'standalone'; url: string }
  | {
      mode: 'sentinel';
      sentinels: Array<{ host: string; port: number }>;
      name: string;
      db: number;
      username?: string;
      password?: string;
      sentinelUsername?: string;
      sentinelPassword?: string;
      tls: boolean;
    }
  | {
      mode: 'cluster';
      nodes: Array<{ host: string; port: number }>;
      username?: string;
      password?: string;
      scaleReads: 'master' | 'slave' | 'all';
      tls: boolean;
    };

class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
}

const SCHEME = /^(rediss?)(?:\+(sentinel|cluster))?:\/\/(.*)$/;

/** Parses a `REDIS_URL` (see the module comment); throws RedisUrlError saying what is wrong. */
export function parseRedisUrl(url: string): RedisTarget {
  const match = SCHEME.exec(url.trim());
  if (!match) throw new RedisUrlError('must be a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL');
  const [, scheme, kind, rest] = match as unknown as [string, 'redis' | 'rediss', 'sentinel' | 'cluster' | undefined, string];
  if (!kind) return { mode: 'standalone', url };
  const tls = scheme === 'rediss';
  const queryAt = rest.indexOf('?');
  const beforeQuery = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : rest.slice(queryAt + 1));
  const at = beforeQuery.lastIndexOf('@');
  const credentials = at === -1 ? undefined : beforeQuery.slice(0, at);
  const afterCredentials = at === -1 ? beforeQuery : beforeQuery.slice(at + 1);
  const slash = afterCredentials.indexOf('/');
  const hostList = slash === -1 ? afterCredentials : afterCredentials.slice(0, slash);
  const path =
    slash === -1
      ? []
      : afterCredentials
          .slice(slash + 1)
          .split('/')
          .filter(Boolean)
          .map(decodeURIComponent);
  const hosts = parseHosts(hostList, kind === 'sentinel' ? 26379 : 6379);
  const { username, password } = parseCredentials(credentials);
  const known = kind === 'sentinel' ? ['sentinelUsername', 'sentinelPassword'] : ['scaleReads'];
  for (const key of query.keys()) if (!known.includes(key)) throw new RedisUrlError(`unknown parameter "${key}" (known: ${known.join(', ')})`);

  if (kind === 'sentinel') {
    const [name, db, ...extra] = path;
    if (!name) throw new RedisUrlError('redis+sentinel:// needs the master name as its path: redis+sentinel://host:26379/mymaster');
    if (extra.length) throw new RedisUrlError('redis+sentinel:// path is /<master name>[/<db>]');
    const dbNumber = db === undefined ? 0 : Number(db);
    if (!Number.isInteger(dbNumber) || dbNumber < 0) throw new RedisUrlError(`database "${db}" is not a number`);
    return {
      mode: 'sentinel',
      sentinels: hosts,
      name,
      db: dbNumber,
      ...(username !== undefined && { username }),
      ...(password !== undefined && { password }),
      ...(query.has('sentinelUsername') && { sentinelUsername: query.get('sentinelUsername')! }),
      ...(query.has('sentinelPassword') && { sentinelPassword: query.get('sentinelPassword')! }),
      tls,
    };
  }
  if (path.length) throw new RedisUrlError('redis+cluster:// takes no path (a Redis Cluster has only database 0)');
  const scaleReads = query.get('scaleReads') ?? 'master';
  if (scaleReads !== 'master' && scaleReads !== 'slave' && scaleReads !== 'all') throw new RedisUrlError('scaleReads must be master, slave or all');
  return { mode: 'cluster', nodes: hosts, ...(username !== undefined && { username }), ...(password !== undefined && { password }), scaleReads, tls };
}

function parseHosts(list: string, defaultPort: number): Array<{ host: string; port: number }> {
  const hosts = list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (hosts.length === 0) throw new RedisUrlError('names no host');
  return hosts.map((entry) => {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry);
    if (!m) throw new RedisUrlError(`"${entry}" is not host[:port]`);
    const port = m[2] === undefined ? defaultPort : Number(m[2]);
    if (port < 1 || port > 65535) throw new RedisUrlError(`"${entry}" has no valid port`);
    return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
  });
}

function parseCredentials(credentials: string | undefined): { username?: string; password?: string } {
  if (credentials === undefined) return {};
  const colon = credentials.indexOf(':');
  const user = decodeURIComponent(colon === -1 ? credentials : credentials.slice(0, colon));
  const password = colon === -1 ? undefined : decodeURIComponent(credentials.slice(colon + 1));
  // As in redis://: `:password@` is a password alone, `user@` a user alone.
  return { ...(user !== '' && { username: user }), ...(password !== undefined && password !== '' && { password }) };
}

/** The URL with any password replaced by `***` (for logs). */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)([^@/]*:)[^@/]*@/i, '$1$2***@').replace(/(sentinelPassword=)[^&]*/g, '$1***');
}
