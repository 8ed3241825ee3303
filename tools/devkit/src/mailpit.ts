import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { type ChildService, ROOT, killOnExit, pipeLines, stopChild, waitUntilListening } from './services.js';

export const MAILPIT_BIN = join(ROOT, 'tools/mailpit/bin/mailpit');

/** Mailpit: an SMTP server that keeps every message, with a web UI and an HTTP API on a second port. */
export interface MailpitService extends ChildService {
  /** `smtp://127.0.0.1:<port>`: what the users subgraph's SMTP_URL points at. */
  url: string;
  /** `http://127.0.0.1:<port>`: the web UI, and the API under `/api/v1` (messages, search). */
  webUrl: string;
}

/**
 * Starts the pinned Mailpit (built by scripts/ensure.mjs from tools/mailpit/go.mod) on free
 * loopback ports: SMTP for our mail, HTTP for its web UI and API. Messages are kept in a SQLite
 * file under `dataDir` (in memory without one); at most `maxMessages` (older ones are pruned).
 */
export async function startMailpit({
  dataDir,
  smtpPort,
  httpPort,
  maxMessages = 5_000,
  onOutput,
}: {
  dataDir?: string;
  smtpPort?: number;
  httpPort?: number;
  maxMessages?: number;
  onOutput?: (line: string) => void;
} = {}): Promise<MailpitService> {
  const smtp = smtpPort ?? (await freePort());
  const http = httpPort ?? (await freePort());
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child = spawn(
    MAILPIT_BIN,
    [
      `--smtp=127.0.0.1:${smtp}`,
      `--listen=127.0.0.1:${http}`,
      ...(dataDir ? [`--database=${join(dataDir, 'mailpit.db')}`] : []),
      `--max=${maxMessages}`,
      // Our SMTP client is on loopback without credentials or TLS: accept it as it is.
      '--smtp-auth-accept-any',
      '--smtp-auth-allow-insecure',
      '--smtp-disable-rdns',
      '--disable-version-check',
      '--quiet',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  killOnExit(child);
  pipeLines(child, onOutput);
  await waitUntilListening(child, [smtp, http], 'mailpit');
  return { name: 'mailpit', port: smtp, url: `smtp://127.0.0.1:${smtp}`, webUrl: `http://127.0.0.1:${http}`, child, stop: () => stopChild(child) };
}

/**
 * The users subgraph's mail settings for a production-mode process started without a mail server
 * (the build checks, start-up measurements, the rehearsal): production requires all three, and
 * nothing connects to `SMTP_URL` until a mail is sent.
 */
export const unsentMailEnv = (): Record<string, string> => ({
  SMTP_URL: 'smtp://127.0.0.1:9',
  MAIL_FROM: 'stagelives <no-reply@stagelives.test>',
  PUBLIC_URL: 'https://app.stagelives.test',
});
