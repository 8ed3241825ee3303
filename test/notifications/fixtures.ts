// The notifications end-to-end set-up: the whole graph (startStack), the local FCM server, and
// the notifications workers of workers/src/notifications running beside it in this process, on
// the stack's database and Redis prefixes, with the real firebase-admin client.
import { inject } from 'vitest';
import { createLogger } from '@stagelives/platform';
import { startLocalFcmServer, type LocalFcmServer } from '@stagelives/devkit';
import { loadContract, loadPending } from '@stagelives/schema/tooling';
import {
  bullConnection,
  bullPrefix,
  createNotificationWorkers,
  createPushSender,
  defaultNotificationsConfig,
  type NotificationWorkers,
  type PushSender,
} from '@stagelives/workers/notifications';
import { ok, startStack, type Stack } from '../support/harness.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const at = (ms: number) => new Date(ms).toISOString();

export interface NotificationsStack {
  stack: Stack;
  fcm: LocalFcmServer;
  workers: NotificationWorkers;
  close(): Promise<void>;
}

/** `env` is passed to the stack (router and subgraph settings). */
export async function startNotificationsStack(env: Record<string, string> = {}): Promise<NotificationsStack> {
  const stack = await startStack(env);
  const fcm = await startLocalFcmServer();
  const push: PushSender = createPushSender({ mode: 'local', fcm: fcm.info });
  const connection = bullConnection(inject('redisUrl'));
  const workers = await createNotificationWorkers({
    config: {
      ...defaultNotificationsConfig(),
      NOTIFICATIONS_RECHECK_CACHE_MS: 0,
      NOTIFICATIONS_BATCH_WAIT_MS: 5,
      NOTIFICATIONS_EVENTS_CLAIM_IDLE_MS: 1_000,
    },
    connection,
    bullPrefix: bullPrefix(`${stack.prefix}:`),
    redis: stack.redis,
    redisPrefix: `${stack.prefix}:`,
    mongo: stack.mongo,
    push,
    logger: createLogger('notifications', process.env.TEST_LOG_LEVEL ?? 'silent'),
    ttlIndexes: false,
    run: { reconcileAtStart: false },
  });
  return {
    stack,
    fcm,
    workers,
    close: async () => {
      await workers.close();
      await connection.quit().catch(() => connection.disconnect());
      await push.close();
      await fcm.close();
      await stack.close();
    },
  };
}

export async function waitFor<T>(read: () => Promise<T>, until: (value: T) => boolean, ms = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (until(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The client contract's operations, by file and name, with their sample variables. */
const contract = loadContract();
export function op(name: string, file = 'notifications.graphql') {
  const found = contract.find((o) => o.file === file && o.name === name);
  if (!found) throw new Error(`contract operation ${file} ${name} not found`);
  return found;
}
/** The operations of a contract file that are built (not listed in schema/contract-pending.txt). */
export const contractOperations = (file: string) => {
  const pending = loadPending();
  return contract.filter((o) => o.file === file && !pending.has(o.name)).map((o) => o.name);
};

/** Runs a contract operation with its sample variables, some overridden. */
export function run<T = Record<string, any>>(stack: Stack, name: string, variables: Record<string, unknown>, token?: string, file = 'notifications.graphql') {
  const operation = op(name, file);
  return ok<T>(stack, operation.source, { ...operation.variables, ...variables }, token ? { token } : {});
}

export interface ScheduledView {
  id: string;
  kind: string;
  fireAt: string;
  status: string;
  concert: { id: string; title: string } | null;
}

export async function scheduled(stack: Stack, token: string): Promise<ScheduledView[]> {
  return (await run<{ me: { scheduledNotifications: ScheduledView[] } }>(stack, 'MyScheduledNotifications', {}, token)).me.scheduledNotifications;
}

/** A reminder's status and reason, through the API (reason is not in the contract's selection). */
export async function reminders(
  stack: Stack,
  token: string,
): Promise<Array<{ id: string; kind: string; status: string; reason: string | null; fireAt: string; concert: { id: string } | null }>> {
  const { me } = await ok(stack, '{ me { scheduledNotifications { id kind status reason fireAt concert { id } } } }', {}, { token });
  return me.scheduledNotifications;
}

let concerts = 0;
export async function createConcert(stack: Stack, adminToken: string, input: Record<string, unknown>): Promise<{ id: string; title: string }> {
  concerts += 1;
  const { createConcert } = await run(
    stack,
    'CreateConcert',
    { input: { title: `Reminder show ${concerts}`, artist: 'IU', venue: 'KSPO Dome', ...input } },
    adminToken,
    'concerts.graphql',
  );
  return createConcert;
}
