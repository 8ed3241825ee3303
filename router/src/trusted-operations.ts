import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { RequestHandler } from 'express';
import { GraphQLError, parse, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { DEFAULT_CONTRACT_DIR, documentShapeKey, operationId, operationManifest, type ManifestOperation } from '@stagelives/schema';
import type { RouterConfig } from './config.js';
import type { RouterContext } from './context.js';

/** Codes of Apollo's persisted queries (Apollo Server's and the GraphOS Router's safelisting). */
export const TRUSTED_OPERATION_CODES = {
  /** Freeform text that is not one of the trusted operations (403, as the GraphOS Router answers). */
  notInList: 'PERSISTED_QUERY_NOT_IN_LIST',
  /** A hash with no query, unknown (Apollo Server's APQ answer: HTTP 200 with this code). */
  notFound: 'PERSISTED_QUERY_NOT_FOUND',
  /** Both a query and a hash, and the hash is not the query's sha256 (400). */
  hashMismatch: 'PERSISTED_QUERY_HASH_MISMATCH',
} as const;

export interface Refusal {
  status: number;
  error: GraphQLFormattedError;
}

const notInList = (): Refusal => ({
  status: 403,
  error: {
    message: 'This operation is not in the list of trusted operations: only the operations of the client contract run here.',
    extensions: { code: TRUSTED_OPERATION_CODES.notInList },
  },
});
const notFound = (): Refusal => ({ status: 200, error: { message: 'PersistedQueryNotFound', extensions: { code: TRUSTED_OPERATION_CODES.notFound } } });
const hashMismatch = (): Refusal => ({
  status: 400,
  error: { message: 'provided sha does not match query', extensions: { code: TRUSTED_OPERATION_CODES.hashMismatch } },
});

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);

/** `extensions.persistedQuery.sha256Hash`, when the extensions carry one (any version: Apollo refuses others). */
function persistedHashOf(extensions: unknown): string | undefined | null {
  if (!isRecord(extensions) || extensions.persistedQuery === undefined || extensions.persistedQuery === null) return undefined;
  const pq = extensions.persistedQuery;
  return isRecord(pq) && typeof pq.sha256Hash === 'string' ? pq.sha256Hash : null;
}

/**
 * `OPERATIONS=trusted`: the operations of the client contract (`contract/*.graphql`, see
 * `operationManifest`) are the only ones the router runs for clients.
 *
 * - A client sends an operation's text (`query`), matched by its sha256 or, when the text was
 *   reformatted (whitespace, commas, comments, definition order), by its shape; or its hash
 *   alone in `extensions.persistedQuery` (Apollo's APQ format), served by Apollo Server's own
 *   persisted queries from a read-only cache that holds exactly the trusted operations.
 * - HTTP: `middleware()` refuses untrusted text before Apollo parses or validates it (no schema
 *   details in the answer); `plugin()` checks again, in Apollo, every operation that is not the
 *   router's own (`contextValue.internal`), before any subgraph is called.
 * - WebSocket: `resolve()` in the subscribe handler.
 */
export class TrustedOperations {
  readonly operations: readonly ManifestOperation[];
  private readonly byId = new Map<string, ManifestOperation>();
  private readonly byShape = new Map<string, ManifestOperation>();

  constructor(
    operations: readonly ManifestOperation[],
    private readonly maxTokens: number,
  ) {
    this.operations = operations;
    for (const op of operations) {
      this.byId.set(op.id, op);
      this.byShape.set(documentShapeKey(parse(op.body, { noLocation: true })), op);
    }
  }

  /** The contract's operations (CONTRACT_DIR, default `contract/`); throws if the contract cannot be read. */
  static load(config: Pick<RouterConfig, 'CONTRACT_DIR' | 'MAX_TOKENS'>): TrustedOperations {
    return new TrustedOperations(operationManifest(config.CONTRACT_DIR ?? DEFAULT_CONTRACT_DIR).operations, config.MAX_TOKENS);
  }

  byHash(hash: string): ManifestOperation | undefined {
    return this.byId.get(hash);
  }

  /** The trusted operation this text is, exactly or reformatted. */
  matchText(query: string): ManifestOperation | undefined {
    const exact = this.byId.get(operationId(query));
    if (exact) return exact;
    let document: DocumentNode;
    try {
      document = parse(query, { noLocation: true, maxTokens: this.maxTokens });
    } catch {
      return undefined;
    }
    return this.byShape.get(documentShapeKey(document));
  }

  /**
   * Checks a request's `query` and `extensions` (HTTP body or query string, graphql-ws payload).
   * Gives the text to run (the trusted body when only a hash came), or the refusal.
   */
  resolve(query: unknown, extensions: unknown): { query: string } | Refusal {
    const hash = persistedHashOf(extensions);
    const text = typeof query === 'string' && query !== '' ? query : undefined;
    if (hash === null) return notInList();
    if (hash !== undefined) {
      if (text === undefined) {
        const op = this.byId.get(hash);
        return op ? { query: op.body } : notFound();
      }
      if (operationId(text) !== hash) return hashMismatch();
      return this.byId.has(hash) ? { query: text } : notInList();
    }
    if (text === undefined || !this.matchText(text)) return notInList();
    return { query: text };
  }

  /**
   * Before Apollo, for an HTTP request (`body`: its parsed JSON): the refusal of text that is not
   * trusted, or of a hash that is not the text's; undefined when the request may go on. A hash
   * alone goes on to Apollo's persisted queries (`persistedQueryCache`). Requests Apollo would
   * refuse anyway (no body, a batch) go on too; `plugin()` backs this up.
   */
  refusalOf(method: string | undefined, url: string, body: unknown): Refusal | undefined {
    let params: { query?: unknown; extensions?: unknown } | undefined;
    if (method === 'POST') {
      params = isRecord(body) ? body : undefined;
    } else if (method === 'GET') {
      const search = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?')) : '');
      const [query, ...moreQueries] = search.getAll('query');
      const [extensions, ...moreExtensions] = search.getAll('extensions');
      if (moreQueries.length || moreExtensions.length) return undefined; // Apollo refuses repeated parameters.
      let parsed: unknown;
      try {
        parsed = extensions === undefined ? undefined : JSON.parse(extensions);
      } catch {
        return undefined; // Apollo refuses malformed JSON.
      }
      params = { query, extensions: parsed };
    }
    // No text: a hash alone (Apollo serves it from persistedQueryCache, trusted bodies only) or a request Apollo refuses.
    if (!params || typeof params.query !== 'string' || params.query === '') return undefined;
    const verdict = this.resolve(params.query, params.extensions);
    return 'status' in verdict ? verdict : undefined;
  }

  /** `refusalOf` as Express middleware (the request path's own HTTP layer calls `refusalOf` itself: graphql-http.ts). */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const refusal = this.refusalOf(req.method, req.url, req.body);
      if (!refusal) return next();
      res.status(refusal.status).json({ errors: [refusal.error] });
    };
  }

  /**
   * Apollo Server's `persistedQueries.cache`: the trusted bodies by hash, read-only (Apollo's
   * registration of new hashes goes nowhere). Apollo prefixes keys with `apq:`.
   */
  persistedQueryCache() {
    return {
      get: async (key: string) => this.byId.get(key.startsWith('apq:') ? key.slice(4) : key)?.body,
      set: async () => undefined,
      delete: async () => true,
    };
  }

  /** In Apollo, after parsing and before execution: any operation but the router's own must be trusted. */
  plugin(): ApolloServerPlugin<RouterContext> {
    // No per-request state: one listener serves every request.
    const listener: GraphQLRequestListener<RouterContext> = {
      didResolveOperation: async ({ contextValue, queryHash, document }) => {
        if (contextValue.internal) return;
        if (this.byId.has(queryHash) || this.byShape.has(documentShapeKey(document))) return;
        const { status, error } = notInList();
        throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status } } });
      },
    };
    return { requestDidStart: async () => listener };
  }
}
