import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@stagelives/platform';
import { parse, type OperationDefinitionNode } from 'graphql';
import { apiSchemaOf, readSupergraph } from '@stagelives/schema/tooling';
import { loadRouterConfig } from '../src/config.js';
import { costLimit } from '../src/cost/index.js';
import { LiveSupergraph, deriveSupergraph, pollSupergraph, urlSource, type SupergraphReloadOutcome, type SupergraphSource } from '../src/supergraph-source.js';

const logger = createLogger('test', 'silent');
const released = await readSupergraph();
const eventually = async (check: () => boolean, what: string) => {
  const end = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** Polls `source` every 5 ms into `served`, applying with `apply` (default: derive, which refuses what does not parse). */
function poll(source: SupergraphSource, served: { sdl: string }, apply = (sdl: string) => void deriveSupergraph(sdl, {})) {
  const outcomes: SupergraphReloadOutcome[] = [];
  const poller = pollSupergraph({
    source,
    intervalMs: 5,
    current: () => served.sdl,
    apply: (sdl) => {
      apply(sdl);
      served.sdl = sdl;
    },
    logger,
    observer: { supergraphReload: (outcome) => outcomes.push(outcome) },
  });
  stops.push(() => poller.stop());
  return outcomes;
}

describe('supergraph reload: the derived state', () => {
  it('should make the viewer dependence and the cost rule follow the served supergraph', () => {
    const live = new LiveSupergraph(deriveSupergraph(released, {}));
    const viewerFields = live.viewerFields;
    const cost = costLimit({ directives: () => live.current.costDirectives, maxCost: 1_000_000 });
    const schema = apiSchemaOf(released);
    const document = parse('{ chatRoom(id: "1") { messages { edges { node { id } } } } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const costNow = () => cost.check(schema, document, operation, {});
    expect(viewerFields.of('ChatRoom', 'viewerIsMember')).toBe('VIEWER');
    const before = costNow();

    // The next supergraph drops the declaration and changes a list's assumed size.
    const next = released
      .replace('viewerIsMember: Boolean! @viewerDependent(kind: VIEWER)', 'viewerIsMember: Boolean!')
      .replace(
        '@listSize(assumedSize: 50, slicingArguments: ["first", "last"], sizedFields: ["edges"]',
        '@listSize(assumedSize: 7, slicingArguments: ["first", "last"], sizedFields: ["edges"]',
      );
    expect(next).not.toBe(released);
    live.replace(deriveSupergraph(next, {}));
    expect(viewerFields.of('ChatRoom', 'viewerIsMember')).toBeUndefined();
    expect(costNow()).toBeLessThan(before);
  });

  it('should take the subgraph URLs from the supergraph, overridden by SUBGRAPH_URLS, and refuse a document that is no supergraph', () => {
    const snapshot = deriveSupergraph(released, { chat: 'http://chat.internal/graphql' });
    expect(snapshot.subgraphUrls.chat).toBe('http://chat.internal/graphql');
    expect(Object.keys(snapshot.subgraphUrls)).toContain('concerts');
    expect(() => deriveSupergraph('type Query { a: Int }', {})).toThrow(/not a supergraph/);
    expect(() => deriveSupergraph(released.slice(0, 1000), {})).toThrow(/Syntax Error/);
  });

  it('should refuse SUPERGRAPH_PATH and SUPERGRAPH_URL together', () => {
    const base = { MONGODB_URI: 'mongodb://x', REDIS_URL: 'redis://x', IDENTITY_SECRET: 'x'.repeat(32) };
    expect(() => loadRouterConfig({ ...base, SUPERGRAPH_PATH: '/a', SUPERGRAPH_URL: 'http://b/supergraph.graphql' })).toThrow(/not both/);
    expect(loadRouterConfig({ ...base, SUPERGRAPH_URL: 'https://b/supergraph.graphql' }).SUPERGRAPH_POLL_SECONDS).toBe(10);
  });
});

describe('supergraph reload: polling', () => {
  it('should apply a changed supergraph, count a refused one once until the source changes again, and count an unreadable source', async () => {
    let text = released;
    let failing = false;
    const source: SupergraphSource = {
      location: 'memory',
      read: async () => {
        if (failing) throw new Error('gone');
        return text;
      },
    };
    const served = { sdl: released };
    const outcomes = poll(source, served);
    await new Promise((r) => setTimeout(r, 30));
    expect(outcomes).toEqual([]);

    text = `${released}\n# a comment\n`;
    await eventually(() => outcomes.includes('applied'), 'the change to be applied');
    expect(served.sdl).toBe(text);

    text = 'type Query {';
    await eventually(() => outcomes.includes('refused'), 'the refusal');
    await new Promise((r) => setTimeout(r, 40));
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(1);
    expect(served.sdl).toBe(`${released}\n# a comment\n`);

    failing = true;
    await eventually(() => outcomes.filter((o) => o === 'unavailable').length >= 2, 'unreadable polls');
    failing = false;
    text = released;
    await eventually(() => served.sdl === released, 'the next good supergraph');
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(2);
  });

  it('should poll a URL with If-None-Match and take a new version when the ETag changes', async () => {
    let version = 1;
    const conditional: string[] = [];
    const server = createServer((req, res) => {
      const etag = `"v${version}"`;
      if (req.headers['if-none-match']) conditional.push(String(req.headers['if-none-match']));
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      res.writeHead(200, { etag, 'content-type': 'text/plain' }).end(version === 1 ? released : `${released}\n# v${version}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => server.close(() => resolve())));
    const source = urlSource(`http://127.0.0.1:${(server.address() as AddressInfo).port}/supergraph.graphql`);
    const served = { sdl: (await source.read()) ?? '' };
    expect(served.sdl).toBe(released);
    const outcomes = poll(source, served);
    await eventually(() => conditional.length >= 2, 'conditional requests');
    expect(conditional.every((e) => e === '"v1"')).toBe(true);
    version = 2;
    await eventually(() => outcomes.includes('applied'), 'the new version');
    expect(served.sdl).toContain('# v2');
  });
});
