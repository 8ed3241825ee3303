import { IDENTITY_HEADER } from '@stagelives/schema';
import { ReadResponse, isQueryBody } from './resilience/resilient-fetch.js';

type Init = { method?: string; headers?: Record<string, string>; body?: string | Buffer };
type Shared = { status: number; statusText: string; headers: [string, string][]; body: ArrayBuffer };

/**
 * In-flight de-duplication of subgraph fetches: while an anonymous query with the same body is
 * on its way to the same subgraph, an identical one waits for it instead of being sent. Each
 * caller gets its own `Response` (status, headers — the cache hint included — and body), so the
 * gateway parses, merges and honours hints per request as before. Only requests without an
 * identity header (anonymous) and only queries are shared: the answer of a signed-in viewer or
 * of a mutation is never handed to another request. Under a burst of identical anonymous reads
 * (a page everyone opens when ticket sales start) the subgraph and the database see one request.
 */
export function dedupingFetch(fetcher: typeof fetch = fetch) {
  const inFlight = new Map<string, Promise<Shared>>();
  let shared = 0;
  const dedupe = async (url: string, init: Init = {}): Promise<Response> => {
    const body = typeof init.body === 'string' ? init.body : undefined;
    const eligible = isQueryBody(body) && !init.headers?.[IDENTITY_HEADER];
    if (!eligible) return fetcher(url, init as RequestInit);
    const key = `${url}\n${body}`;
    let pending = inFlight.get(key);
    if (pending) shared += 1;
    else {
      pending = (async () => {
        const response = await fetcher(url, init as RequestInit);
        const body = response instanceof ReadResponse ? response.content : await response.arrayBuffer();
        return { status: response.status, statusText: response.statusText, headers: [...response.headers.entries()], body };
      })();
      inFlight.set(key, pending);
      const forget = () => inFlight.delete(key);
      pending.then(forget, forget);
    }
    const result = await pending;
    return new ReadResponse(result.body.slice(0), { status: result.status, statusText: result.statusText, headers: result.headers });
  };
  return Object.assign(dedupe, {
    /** Fetches answered by another request's fetch (tests, benchmarks). */
    get shared() {
      return shared;
    },
  });
}
