import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkService } from '@stagelives/devkit';
import { signUp, startStack, type Stack } from '../support/harness.js';
import { wsClient } from '../support/live.js';

const DELAY_MS = 1_000;
const TIMEOUT_MS = 8_000;

/** The real router in its own process (router/src/index.ts), over the stack's subgraphs, Redis and secret; once it listens. */
async function forkRouter(stack: Stack, env: Record<string, string>) {
  const output: string[] = [];
  const { child, port } = await forkService('router', 'router/src/index.ts', {
    env: {
      ...process.env,
      ...stack.env,
      LOG_LEVEL: 'info',
      PORT: '0',
      SUBGRAPH_URLS: Object.entries(stack.subgraphUrls)
        .map(([n, u]) => `${n}=${u}`)
        .join(','),
      ...env,
    },
    onLine: (line) => output.push(line),
    timeoutMs: 45_000,
  });
  return { child, port, output };
}

/** The error code under fetch's "fetch failed". */
function codeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}

describe('graceful shutdown: SIGTERM to a real router process under load', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('should turn readiness 503 first, finish every request it started, close WebSockets with 1001 and exit 0 within the bound', async () => {
    const user = await signUp(stack);
    const router = await forkRouter(stack, { SHUTDOWN_DELAY_MS: String(DELAY_MS), SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS) });
    const { child, port } = router;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);

      // A WebSocket client: closed with 1001 at shutdown.
      const closeCode = new Promise<number>((resolve) => {
        const ws = wsClient(`ws://127.0.0.1:${port}/graphql`, user.token, { on: { closed: (e) => resolve((e as { code: number }).code) } });
        void ws;
      });

      let stopped = false;
      let sigtermAt = Infinity;
      const completed = { before: 0, after: 0 };
      const refused: number[] = [];
      const cutOff: string[] = [];
      const readiness: Array<{ at: number; status: number }> = [];

      const load = async () => {
        while (!stopped) {
          try {
            const res = await fetch(`${base}/graphql`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                query: 'query ShutdownLoad { concerts(first: 5) { totalCount edges { node { id title } } } }',
                operationName: 'ShutdownLoad',
              }),
            });
            const body = (await res.json()) as { data?: unknown; errors?: unknown };
            if (res.status !== 200 || !body.data) cutOff.push(`HTTP ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
            else if (Date.now() < sigtermAt) completed.before += 1;
            else completed.after += 1;
          } catch (error) {
            const code = codeOf(error);
            if (code === 'ECONNREFUSED') {
              refused.push(Date.now());
              await new Promise((r) => setTimeout(r, 20));
            } else cutOff.push(code);
          }
        }
      };
      const poll = async () => {
        while (!stopped) {
          try {
            const res = await fetch(`${base}/health/ready`);
            await res.arrayBuffer();
            readiness.push({ at: Date.now(), status: res.status });
          } catch (error) {
            if (codeOf(error) !== 'ECONNREFUSED') cutOff.push(`readiness: ${codeOf(error)}`);
            await new Promise((r) => setTimeout(r, 20));
          }
          await new Promise((r) => setTimeout(r, 25));
        }
      };

      const loops = [...Array.from({ length: 8 }, load), poll()];
      await new Promise((r) => setTimeout(r, 1_500));
      expect(completed.before).toBeGreaterThan(10);
      sigtermAt = Date.now();
      child.kill('SIGTERM');
      const exit = await exited;
      // Let the loops see the closed port for a moment.
      await new Promise((r) => setTimeout(r, 200));
      stopped = true;
      await Promise.all(loops);

      expect(exit.code).toBe(0);
      expect(exit.at - sigtermAt).toBeLessThan(TIMEOUT_MS);
      // Every request the router accepted got a whole response; afterwards connections were refused.
      expect(cutOff).toEqual([]);
      expect(completed.after).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      // Readiness said 503 during the delay, before the listener closed (first refused connection).
      const first503 = readiness.find((r) => r.at >= sigtermAt && r.status === 503);
      expect(first503, JSON.stringify(readiness.slice(-5))).toBeDefined();
      const firstRefused = Math.min(...refused);
      expect(first503!.at).toBeLessThan(firstRefused);
      expect(firstRefused - sigtermAt).toBeGreaterThanOrEqual(DELAY_MS - 50);
      expect(readiness.filter((r) => r.at < sigtermAt).every((r) => r.status === 200)).toBe(true);
      expect(await closeCode).toBe(1001);
      expect(router.output.join('\n')).toMatch(/"msg":"stopped"/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});
