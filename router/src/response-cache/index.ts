import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { startStreamConsumer, type Logger, type Redis } from '@stagelives/platform';
import { articleEventsStream, concertEventsStream, userEventsStream } from '@stagelives/schema';
import { Kind, getNamedType, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { RouterContext } from '../context.js';
import { MUTATION_PURGES, tagsOfEvent } from './purges.js';
import { CacheStore, type StoredEntry } from './store.js';
import type { ViewerDependentFields } from '../viewer-dependence.js';
import { changedEntity, entityTags, entityTypes, idArguments, staticShape, typeTag } from './tags.js';

export { CacheStore } from './store.js';

/** Response header telling what the cache did: HIT, MISS (stored or not), BYPASS (viewer-dependent for a signed-in viewer). */
const CACHE_STATUS_HEADER = 'x-stagelives-cache';

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  /** Signed-in requests for viewer-dependent answers: neither served from nor stored in the cache. */
  bypasses: number;
  stores: number;
  /** Answers not stored because an entity they hold was purged while they were being computed. */
  refusedStale: number;
  purges: number;
  purgedEntries: number;
  errors: number;
}

type Shape = { types: string[]; viewerFields: boolean };

/** Sorted-key JSON: the same variables give the same key whatever their order. */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(record[k])}`)
    .join(',')}}`;
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
  return fragments;
}

/**
 * The router's shared response cache (Redis), driven by the subgraphs' cache hints and purged by
 * domain events and by mutations run through the router. See docs/performance.md.
 */
export class ResponseCache {
  readonly stats: ResponseCacheStats = { hits: 0, misses: 0, bypasses: 0, stores: 0, refusedStale: 0, purges: 0, purgedEntries: 0, errors: 0 };
  private readonly store: CacheStore;
  private readonly shapes = new Map<string, Shape>();
  /** The schema `shapes` were computed with (a reloaded supergraph brings another, and maybe other declarations). */
  private shapesSchema: GraphQLSchema | undefined;
  private entityTypeNames: { schema: GraphQLSchema; names: string[] } | undefined;
  private consumers: Array<{ stop(): Promise<void> }> = [];

  constructor(
    private readonly deps: {
      redis: Redis;
      redisPrefix: string;
      logger: Logger;
      enabled: boolean;
      schema: () => GraphQLSchema | undefined;
      /** The supergraph's `@viewerDependent` fields: an operation selecting one is never shared between signed-in viewers. */
      viewerFields: ViewerDependentFields;
      /** The served supergraph's id, part of every key: an answer computed under another supergraph (before a reload, or on a router not yet reloaded) is not reused. */
      supergraphId?: () => string;
    },
  ) {
    this.store = new CacheStore(deps.redis, deps.redisPrefix);
  }

  get enabled(): boolean {
    return this.deps.enabled;
  }

  /** Purges the entries holding any of the tags (all router instances see it: the store is shared). */
  async purge(tags: readonly string[]): Promise<number> {
    if (!this.deps.enabled || tags.length === 0) return 0;
    const deleted = await this.store.purge(tags);
    this.stats.purges += 1;
    this.stats.purgedEntries += deleted;
    return deleted;
  }

  /** Consumes the concerts, users and articles event streams (consumer group `response-cache`: one router instance per event). */
  startEventConsumers(): void {
    if (!this.deps.enabled || this.consumers.length) return;
    const { redis, redisPrefix, logger } = this.deps;
    for (const stream of [concertEventsStream(redisPrefix), userEventsStream(redisPrefix), articleEventsStream(redisPrefix)]) {
      this.consumers.push(
        startStreamConsumer({
          redis,
          stream,
          group: 'response-cache',
          logger,
          blockMs: 500,
          handle: async (_id, fields) => {
            const tags = tagsOfEvent(fields);
            if (tags?.length) await this.purge(tags);
          },
        }),
      );
    }
  }

  async close(): Promise<void> {
    const consumers = this.consumers.splice(0);
    await Promise.all(consumers.map((c) => c.stop()));
  }

  private shapeOf(schema: GraphQLSchema, queryHash: string, operation: OperationDefinitionNode, document: DocumentNode): Shape {
    const key = `${queryHash}:${operation.name?.value ?? ''}`;
    if (this.shapesSchema !== schema) {
      this.shapes.clear();
      this.shapesSchema = schema;
    }
    let shape = this.shapes.get(key);
    if (!shape) {
      if (this.shapes.size >= 2_000) this.shapes.clear();
      shape = staticShape(schema, this.deps.viewerFields, operation, fragmentsOf(document));
      this.shapes.set(key, shape);
    }
    return shape;
  }

  private typesWithId(schema: GraphQLSchema): string[] {
    if (this.entityTypeNames?.schema !== schema) this.entityTypeNames = { schema, names: entityTypes(schema) };
    return this.entityTypeNames.names;
  }

  /** What a mutation touched: the entities of its answer and arguments, and the lists it may change. */
  private mutationTags(schema: GraphQLSchema, rc: GraphQLRequestContextWillSendResponse<RouterContext>): string[] {
    const { operation, document } = rc;
    if (!operation || !document) return [];
    const fragments = fragmentsOf(document);
    const tags = new Set<string>();
    const data = rc.response.body.kind === 'single' ? rc.response.body.singleResult.data : undefined;
    for (const tag of entityTags(schema, operation, fragments, data)) tags.add(tag);
    for (const tag of [...tags]) if (tag.includes(':') && !tag.startsWith('idless:')) tags.add(`idless:${tag.slice(0, tag.indexOf(':'))}`);
    const types = this.typesWithId(schema);
    const mutationType = schema.getMutationType();
    for (const [field, ids] of idArguments(schema, operation, fragments, rc.request.variables ?? {})) {
      for (const id of ids) for (const type of types) for (const tag of changedEntity(type, id)) tags.add(tag);
      const rule = MUTATION_PURGES[field];
      if (rule) {
        for (const type of rule.lists) tags.add(typeTag(type));
        if (rule.viewer && rc.contextValue.session) for (const tag of changedEntity('User', rc.contextValue.session.userId)) tags.add(tag);
      } else {
        // Unknown mutation: purge the lists of what it returns and of the noun it names.
        const returned = mutationType?.getFields()[field]?.type;
        if (returned) tags.add(typeTag(getNamedType(returned).name));
        const noun = /^[a-z]+([A-Z]\w*)$/.exec(field)?.[1];
        if (noun && schema.getType(noun)) tags.add(typeTag(noun));
        if (rc.contextValue.session) for (const tag of changedEntity('User', rc.contextValue.session.userId)) tags.add(tag);
      }
    }
    return [...tags];
  }

  plugin(): ApolloServerPlugin<RouterContext> {
    const cache = this;
    const { logger } = this.deps;
    return {
      async requestDidStart() {
        let outcome: 'HIT' | 'MISS' | 'BYPASS' | undefined;
        let key: string | undefined;
        let startedAt = 0;
        let shape: Shape | undefined;
        return {
          async responseForOperation(rc) {
            if (!cache.enabled || rc.operation.operation !== 'query' || rc.contextValue.internal) return null;
            const schema = cache.deps.schema();
            if (!schema) return null;
            shape = cache.shapeOf(schema, rc.queryHash ?? rc.source ?? '', rc.operation, rc.document);
            const signedIn = rc.contextValue.session !== null;
            if (signedIn && shape.viewerFields) {
              outcome = 'BYPASS';
              cache.stats.bypasses += 1;
              return null;
            }
            key = createHash('sha256')
              .update(`${cache.deps.supergraphId?.() ?? ''}\n${rc.queryHash}\n${rc.operationName ?? ''}\n${stableJson(rc.request.variables ?? {})}`)
              .digest('hex');
            let raw: string | null;
            try {
              ({ raw, now: startedAt } = await cache.store.lookup(key));
            } catch (error) {
              cache.stats.errors += 1;
              logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'response cache lookup failed');
              key = undefined;
              return null;
            }
            if (raw) {
              const entry = JSON.parse(raw) as StoredEntry;
              // A PRIVATE answer was computed for "no viewer": only anonymous requests may have it.
              if (entry.scope === 'PUBLIC' || !signedIn) {
                outcome = 'HIT';
                cache.stats.hits += 1;
                return {
                  http: { status: undefined, headers: new HeaderMap() },
                  body: { kind: 'single', singleResult: { data: entry.data as Record<string, unknown> } },
                };
              }
            }
            outcome = 'MISS';
            cache.stats.misses += 1;
            return null;
          },

          async willSendResponse(rc) {
            // Purges cannot reach HTTP caches: clients and proxies keep nothing.
            rc.response.http.headers.set('cache-control', 'no-store');
            if (!cache.enabled) return;
            if (outcome) rc.response.http.headers.set(CACHE_STATUS_HEADER, outcome);
            const schema = cache.deps.schema();
            if (!schema) return;
            if (rc.operation?.operation === 'mutation') {
              // Synchronous: the next read of whoever wrote sees the write (the events purge too, for writes elsewhere).
              try {
                await cache.purge(cache.mutationTags(schema, rc));
              } catch (error) {
                cache.stats.errors += 1;
                logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'response cache purge failed');
              }
              return;
            }
            if (outcome !== 'MISS' || !key || !shape || !rc.operation || !rc.document) return;
            const body = rc.response.body;
            if (body.kind !== 'single' || body.singleResult.errors?.length || !body.singleResult.data) return;
            if (rc.contextValue.sessionChange) return;
            const policy = rc.overallCachePolicy.policyIfCacheable();
            if (!policy || policy.maxAge <= 0) return;
            const scope = policy.scope === 'PRIVATE' || shape.viewerFields ? 'PRIVATE' : 'PUBLIC';
            if (scope === 'PRIVATE' && rc.contextValue.session) {
              rc.response.http.headers.set(CACHE_STATUS_HEADER, 'BYPASS');
              cache.stats.misses -= 1;
              cache.stats.bypasses += 1;
              return;
            }
            const tags = [...entityTags(schema, rc.operation, fragmentsOf(rc.document), body.singleResult.data), ...shape.types.map(typeTag)];
            try {
              const stored = await cache.store.store(key, { data: body.singleResult.data, scope }, tags, policy.maxAge * 1000, startedAt);
              if (stored) cache.stats.stores += 1;
              else cache.stats.refusedStale += 1;
            } catch (error) {
              cache.stats.errors += 1;
              logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'response cache store failed');
            }
          },
        };
      },
    };
  }
}
