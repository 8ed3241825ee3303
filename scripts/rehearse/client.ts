/**
 * The rehearsal's GraphQL client over HTTP. Not test/support's `gql`: that one throws on a
 * network error, has no timeout, and its module starts the whole stack in-process (the router and
 * every subgraph: seconds and some 250 MB in the load generator); here every failure, on the wire
 * or in the answer, comes back as a short kind (`network: ECONNRESET`, `http 502 (not JSON)`,
 * `graphql SUBGRAPH_UNAVAILABLE (HTTP 200)`) for the report to count.
 */
import { sleep } from './config.js';

export type Result = { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
export type Gql = (query: string, variables?: Record<string, unknown>, token?: string) => Promise<{ result?: Result; error?: string }>;

/** A client of the router at `url`; a request that takes more than 15 s fails. */
export function httpGraphql(url: string): Gql {
  return async (query, variables = {}, token) => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { error: `network: ${cause?.code ?? (error as Error).name ?? 'error'}` };
    }
    const text = await res.text().catch(() => '');
    let body: Result;
    try {
      body = JSON.parse(text) as Result;
    } catch {
      return { error: `http ${res.status} (not JSON)` };
    }
    if (body.errors?.length) return { result: body, error: `graphql ${body.errors[0]!.extensions?.code ?? body.errors[0]!.message} (HTTP ${res.status})` };
    return { result: body };
  };
}

/** A setup call: retried until it succeeds (nothing is killed during setup), 5 attempts; its data. */
export async function must(gql: Gql, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
  for (let attempt = 1; ; attempt += 1) {
    const { result, error } = await gql(query, variables, token);
    if (!error) return result!.data;
    if (attempt >= 5) throw new Error(`setup call failed: ${error}: ${query.slice(0, 80)}`);
    await sleep(200 * attempt);
  }
}

/** `fn` over `items`, at most `n` at a time; the results in the items' order. */
export async function pool<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
