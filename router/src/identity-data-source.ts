import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { IDENTITY_HEADER, REQUEST_ID_HEADER, sessionChangeFrom, signIdentity } from '@stagelives/schema';
import type { RouterContext } from './context.js';

/**
 * Calls a subgraph on behalf of the viewer: a fresh header set carrying the request id and
 * the identity signed for this request. Nothing the client sent is forwarded.
 */
export class IdentityDataSource extends RemoteGraphQLDataSource<RouterContext> {
  constructor(
    url: string,
    private readonly secret: string,
    private readonly onFetch?: (subgraph: string) => void,
    private readonly subgraphName = '',
  ) {
    // Node's fetch (undici) closes idle keep-alive sockets first (after 4 s, and before the
    // server's announced Keep-Alive timeout): a request is never sent on a socket being closed.
    super({ url, fetcher: fetch });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    this.onFetch?.(this.subgraphName);
    if (!('requestId' in context) || !context.requestId) return;
    request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
    if (context.session) {
      const { userId, roles, id } = context.session;
      request.http?.headers.set(
        IDENTITY_HEADER,
        signIdentity({ userId, roles, sessionId: id }, { secret: this.secret, requestId: context.requestId }),
      );
    }
  }

  override didReceiveResponse({ response, context }: Parameters<NonNullable<RemoteGraphQLDataSource<RouterContext>['didReceiveResponse']>>[0]) {
    const change = response.http ? sessionChangeFrom(response.http.headers) : null;
    if (change) context.sessionChange = change;
    return response;
  }
}
