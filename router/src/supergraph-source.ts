import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { DocumentNode } from 'graphql';
import type { Logger } from '@stagelives/platform';
import { SUPERGRAPH_PATH } from '@stagelives/schema';
import type { RouterConfig } from './config.js';
import { type CostDirectives, readCostDirectives } from './cost/index.js';
import { parsed } from './supergraph-directives.js';
import { ViewerDependentFields } from './viewer-dependence.js';

/** Where the router reads its supergraph: a file (SUPERGRAPH_PATH) or a URL (SUPERGRAPH_URL). */
export interface SupergraphSource {
  /** For logs: the path or URL. */
  readonly location: string;
  /** The SDL now, or `undefined` when the source says it has not changed since the last read (HTTP 304). Throws when it cannot be read. */
  read(): Promise<string | undefined>;
}

/** A file, read whole at each poll (a supergraph is a few hundred kB at most; a stat would miss a same-size, same-second rewrite). */
function fileSource(path: string): SupergraphSource {
  return { location: path, read: () => readFile(path, 'utf8') };
}

/** An HTTP(S) URL, polled with `If-None-Match` / `If-Modified-Since` when the server gave an ETag / Last-Modified. */
export function urlSource(url: string, timeoutMs = 10_000): SupergraphSource {
  let etag: string | null = null;
  let lastModified: string | null = null;
  return {
    location: url,
    async read() {
      const headers: Record<string, string> = { accept: 'text/plain, application/graphql, */*' };
      if (etag) headers['if-none-match'] = etag;
      if (lastModified) headers['if-modified-since'] = lastModified;
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      if (response.status === 304) return undefined;
      if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
      const text = await response.text();
      etag = response.headers.get('etag');
      lastModified = response.headers.get('last-modified');
      return text;
    },
  };
}

/** The router's supergraph source from its configuration: SUPERGRAPH_URL, else SUPERGRAPH_PATH, else the checked-in schema/supergraph.graphql. */
export function supergraphSourceOf(config: Pick<RouterConfig, 'SUPERGRAPH_URL' | 'SUPERGRAPH_PATH'>): SupergraphSource {
  return config.SUPERGRAPH_URL ? urlSource(config.SUPERGRAPH_URL) : fileSource(config.SUPERGRAPH_PATH ?? SUPERGRAPH_PATH);
}

/** Reads the `join__Graph` enum of a supergraph: subgraph name → URL. */
export function subgraphsOf(supergraph: string | DocumentNode): Record<string, string> {
  const result: Record<string, string> = {};
  for (const def of parsed(supergraph).definitions) {
    if (def.kind !== 'EnumTypeDefinition' || def.name.value !== 'join__Graph') continue;
    for (const value of def.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === 'join__graph');
      const arg = (n: string) => graph?.arguments?.find((a) => a.name.value === n)?.value;
      const name = arg('name');
      const url = arg('url');
      if (name?.kind === 'StringValue' && url?.kind === 'StringValue') result[name.value] = url.value;
    }
  }
  return result;
}

/**
 * Everything the router derives from one supergraph, besides what the gateway builds from it
 * (API schema, query planner): who may see a field (`@viewerDependent`), what a list may cost
 * (`@cost`/`@listSize`), which subgraphs there are and where (SUBGRAPH_URLS overriding the
 * supergraph's URLs). Built whole before a supergraph is served, so a document any of them
 * refuses is refused as a whole.
 */
export interface SupergraphSnapshot {
  readonly sdl: string;
  /** Short sha256 of the SDL: logs, and the response cache's key (answers of another supergraph are not reused). */
  readonly id: string;
  readonly document: DocumentNode;
  readonly viewerFields: ViewerDependentFields;
  readonly costDirectives: CostDirectives;
  readonly subgraphUrls: Readonly<Record<string, string>>;
}

/** Derives a snapshot from SDL; throws when it does not parse, declares an unknown `@viewerDependent` kind or names no subgraph. */
export function deriveSupergraph(sdl: string, urlOverrides: Readonly<Record<string, string>>): SupergraphSnapshot {
  const document = parsed(sdl);
  const declared = subgraphsOf(document);
  if (Object.keys(declared).length === 0) throw new Error('not a supergraph: no join__Graph enum naming its subgraphs');
  return {
    sdl,
    id: createHash('sha256').update(sdl).digest('hex').slice(0, 16),
    document,
    viewerFields: ViewerDependentFields.fromSupergraph(document),
    costDirectives: readCostDirectives(document),
    subgraphUrls: Object.fromEntries(Object.entries(declared).map(([name, url]) => [name, urlOverrides[name] ?? url])),
  };
}

export const SUPERGRAPH_RELOAD_OUTCOMES = ['applied', 'refused', 'unavailable'] as const;
export type SupergraphReloadOutcome = (typeof SUPERGRAPH_RELOAD_OUTCOMES)[number];

/** Counts reloads (metrics: `stagelives_supergraph_reloads_total{outcome}`). */
export interface SupergraphReloadObserver {
  supergraphReload(outcome: SupergraphReloadOutcome): void;
}

/**
 * The supergraph being served, as one snapshot replaced whole on a reload. Readers hold this
 * object and ask it at each use (`current`, `viewerFields`), so they follow a reload without
 * being rebuilt; a request already running keeps what it read.
 */
export class LiveSupergraph {
  private snapshot: SupergraphSnapshot;
  /** The `@viewerDependent` declarations of the supergraph being served (subscription groups, response cache). */
  readonly viewerFields: ViewerDependentFields;

  constructor(initial: SupergraphSnapshot) {
    this.snapshot = initial;
    this.viewerFields = ViewerDependentFields.live(() => this.snapshot.viewerFields);
  }

  get current(): SupergraphSnapshot {
    return this.snapshot;
  }

  /** Serves `next` from now on (the gateway has accepted it). */
  replace(next: SupergraphSnapshot): void {
    this.snapshot = next;
  }
}

export interface SupergraphPollOptions {
  source: SupergraphSource;
  /** Between the end of one read and the start of the next. */
  intervalMs: number;
  /** The SDL served now. */
  current(): string;
  /** Serves `sdl` (derives its snapshot, hands it to the gateway); throws to refuse it, the served one staying. */
  apply(sdl: string): void;
  logger: Logger;
  observer?: SupergraphReloadObserver | undefined;
}

/**
 * Reads the source every `intervalMs` and applies a changed supergraph. Polling, not watching:
 * one mechanism for files and URLs, and it sees every way a file is replaced (an editor's
 * rename, a Kubernetes ConfigMap's symlink swap, a network volume) where fs.watch misses some.
 * A refused supergraph is counted and logged once, not at every poll, until the source changes
 * again; an unreadable source is counted at each failed poll and logged when it starts failing.
 */
export function pollSupergraph({ source, intervalMs, current, apply, logger, observer }: SupergraphPollOptions): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let refusedId: string | undefined;
  let failing = false;
  const hash = (sdl: string) => createHash('sha256').update(sdl).digest('hex').slice(0, 16);

  async function tick(): Promise<void> {
    let sdl: string | undefined;
    try {
      sdl = await source.read();
      if (failing) logger.info({ source: source.location }, 'supergraph source readable again');
      failing = false;
    } catch (error) {
      observer?.supergraphReload('unavailable');
      if (!failing)
        logger.warn(
          { source: source.location, err: error instanceof Error ? error.message : String(error) },
          'supergraph source unreadable; the served supergraph stays',
        );
      failing = true;
      return;
    }
    if (stopped || sdl === undefined || sdl === current()) return;
    const id = hash(sdl);
    if (id === refusedId) return;
    const from = hash(current());
    try {
      apply(sdl);
    } catch (error) {
      refusedId = id;
      observer?.supergraphReload('refused');
      logger.error(
        { source: source.location, supergraph: id, served: from, err: error instanceof Error ? error.message : String(error) },
        'supergraph refused (it does not parse or compose); the served supergraph stays',
      );
      return;
    }
    refusedId = undefined;
    observer?.supergraphReload('applied');
    logger.info({ source: source.location, supergraph: id, previous: from }, 'supergraph reloaded');
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((error: unknown) => logger.error({ err: error }, 'supergraph poll failed'))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
