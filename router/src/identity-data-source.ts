import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { dedupingFetch } from './dedupe-fetch.js';
import type { SubgraphFetchObserver } from './metrics.js';
import { SubgraphUnavailableError, resilientFetch, type SubgraphPolicy } from './resilience/index.js';
import { IDENTITY_HEADER, REQUEST_ID_HEADER, sessionChangeFrom, signIdentity } from '@stagelives/schema';
import type { Session } from '@stagelives/platform';
import { SpanKind, injectTraceHeaders, withSpan } from '@stagelives/platform/telemetry';
import type { RouterContext } from './context.js';
import { readMeteredBody } from './response-size.js';

type Fetcher = NonNullable<NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher']>;

/**
 * Calls a subgraph on behalf of the viewer: a fresh header set carrying the request id and
 * the identity signed for this request (roles and whether the email is verified, from the
 * session). Of what the client sent, only `Accept-Language` is passed on.
 */
export interface IdentityDataSourceOptions {
  url: string;
  /** IDENTITY_SECRET: the key of the signed identity header. */
  secret: string;
  subgraph: string;
  /** Called before each fetch (tests count them). */
  onFetch?: ((subgraph: string) => void) | undefined;
  /** Times each fetch (metrics). */
  observer?: SubgraphFetchObserver | undefined;
  /** Identical anonymous queries in flight share one fetch (default true). */
  dedupe?: boolean;
  /** Timeout, retry and circuit breaker of this subgraph (resilience/); none: plain fetch. */
  policy?: SubgraphPolicy | undefined;
  /**
   * Resolves a session token a subgraph has just set (sign-up, log-in): the rest of the same
   * operation is then fetched as that user (`logIn { user { likedConcerts { … } } }`).
   */
  resolveSession?: ((token: string) => Promise<Session | null>) | undefined;
}

/** Where a request's signed identity is kept on its context, for its other subgraph fetches. */
const SIGNED = Symbol('stagelives.signedIdentity');
type Signed = { [SIGNED]?: { session: Session; secret: string; at: number; header: string } };

export class IdentityDataSource extends RemoteGraphQLDataSource<RouterContext> {
  private readonly secret: string;
  private readonly subgraphName: string;
  private readonly onFetch: ((subgraph: string) => void) | undefined;
  private readonly observer: SubgraphFetchObserver | undefined;
  private readonly resolveSession: IdentityDataSourceOptions['resolveSession'];

  constructor({ url, secret, subgraph, onFetch, observer, dedupe = true, policy, resolveSession }: IdentityDataSourceOptions) {
    // Node's fetch (undici) keeps connections alive and closes idle ones first (after 4 s, and
    // before the server's announced Keep-Alive timeout): a request is never sent on a socket being
    // closed. Identical anonymous queries in flight share one fetch (dedupe-fetch.ts), and that
    // one fetch runs under the policy (one timeout, one breaker count, one socket to abort).
    const guarded = policy ? resilientFetch(policy) : fetch;
    super({ url, fetcher: (dedupe ? dedupingFetch(guarded as typeof fetch) : guarded) as unknown as Fetcher });
    this.secret = secret;
    this.subgraphName = subgraph;
    this.onFetch = onFetch;
    this.observer = observer;
    this.resolveSession = resolveSession;
  }

  /**
   * One client span per subgraph fetch (tracing on): the subgraph's name and the operation's
   * names, never its variables or document. `willSendRequest` runs inside it, so the subgraph's
   * spans are its children (`traceparent`).
   */
  override process(options: GraphQLDataSourceProcessOptions<RouterContext>) {
    const attributes = {
      'stagelives.subgraph': this.subgraphName,
      'graphql.operation.name': ('incomingRequestContext' in options ? options.incomingRequestContext.request.operationName : undefined) ?? '',
      'stagelives.subgraph.operation': options.request.operationName ?? '',
    };
    return withSpan(`subgraph ${this.subgraphName}`, { kind: SpanKind.CLIENT, attributes }, () => this.observedProcess(options));
  }

  private async observedProcess(options: GraphQLDataSourceProcessOptions<RouterContext>) {
    if (!this.observer) return super.process(options);
    const started = performance.now();
    let outcome: 'ok' | 'error' = 'error';
    try {
      const response = await super.process(options);
      outcome = 'ok';
      return response;
    } finally {
      this.observer.fetched(this.subgraphName, (performance.now() - started) / 1000, outcome);
    }
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    this.onFetch?.(this.subgraphName);
    // W3C trace context beside the identity: the header set is built here from scratch.
    if (request.http) injectTraceHeaders(request.http.headers);
    if (!('requestId' in context) || !context.requestId) return;
    request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
    if (context.acceptLanguage) request.http?.headers.set('accept-language', context.acceptLanguage);
    if (context.session) request.http?.headers.set(IDENTITY_HEADER, this.identityOf(context as RouterContext, context.session));
  }

  /**
   * The identity signed for this request's viewer: once per request (every subgraph fetch of the
   * operation carries the same one), again when the viewer changed (a sign-in mid-operation) or
   * the signature is a third of its 30 s life old.
   */
  private identityOf(context: Pick<RouterContext, 'requestId'>, session: Session): string {
    const signed = (context as Signed)[SIGNED];
    const now = Date.now();
    if (signed && signed.session === session && signed.secret === this.secret && now - signed.at < 10_000) return signed.header;
    const { userId, roles, id, emailVerified = false } = session;
    const header = signIdentity({ userId, roles, sessionId: id, emailVerified }, { secret: this.secret, requestId: context.requestId, now });
    (context as Signed)[SIGNED] = { session, secret: this.secret, at: now, header };
    return header;
  }

  /**
   * A subgraph answered with an HTTP error. Apollo's default puts the subgraph's URL, status and
   * whole body in `extensions.response`, for the client to see. Instead: a bad value the gateway
   * cannot check (custom scalars such as DateTime are opaque to it), as a variable
   * (`BAD_USER_INPUT`) or as a literal (`GRAPHQL_VALIDATION_FAILED`), keeps the subgraph's message
   * and code; anything else says only that a subgraph failed.
   */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource<RouterContext>['errorFromResponse']>[0]): Promise<GraphQLError> {
    const body = (await this.parseBody(response).catch(() => null)) as
      | { errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> }
      | string
      | null;
    const first = body && typeof body === 'object' && Array.isArray(body.errors) ? body.errors[0] : undefined;
    const code = first?.extensions?.code;
    if (response.status === 400 && (code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED') && typeof first?.message === 'string') {
      return new GraphQLError(first.message, { extensions: { code } });
    }
    // A gateway or the subgraph itself says it cannot serve now (draining, overloaded, no healthy replica).
    if (response.status >= 502 && response.status <= 504) return new SubgraphUnavailableError(this.subgraphName, 'unavailable');
    const failure = response.status === 401 ? 'UNAUTHENTICATED' : response.status === 403 ? 'FORBIDDEN' : 'INTERNAL_SERVER_ERROR';
    return new GraphQLError(
      failure === 'INTERNAL_SERVER_ERROR'
        ? `The ${this.subgraphName || 'subgraph'} service failed to answer (HTTP ${response.status}).`
        : `${response.status}: ${response.statusText}`,
      { extensions: { code: failure } },
    );
  }

  /** Each subgraph answer counts toward its operation's MAX_RESPONSE_BYTES (response-size.ts). */
  override parseBody(...[response, , context]: Parameters<RemoteGraphQLDataSource<RouterContext>['parseBody']>): Promise<object | string> {
    return readMeteredBody(response as unknown as Response, context) as Promise<object | string>;
  }

  override async didReceiveResponse({ response, context }: Parameters<NonNullable<RemoteGraphQLDataSource<RouterContext>['didReceiveResponse']>>[0]) {
    const change = response.http ? sessionChangeFrom(response.http.headers) : null;
    if (!change) return response;
    context.sessionChange = change;
    // Fields fetched after a sign-in, a sign-up or a log-out in the same operation are the new viewer's.
    if (change.kind === 'clear') context.session = null;
    else if (this.resolveSession) context.session = await this.resolveSession(change.token);
    return response;
  }
}
