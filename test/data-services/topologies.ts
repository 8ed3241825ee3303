/**
 * Real Redis topologies on this machine, in temp directories on free ports, for the data-service
 * tests: a Sentinel group (a master, optionally a replica, one sentinel) and a 3-master Cluster.
 * Debian's redis-server is all they need (`redis-server --sentinel`, `redis-cli --cluster create`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, killOnExit, stopChild, waitForPort } from '@stagelives/devkit';

export interface Topology {
  /** The REDIS_URL that names it. */
  url: string;
  ports: Record<string, number>;
  stop(): Promise<void>;
}

function run(args: string[], dir: string): ChildProcess {
  const child = killOnExit(spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] }));
  child.stderr?.on('data', () => undefined);
  return child;
}

function stopAll(children: ChildProcess[], dir: string): Promise<void> {
  return Promise.all(children.map((child) => stopChild(child, 3_000))).then(() => rmSync(dir, { recursive: true, force: true }));
}

/** Runs `start`; when it fails, stops the servers it had started before rethrowing (the caller gets no topology to stop). */
async function stoppedOnFailure<T>(children: ChildProcess[], dir: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    await stopAll(children, dir);
    throw error;
  }
}

export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve(check()).catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const base = (port: number) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'];

/**
 * A master (and a replica when asked) watched by one sentinel (quorum 1, down after 1 s), named
 * `mymaster`: url `redis+sentinel://127.0.0.1:<sentinel>/mymaster`.
 */
export async function startSentinelGroup({ replica = false } = {}): Promise<Topology> {
  const dir = mkdtempSync(join(tmpdir(), 'sl-sentinel-'));
  const children: ChildProcess[] = [];
  return stoppedOnFailure(children, dir, async () => {
    const master = await freePort();
    children.push(run(base(master), dir));
    await waitForPort(master);
    const ports: Record<string, number> = { master };
    if (replica) {
      ports.replica = await freePort();
      children.push(run([...base(ports.replica), '--replicaof', '127.0.0.1', String(master)], dir));
      await waitForPort(ports.replica);
      const r = new Redis(ports.replica, '127.0.0.1');
      await until(async () => (await r.info('replication')).includes('master_link_status:up'), 10_000, 'the replica to sync');
      r.disconnect();
    }
    ports.sentinel = await freePort();
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${ports.sentinel}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor mymaster 127.0.0.1 ${master} 1`,
        'sentinel down-after-milliseconds mymaster 1000',
        'sentinel failover-timeout mymaster 4000',
        'sentinel parallel-syncs mymaster 1',
        '',
      ].join('\n'),
    );
    children.push(run([conf, '--sentinel'], dir));
    await waitForPort(ports.sentinel);
    const s = new Redis(ports.sentinel, '127.0.0.1');
    await until(
      async () => ((await s.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')) as string[] | null)?.[1] === String(master),
      10_000,
      'the sentinel to know its master',
    );
    if (replica)
      await until(async () => ((await s.call('SENTINEL', 'replicas', 'mymaster')) as unknown[]).length > 0, 15_000, 'the sentinel to see the replica');
    s.disconnect();
    return { url: `redis+sentinel://127.0.0.1:${ports.sentinel}/mymaster`, ports, stop: () => stopAll(children, dir) };
  });
}

/** Three masters sharing the 16,384 slots, no replicas: url `redis+cluster://<node1>,<node2>,<node3>`. */
export async function startCluster(): Promise<Topology & { nodes: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'sl-cluster-'));
  const nodes: number[] = [];
  const children: ChildProcess[] = [];
  return stoppedOnFailure(children, dir, async () => {
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const bus = await freePort();
      const nodeDir = join(dir, String(port));
      spawnSync('mkdir', ['-p', nodeDir]);
      children.push(
        run(
          [
            ...base(port),
            '--cluster-enabled',
            'yes',
            '--cluster-port',
            String(bus),
            '--cluster-config-file',
            join(nodeDir, 'nodes.conf'),
            '--cluster-node-timeout',
            '2000',
            '--dir',
            nodeDir,
          ],
          dir,
        ),
      );
      nodes.push(port);
    }
    for (const port of nodes) await waitForPort(port);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
    });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    for (const port of nodes) {
      const r = new Redis(port, '127.0.0.1');
      await until(async () => ((await r.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok'), 15_000, `node ${port} to see the cluster ok`);
      r.disconnect();
    }
    return {
      url: `redis+cluster://${nodes.map((p) => `127.0.0.1:${p}`).join(',')}`,
      ports: Object.fromEntries(nodes.map((p, i) => [`node${i + 1}`, p])),
      nodes,
      stop: () => stopAll(children, dir),
    };
  });
}
