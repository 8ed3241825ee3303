/**
 * The notifications benchmark's FCM endpoint (forked by `notifications.ts`): the local FCM v1
 * server of `@stagelives/devkit` in a process of its own, so the workers' pushes cross a real
 * socket to another process, as they would to Google. Answers over IPC:
 *   `{ type: 'stats' }`  → `{ accepted, firstAt, lastAt }` (ms since the epoch of the first and last accepted push)
 *   `{ type: 'counts' }` → `{ counts: [[`<reminderId>.<token>`, times], …] }`
 */
import { startLocalFcmServer } from '@stagelives/devkit';

let firstAt = 0;
let lastAt = 0;
const server = await startLocalFcmServer({
  onPush: () => {
    const now = Date.now();
    if (!firstAt) firstAt = now;
    lastAt = now;
  },
});
process.send?.({ ready: server.info });
process.on('message', (request: { type: 'stats' | 'counts' }) => {
  if (request.type === 'stats') process.send?.({ accepted: server.stats.accepted, firstAt, lastAt });
  else {
    const counts = new Map<string, number>();
    for (const push of server.pushes) {
      const key = `${push.reminderId}.${push.token}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    process.send?.({ counts: [...counts] });
  }
});
process.on('disconnect', () => void server.close().finally(() => process.exit(0)));
