/** What the rehearsal does and when: its knobs (REHEARSE_*), its sizes, its schedule of failures, and its log. */

export const LOAD_SECONDS = Number(process.env.REHEARSE_SECONDS ?? 60);
export const CONCURRENCY = Number(process.env.REHEARSE_CONCURRENCY ?? 8);
export const FANS = 30;
export const DEVICES = 2;
export const ROOMS = 3;
export const SUBSCRIBERS_PER_ROOM = 4;
/** Seconds after the load starts at which each reminder concert's reminders are due. */
export const REMINDER_OFFSETS = [6, 14, 21, 29, 31, 37, 46, 55].filter((s) => s < LOAD_SECONDS);
/** What is killed when (fraction of the load), restarted RESTART_AFTER seconds later. */
export const RESTART_AFTER = 3;
export const CHAOS = [
  { at: 0.2, kind: 'router', replica: 0 },
  { at: 0.37, kind: 'subgraphs', replica: 0 },
  { at: 0.5, kind: 'workers', replica: 0 },
  { at: 0.7, kind: 'router', replica: 1 },
] as const;
/**
 * A hung replica: one replica of a subgraph stopped (SIGSTOP) for HANG.seconds, then resumed
 * (SIGCONT). It still accepts connections (the kernel does), so the proxy keeps sending it
 * requests: the routers' per-subgraph timeout is what bounds them (docs/operations.md, Subgraph failures).
 */
export const HANG = { at: 0.55, subgraph: 'concerts', replica: 1, seconds: Number(process.env.REHEARSE_HANG_SECONDS ?? 20) } as const;

export const ADMIN = 'admin@rehearsal.test';
export const PASSWORD = 'correct horse battery staple';
/** The processes' MONGODB_DB_PREFIX: the checks read `<DB_PREFIX><domain>`. */
export const DB_PREFIX = 'rh_';

export const say = (msg: string) => console.error(`[rehearse] ${msg}`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
/** Time since the rehearsal began, for its log. */
export const since = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
