import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { REQUEST_ID_HEADER } from '@stagelives/schema';
import type { RouterContext } from '../context.js';
import { clearedSessionCookie, sessionCookie } from '../sessions.js';

/**
 * Echoes the request id, and turns a session change a subgraph reported (sign-in, log-out)
 * into the client's `Set-Cookie`.
 */
export function sessionCookiePlugin({ production, maxAgeSeconds }: { production: boolean; maxAgeSeconds: number }): ApolloServerPlugin<RouterContext> {
  // No per-request state: one listener serves every request.
  const listener: GraphQLRequestListener<RouterContext> = {
    async willSendResponse({ response, contextValue }) {
      response.http.headers.set(REQUEST_ID_HEADER, contextValue.requestId);
      const change = contextValue.sessionChange;
      if (change?.kind === 'set') response.http.headers.set('set-cookie', sessionCookie(change.token, { production, maxAgeSeconds }));
      else if (change?.kind === 'clear') response.http.headers.set('set-cookie', clearedSessionCookie({ production }));
    },
  };
  return { requestDidStart: async () => listener };
}
