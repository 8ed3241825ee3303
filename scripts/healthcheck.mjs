#!/usr/bin/env node
// The image's HEALTHCHECK (no curl in slim images): GET http://127.0.0.1:<port><path> of the
// process in this container; exit 0 on 2xx, 1 otherwise. Plain Node, no dependencies.
// Port: HEALTHCHECK_PORT, else the variable of the process the container runs (its command names
// router/, subgraphs/ or workers/ dist: PORT, SUBGRAPH_PORT or WORKERS_PORT), else 4000.
// Path: HEALTHCHECK_PATH, default /health/live (the process answers; /health/ready also needs
// its dependencies, which orchestrators check separately).
import { readFileSync } from 'node:fs';

function portOfCommand() {
  let cmdline = '';
  try {
    cmdline = readFileSync('/proc/1/cmdline', 'utf8');
  } catch {
    // not Linux, or no /proc: fall through to the defaults
  }
  if (cmdline.includes('subgraphs/')) return process.env.SUBGRAPH_PORT;
  if (cmdline.includes('workers/')) return process.env.WORKERS_PORT;
  if (cmdline.includes('router/')) return process.env.PORT;
  return undefined;
}

const port = process.env.HEALTHCHECK_PORT || portOfCommand() || '4000';
const path = process.env.HEALTHCHECK_PATH || '/health/live';
try {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_500) });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
} catch (error) {
  console.error(`unhealthy: ${path} on port ${port}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
