/** Plain `fetch` against the router's REST paths, as a legacy client does it. */

export interface RestResult {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

export interface CallOptions {
  token?: string;
  cookie?: string;
  /** A value is sent as JSON; a string as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Leave out the default `Content-Type: application/json` of state-changing requests. */
  noContentType?: boolean;
}

export function restClient(baseUrl: string) {
  return async function call(method: string, path: string, { token, cookie, body, headers = {}, noContentType }: CallOptions = {}): Promise<RestResult> {
    const stateChanging = method !== 'GET' && method !== 'HEAD';
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(stateChanging && !noContentType ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(cookie ? { cookie } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
}

/** `name=value` of the session cookie a response set (for sending it back). */
export function sessionCookieOf(res: RestResult): string | undefined {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('sl_session='));
  return set?.split(';')[0];
}
