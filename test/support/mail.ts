/**
 * The mail the stack sent, read back from the suite's Mailpit through its HTTP API
 * (`/api/v1/search`, `/api/v1/message/{id}`), as a user would find it in their inbox.
 */
import { inject } from 'vitest';
import { eventually } from './live.js';

export interface Mail {
  id: string;
  subject: string;
  from: string;
  to: string[];
  text: string;
  html: string;
  /** The message's headers (Mailpit's raw view), lower-cased names. */
  headers: Record<string, string[]>;
  /** When Mailpit received it (RFC 3339, milliseconds). */
  received: string;
}

const api = (path: string) => `${inject('mailpitUrl')}/api/v1${path}`;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`Mailpit ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

interface Summary {
  ID: string;
  Subject: string;
  Created: string;
}

/** Every message delivered to `address`, oldest first. */
export async function mailsTo(address: string): Promise<Mail[]> {
  const found = await getJson<{ messages: Summary[] }>(api(`/search?limit=200&query=${encodeURIComponent(`to:"${address}"`)}`));
  const received = [...found.messages].sort((a, b) => a.Created.localeCompare(b.Created));
  return Promise.all(received.map((m) => readMail(m.ID, m.Created)));
}

async function readMail(id: string, received: string): Promise<Mail> {
  const m = await getJson<{ ID: string; Subject: string; From: { Address: string }; To: Array<{ Address: string }>; Text: string; HTML: string }>(
    api(`/message/${id}`),
  );
  const headers = await getJson<Record<string, string[]>>(api(`/message/${id}/headers`));
  return {
    id: m.ID,
    subject: m.Subject,
    from: m.From.Address,
    to: m.To.map((t) => t.Address),
    text: m.Text,
    html: m.HTML,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    received,
  };
}

/** Waits until `address` has received `count` messages whose subject matches, and returns them (oldest first). */
export async function waitForMails(address: string, subject: RegExp, count = 1, timeoutMs = 10_000): Promise<Mail[]> {
  let matching: Mail[] = [];
  await eventually(
    async () => {
      matching = (await mailsTo(address)).filter((m) => subject.test(m.subject));
      return matching.length >= count;
    },
    timeoutMs,
    `${count} mail(s) to ${address} matching ${subject}`,
  );
  return matching;
}

/** The newest message to `address` matching `subject` (waiting for it). */
export async function lastMail(address: string, subject: RegExp, count = 1): Promise<Mail> {
  return (await waitForMails(address, subject, count)).at(-1)!;
}

/** The token of the link to `<base>/<path>?token=…` in a message's plain-text part. */
export function linkToken(mail: Mail, path: string): string {
  const match = new RegExp(`/${path}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text);
  if (!match) throw new Error(`no /${path} link in "${mail.subject}":\n${mail.text}`);
  return decodeURIComponent(match[1]!);
}
