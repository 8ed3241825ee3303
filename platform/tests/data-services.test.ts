import { describe, expect, it, inject } from 'vitest';
import { ConfigError, connectMongo, createRedis, duplicateRedis, isRedisCluster, loadBaseConfig, mongoClientOptions } from '../src/index.js';
import { parseRedisUrl, redactRedisUrl } from '../src/redis/redis-url.js';

const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017', IDENTITY_SECRET: 'x'.repeat(32) };

describe(parseRedisUrl.name, () => {
  it('should leave a plain redis:// or rediss:// URL to ioredis', () => {
    expect(parseRedisUrl('redis://:pw@cache:6380/2')).toEqual({ mode: 'standalone', url: 'redis://:pw@cache:6380/2' });
    expect(parseRedisUrl('rediss://cache.example.com')).toEqual({ mode: 'standalone', url: 'rediss://cache.example.com' });
  });

  it('should read a Sentinel group: sentinels, master name, database, both sets of credentials, TLS', () => {
    expect(parseRedisUrl('redis+sentinel://s1:26379,s2,[::1]:26380/mymaster')).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'mymaster',
      db: 0,
      tls: false,
    });
    expect(parseRedisUrl('rediss+sentinel://app:p%40ss@s1:5000/main/3?sentinelPassword=sp&sentinelUsername=sentry')).toEqual({
      mode: 'sentinel',
      sentinels: [{ host: 's1', port: 5000 }],
      name: 'main',
      db: 3,
      username: 'app',
      password: 'p@ss',
      sentinelUsername: 'sentry',
      sentinelPassword: 'sp',
      tls: true,
    });
    expect(parseRedisUrl('redis+sentinel://:secret@s1/m')).toMatchObject({ password: 'secret', name: 'm' });
  });

  it('should read a Cluster: seed nodes, credentials, where reads go, TLS', () => {
    expect(parseRedisUrl('redis+cluster://n1:7000,n2:7001,n3')).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
        { host: 'n3', port: 6379 },
      ],
      scaleReads: 'master',
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://u:p@n1:7000?scaleReads=slave')).toMatchObject({ username: 'u', password: 'p', scaleReads: 'slave', tls: true });
  });

  it.each([
    ['http://cache:6379', /redis\+sentinel/],
    ['redis+sentinel://s1:26379', /master name/],
    ['redis+sentinel://s1:26379/m/x', /not a number/],
    ['redis+sentinel://s1:26379/m?scaleReads=all', /unknown parameter "scaleReads"/],
    ['redis+cluster://n1:7000/1', /no path/],
    ['redis+cluster://n1:99999', /no valid port/],
    ['redis+cluster://n1:7000?scaleReads=any', /scaleReads/],
    ['redis+cluster:///', /no host/],
  ])('should refuse %s, saying why', (url, why) => {
    expect(() => parseRedisUrl(url)).toThrow(why);
  });

  it('should be what the configuration validates REDIS_URL with, naming the variable', () => {
    expect(loadBaseConfig({ ...base, REDIS_URL: 'redis+sentinel://s1:26379/mymaster' }).REDIS_URL).toBe('redis+sentinel://s1:26379/mymaster');
    expect(loadBaseConfig({ ...base, REDIS_URL: 'redis+cluster://n1:7000,n2:7000' }).REDIS_URL).toBe('redis+cluster://n1:7000,n2:7000');
    expect(() => loadBaseConfig({ ...base, REDIS_URL: 'redis+sentinel://s1:26379' })).toThrow(ConfigError);
    expect(() => loadBaseConfig({ ...base, REDIS_URL: 'redis+sentinel://s1:26379' })).toThrow(/REDIS_URL: redis\+sentinel:\/\/ needs the master name/);
    expect(() => loadBaseConfig({ ...base, REDIS_URL: 'memcached://x' })).toThrow(/REDIS_URL: must be a redis:\/\//);
  });

  it('should hide passwords in logs', () => {
    expect(redactRedisUrl('redis+sentinel://app:secret@s1/m?sentinelPassword=sp')).toBe('redis+sentinel://app:***@s1/m?sentinelPassword=***');
    expect(redactRedisUrl('redis://:secret@cache:6379')).toBe('redis://:***@cache:6379');
  });
});

describe('createRedis', () => {
  it('should build a Sentinel client and a Cluster client from the URL, with the fail-fast defaults where ioredis reads them', () => {
    const sentinel = createRedis('redis+sentinel://:pw@127.0.0.1:1/mymaster/2?sentinelPassword=sp', { lazyConnect: true });
    expect(isRedisCluster(sentinel)).toBe(false);
    expect(sentinel.options).toMatchObject({
      sentinels: [{ host: '127.0.0.1', port: 1 }],
      name: 'mymaster',
      db: 2,
      password: 'pw',
      sentinelPassword: 'sp',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    const dupSentinel = duplicateRedis(sentinel, { enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: true });
    expect(dupSentinel.options).toMatchObject({ name: 'mymaster', enableOfflineQueue: true, maxRetriesPerRequest: null });

    const cluster = createRedis('redis+cluster://u:p@127.0.0.1:1,127.0.0.1:2', { lazyConnect: true, connectionName: 'x' });
    expect(isRedisCluster(cluster)).toBe(true);
    const options = (cluster as unknown as { options: Record<string, any> }).options;
    expect(options).toMatchObject({
      enableOfflineQueue: false,
      lazyConnect: true,
      scaleReads: 'master',
      redisOptions: { username: 'u', password: 'p', maxRetriesPerRequest: 1, connectTimeout: 2_000, connectionName: 'x' },
    });
    expect(options.redisOptions).not.toHaveProperty('enableOfflineQueue');
    expect(typeof options.clusterRetryStrategy).toBe('function');
    // duplicate merges per-node options instead of replacing them (ioredis's own would drop the password).
    const dup = duplicateRedis(cluster, { commandTimeout: 2_000, enableOfflineQueue: true, lazyConnect: true });
    const dupOptions = (dup as unknown as { options: Record<string, any> }).options;
    expect(isRedisCluster(dup)).toBe(true);
    expect(dupOptions).toMatchObject({ enableOfflineQueue: true, redisOptions: { username: 'u', password: 'p', commandTimeout: 2_000, connectionName: 'x' } });
    for (const c of [sentinel, dupSentinel, cluster, dup]) c.disconnect();
  });
});

describe(mongoClientOptions.name, () => {
  it('should keep the driver defaults outside production, ask for majority in production, and let the environment or the URI decide', () => {
    expect(mongoClientOptions({ NODE_ENV: 'development', MONGODB_URI: 'mongodb://h' })).toEqual({ retryWrites: true, retryReads: true });
    expect(mongoClientOptions({ NODE_ENV: 'test', MONGODB_URI: 'mongodb://h' })).toEqual({ retryWrites: true, retryReads: true });
    expect(mongoClientOptions({ NODE_ENV: 'production', MONGODB_URI: 'mongodb+srv://c.example.net/' })).toEqual({
      retryWrites: true,
      retryReads: true,
      writeConcern: { w: 'majority' },
      readConcern: { level: 'majority' },
      readPreference: 'primary',
    });
    // The connection string's own options are left to it …
    expect(
      mongoClientOptions({
        NODE_ENV: 'production',
        MONGODB_URI: 'mongodb://a,b,c/?replicaSet=rs0&w=1&readConcernLevel=local&readPreference=nearest&retryWrites=false',
      }),
    ).toEqual({ retryReads: true });
    // … and the variables win over both.
    expect(
      mongoClientOptions({
        NODE_ENV: 'production',
        MONGODB_URI: 'mongodb://h/?w=1',
        MONGODB_WRITE_CONCERN: '2',
        MONGODB_READ_CONCERN: 'local',
        MONGODB_READ_PREFERENCE: 'secondaryPreferred',
      }),
    ).toMatchObject({ writeConcern: { w: 2 }, readConcern: { level: 'local' }, readPreference: 'secondaryPreferred' });
    expect(mongoClientOptions({ NODE_ENV: 'development', MONGODB_URI: 'mongodb://h', MONGODB_WRITE_CONCERN: 'majority' })).toMatchObject({
      writeConcern: { w: 'majority' },
    });
  });

  it('should validate the variables, naming them', () => {
    const ok = loadBaseConfig({
      ...base,
      REDIS_URL: 'redis://x',
      MONGODB_WRITE_CONCERN: 'majority',
      MONGODB_READ_CONCERN: 'majority',
      MONGODB_READ_PREFERENCE: 'nearest',
    });
    expect(ok).toMatchObject({ MONGODB_WRITE_CONCERN: 'majority', MONGODB_READ_CONCERN: 'majority', MONGODB_READ_PREFERENCE: 'nearest' });
    expect(() => loadBaseConfig({ ...base, REDIS_URL: 'redis://x', MONGODB_READ_CONCERN: 'strong' })).toThrow(/MONGODB_READ_CONCERN/);
    expect(() => loadBaseConfig({ ...base, REDIS_URL: 'redis://x', MONGODB_WRITE_CONCERN: 'w=1' })).toThrow(/MONGODB_WRITE_CONCERN/);
    expect(() => loadBaseConfig({ ...base, REDIS_URL: 'redis://x', MONGODB_READ_PREFERENCE: 'any' })).toThrow(/MONGODB_READ_PREFERENCE/);
  });

  it('should work on the development database: FerretDB accepts the production options and the strictest ones', async () => {
    const uri = inject('mongoUri');
    for (const variant of [
      mongoClientOptions({ NODE_ENV: 'production', MONGODB_URI: uri }),
      mongoClientOptions({
        NODE_ENV: 'production',
        MONGODB_URI: uri,
        MONGODB_WRITE_CONCERN: '1',
        MONGODB_READ_CONCERN: 'linearizable',
        MONGODB_READ_PREFERENCE: 'secondaryPreferred',
      }),
    ]) {
      const prefix = `t${Math.random().toString(16).slice(2, 10)}_`;
      const mongo = await connectMongo(uri, { dbPrefix: prefix, ...variant });
      try {
        const things = mongo.db('concerns').collection<{ _id: string; n: number }>('things');
        await things.insertOne({ _id: 'a', n: 1 });
        await things.updateOne({ _id: 'a' }, { $inc: { n: 1 } });
        await things.bulkWrite([{ insertOne: { document: { _id: 'b', n: 5 } } }, { deleteOne: { filter: { _id: 'a' } } }]);
        expect(await things.find().toArray()).toEqual([{ _id: 'b', n: 5 }]);
        expect(await things.countDocuments()).toBe(1);
        expect(await things.aggregate([{ $group: { _id: null, total: { $sum: '$n' } } }]).toArray()).toEqual([{ _id: null, total: 5 }]);
        await mongo.ping();
      } finally {
        await mongo.db('concerns').dropDatabase();
        await mongo.close();
      }
    }
  });
});
