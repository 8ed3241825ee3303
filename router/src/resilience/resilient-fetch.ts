import type { SubgraphPolicy } from './subgraph-policy.js';

type Init = { method?: string; headers?: Record<string, string>; body?: string | Buffer };

/** Whether a subgraph request body (`{"query":"…"}`, as the gateway sends it) is a read. */
export function isQueryBody(body: string | undefined): boolean {
  return body !== undefined && !/^\{"query":"\s*(mutation|subscription)\b/.test(body);
}

/**
 * A subgraph's answer read whole inside its policy: a Response like any other, whose bytes also
 * stay at hand, so the router's own readers (response-size.ts, dedupe-fetch.ts) take them without
 * reading the body again as a stream.
 */
export class ReadResponse extends Response {
  constructor(
    readonly content: ArrayBuffer,
    init: ResponseInit,
  ) {
    super(content.byteLength ? content : null, init);
  }
}

/**
 * A fetcher for the gateway's data source whose every call runs under the subgraph's policy
 * (timeout, retry of reads, circuit breaker). The body is read inside the policy, so a subgraph
 * that sends headers and then hangs is timed out too; the answer is handed on as a ReadResponse.
 */
export function resilientFetch(policy: SubgraphPolicy, fetcher: typeof fetch = fetch) {
  return async (url: string, init: Init = {}): Promise<Response> => {
    const kind = isQueryBody(typeof init.body === 'string' ? init.body : undefined) ? 'query' : 'mutation';
    return policy.execute(kind, async (signal) => {
      const response = await fetcher(url, { ...(init as RequestInit), signal });
      const body = await response.arrayBuffer();
      return new ReadResponse(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    });
  };
}
