/**
 * The failures the rehearsal causes during the load: the CHAOS steps (SIGKILL, then a restart
 * RESTART_AFTER seconds later, each step on its own clock) and the HANG (one replica stopped with
 * SIGSTOP, then SIGCONT).
 */
import { SUBGRAPH_NAMES } from '@stagelives/schema';
import type { NotificationStore } from '@stagelives/notifications/store';
import { type Cluster, type Proc, killProc, startProc } from './cluster.js';
import { CHAOS, HANG, LOAD_SECONDS, RESTART_AFTER, say, sleep } from './config.js';
import type { LoadStats } from './load.js';

export interface Kill {
  what: string;
  at: string;
  /** Milliseconds after the load started. */
  killedAt: number;
  /** How long each victim's restart took to listen. */
  readyAfterMs: number[];
}

export interface ChaosOutcome {
  kills: Kill[];
  /** Ledger keys of the pushes claimed but unconfirmed when the workers process was killed: the in-flight window. */
  unconfirmedAtKill: Set<string>;
}

/** Runs every CHAOS step, timed from `loadStart`; resolves once every victim is back. */
export async function runChaos(cluster: Cluster, loadStart: number, store: NotificationStore): Promise<ChaosOutcome> {
  const outcome: ChaosOutcome = { kills: [], unconfirmedAtKill: new Set() };
  // Each step on its own clock (a slow restart does not delay the next kill).
  await Promise.all(
    CHAOS.map(async (step) => {
      const at = loadStart + step.at * LOAD_SECONDS * 1000;
      await sleep(Math.max(0, at - Date.now()));
      const victims: Proc[] =
        step.kind === 'router'
          ? [cluster.routers[step.replica]!]
          : step.kind === 'workers'
            ? [cluster.workers[step.replica]!]
            : SUBGRAPH_NAMES.map((n) => cluster.subgraphs[n]![step.replica]!);
      const killedAt = Date.now() - loadStart;
      await Promise.all(victims.map(killProc));
      say(`SIGKILL ${victims.map((v) => v.name).join(', ')} at +${(killedAt / 1000).toFixed(1)} s of the load`);
      if (step.kind === 'workers') {
        await sleep(300); // answers already on the wire land
        outcome.unconfirmedAtKill = new Set((await store.ledger.unconfirmed()).map((c) => c._id));
        say(`  pushes claimed but unconfirmed at the kill (the in-flight window): ${outcome.unconfirmedAtKill.size}`);
      }
      await sleep(RESTART_AFTER * 1000);
      const before = victims.map((v) => v.startMs.length);
      await Promise.all(victims.map((v) => startProc(cluster, v)));
      outcome.kills.push({
        what: victims.map((v) => v.name).join(', '),
        at: `+${(killedAt / 1000).toFixed(1)} s`,
        killedAt,
        readyAfterMs: victims.map((v, i) => v.startMs[before[i]!]!),
      });
      say(`  restarted ${victims.map((v) => v.name).join(', ')}`);
    }),
  );
  return outcome;
}

/** The replica HANG stops. */
export const hungReplica = (cluster: Cluster): Proc => cluster.subgraphs[HANG.subgraph]![HANG.replica]!;

/** Stops the HANG replica (SIGSTOP) for HANG.seconds, timed from `loadStart`; `stats.hangWindow` is active meanwhile. */
export async function hang(cluster: Cluster, loadStart: number, stats: LoadStats): Promise<void> {
  const hung = hungReplica(cluster);
  await sleep(Math.max(0, loadStart + HANG.at * LOAD_SECONDS * 1000 - Date.now()));
  hung.child?.kill('SIGSTOP');
  stats.hangWindow.active = true;
  say(`SIGSTOP ${hung.name} at +${((Date.now() - loadStart) / 1000).toFixed(1)} s of the load, for ${HANG.seconds} s`);
  try {
    await sleep(HANG.seconds * 1000);
  } finally {
    hung.child?.kill('SIGCONT');
    stats.hangWindow.active = false;
    say(`  SIGCONT ${hung.name}`);
  }
}
