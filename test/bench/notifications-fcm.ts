/**
 * The notifications benchmark's FCM endpoint (forked by `notifications.ts` with `forkEntry`): the
 * local FCM v1 server of `@stagelives/devkit` in a process of its own, so the workers' pushes
 * cross a real socket to another process, as they would to Google. Answers requests by id
 * (`{ reply: id, ... }`, see children.ts):
 *   `{ type: 'info' }`   → `{ info }` (what `localFcmEnv` takes), once the server listens
 *   `{ type: 'stats' }`  → `{ accepted, firstAt, lastAt }` (ms since the epoch of the first and last accepted push)
 *   `{ type: 'counts' }` → `{ counts: [[`<reminderId>.<token>`, times], …] }`
 */
import { startLocalFcmServer } from '@stagelives/devkit';

let firstAt = 0;
let lastAt = 0;
const started = startLocalFcmServer({
  onPush: () => {
    const now = Date.now();
    if (!firstAt) firstAt = now;
    lastAt = now;
  },
});
// Listening before the server is up: a request that came meanwhile waits for it instead of being dropped.
process.on('message', (request: { id: number; type: 'info' | 'stats' | 'counts' }) => {
  void started.then((server) => {
    const reply = (body: object) => process.send?.({ reply: request.id, ...body });
    if (request.type === 'info') return reply({ info: server.info });
    if (request.type === 'stats') return reply({ accepted: server.stats.accepted, firstAt, lastAt });
    const counts = new Map<string, number>();
    for (const push of server.pushes) {
      const key = `${push.reminderId}.${push.token}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return reply({ counts: [...counts] });
  });
});
const close = () => void started.then((server) => server.close()).finally(() => process.exit(0));
process.on('SIGTERM', close);
process.on('disconnect', close);
