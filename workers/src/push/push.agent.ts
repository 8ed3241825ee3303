import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { Agent, type AgentOptions } from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';

/** The Google hosts firebase-admin calls for FCM: the send API and the OAuth2 token endpoint. */
const GOOGLE_FCM_HOSTS = ['fcm.googleapis.com', 'oauth2.googleapis.com'] as const;

/**
 * What one `sendEachForMulticast` call saw of the HTTP responses: firebase-admin turns an error
 * response into a `FirebaseMessagingError` with only a code and a message, so the `Retry-After`
 * header is lost there. The agent reads it off the response of every request made inside
 * `observe()` (the async context carries the scope through firebase-admin's promise chain).
 */
export interface ResponseScope {
  /** Largest `Retry-After` (seconds) on a 429 or 5xx answer in this scope. */
  retryAfterSeconds?: number;
}

/** Parses `Retry-After` (delta-seconds or HTTP-date) into whole seconds ≥ 0. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

export interface PushAgentOptions {
  /** Sockets per host (each carries one request at a time over HTTP/1.1). */
  maxSockets: number;
  /**
   * Local mode: send both Google hosts to this server instead (`https://127.0.0.1:<port>`),
   * trusting only `ca`. Any other host fails to resolve.
   */
  local?: { url: string; ca: string };
}

/**
 * The keep-alive `https.Agent` given to firebase-admin as `httpAgent` (used by the HTTP/1.1
 * transport, see `enableLegacyHttpTransport()`) and to the credential for the token exchange.
 *
 * In local mode its `lookup` resolves `fcm.googleapis.com` / `oauth2.googleapis.com` to the local
 * server's address, its `port` option replaces 443 (the agent's own options win over the
 * request's in Node's `Agent#createSocket`), and its `ca` is the local server's self-signed
 * certificate, issued for those host names: TLS verification stays on. The request itself
 * (Host header, SNI, path) is exactly what firebase-admin would send to Google.
 */
export class PushAgent extends Agent {
  private readonly scopes = new AsyncLocalStorage<ResponseScope>();

  constructor({ maxSockets, local }: PushAgentOptions) {
    const options: AgentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' };
    if (local) {
      const target = new URL(local.url);
      if (target.protocol !== 'https:') throw new Error(`FCM_LOCAL_URL must be https:// (got ${local.url})`);
      const address = target.hostname.replace(/^\[|\]$/g, '');
      options.ca = local.ca;
      options.port = Number(target.port || 443);
      options.lookup = ((hostname: string, opts: { all?: boolean; family?: number } | number, callback: (...args: unknown[]) => void) => {
        if (!(GOOGLE_FCM_HOSTS as readonly string[]).includes(hostname)) {
          const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (local FCM mode only reaches ${GOOGLE_FCM_HOSTS.join(', ')})`), {
            code: 'ENOTFOUND',
            hostname,
          });
          return callback(error);
        }
        const all = typeof opts === 'object' && opts?.all === true;
        const family = isIP(address);
        if (family) return all ? callback(null, [{ address, family }]) : callback(null, address, family);
        // A host name (e.g. localhost) in FCM_LOCAL_URL: resolve that instead.
        dnsLookup(address, { all: true }, (err, addresses: LookupAddress[]) => {
          if (err || !addresses.length) return callback(err ?? new Error(`cannot resolve ${address}`));
          return all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family);
        });
      }) as AgentOptions['lookup'];
    }
    super(options);
  }

  /** Runs `fn`; the responses to requests it makes through this agent are reported in the returned scope. */
  async observe<T>(fn: () => Promise<T>): Promise<{ result: T; scope: ResponseScope }> {
    const scope: ResponseScope = {};
    const result = await this.scopes.run(scope, fn);
    return { result, scope };
  }

  /**
   * Node's `ClientRequest` hands every request to its agent here (synchronously, in the async
   * context of the caller). Not in @types/node's declaration, hence the cast.
   */
  addRequest(req: ClientRequest, options: unknown): void {
    const scope = this.scopes.getStore();
    if (scope) {
      req.once('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status !== 429 && status < 500) return;
        const header = res.headers['retry-after'];
        const seconds = parseRetryAfter(Array.isArray(header) ? header[0] : header);
        if (seconds !== undefined) scope.retryAfterSeconds = Math.max(scope.retryAfterSeconds ?? 0, seconds);
      });
    }
    (Agent.prototype as unknown as { addRequest(req: ClientRequest, options: unknown): void }).addRequest.call(this, req, options);
  }
}
