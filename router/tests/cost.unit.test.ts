import { describe, expect, it } from 'vitest';
import { Kind, buildSchema, parse, visit, type OperationDefinitionNode } from 'graphql';
import { apiSchemaOf, loadContract, loadPending, readSupergraph } from '@stagelives/schema/tooling';
import { loadRouterConfig } from '../src/config.js';
import { CostLimitExceededError, costLimit, operationCost, readCostDirectives } from '../src/cost/index.js';

/** The largest page `first`/`last` accept (pageSize's max, MESSAGE_PAGING.maxPage). */
const MAX_PAGE = 100;
const ROOM = '000000000000000000000001';

const config = loadRouterConfig({ MONGODB_URI: 'mongodb://x', REDIS_URL: 'redis://x', IDENTITY_SECRET: 'x'.repeat(32), NODE_ENV: 'production' });
const supergraphSdl = await readSupergraph();
const schema = apiSchemaOf(supergraphSdl);
const limit = costLimit({ supergraph: supergraphSdl, maxCost: config.MAX_COST });

function cost(query: string, variables: Record<string, unknown> = {}, sdl = supergraphSdl, on = schema): number {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  return operationCost({ schema: on, document, operation, variables, directives: readCostDirectives(sdl) });
}

function check(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  return limit.check(schema, document, document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode, variables);
}

/** Issue 21's reproductions: accepted by graphql-armor's cost rule when sizes came from variables or defaults. */
const REPRODUCTIONS = {
  literal: {
    query: `{ chatRoom(id: "${ROOM}") { messages(last: 100) { edges { node { room { messages(last: 100) { edges { node { body } } } } } } } } }`,
    variables: {},
  },
  variable: {
    query:
      'query($r: ID!, $n: Int) { chatRoom(id: $r) { messages(last: $n) { edges { node { room { messages(last: $n) { edges { node { body author { nickname } } } } } } } } } }',
    variables: { r: ROOM, n: 100 },
  },
  defaults: { query: '{ chatRooms { edges { node { messages { edges { node { room { messages { edges { node { body } } } } } } } } } } }', variables: {} },
  subscription: {
    query:
      'subscription($r: ID!, $n: Int) { messageAdded(roomId: $r) { room { messages(last: $n) { edges { node { room { messages(last: $n) { edges { node { body } } } } } } } } } }',
    variables: { r: ROOM, n: 100 },
  },
};

describe('operation cost', () => {
  it('should let every contract operation through MAX_COST, with its sample variables and with its pages at their largest', () => {
    const pending = loadPending();
    const costs: Array<[string, number]> = [];
    for (const op of loadContract().filter((o) => !pending.has(o.name))) {
      const largest = { ...op.variables };
      visit(parse(op.source), {
        Argument(node) {
          if ((node.name.value === 'first' || node.name.value === 'last') && node.value.kind === Kind.VARIABLE) largest[node.value.name.value] = MAX_PAGE;
        },
      });
      costs.push([`${op.name} (sample)`, check(op.source, op.variables)], [`${op.name} (largest pages)`, check(op.source, largest)]);
    }
    expect(costs.length).toBeGreaterThan(40);
    // A costlier contract operation needs a new MAX_COST (config.ts, docs/security.md): this records the margin.
    expect(Math.max(...costs.map(([, c]) => c))).toBeLessThanOrEqual(config.MAX_COST / 2);
  });

  it('should refuse each reproduction of issue 21 at the default MAX_COST', () => {
    for (const [name, { query, variables }] of Object.entries(REPRODUCTIONS)) {
      expect(() => check(query, variables), name).toThrow(CostLimitExceededError);
    }
    expect(cost(REPRODUCTIONS.variable.query, { ...REPRODUCTIONS.variable.variables, n: 100 })).toBeGreaterThan(config.MAX_COST * 3);
  });

  it('should count a list as large as its literal, its variable, the variable default, or its declared default', () => {
    const page = (args: string) => `query($n: Int = 7) { concerts${args} { edges { node { id title } } } }`;
    // 1 for the connection, then per edge: the edge and its node.
    expect(cost(page('(first: 30)'))).toBe(1 + 30 * 2);
    expect(cost(page('(first: $n)'), { n: 90 })).toBe(1 + 90 * 2);
    expect(cost(page('(first: $n)'))).toBe(1 + 7 * 2);
    expect(cost(page(''))).toBe(1 + 20 * 2);
    expect(cost(`{ chatRoom(id: "${ROOM}") { messages { edges { node { id } } } } }`)).toBe(1 + 1 + 50 * 2);
    expect(cost(`{ chatRoom(id: "${ROOM}") { messages(first: 3, last: 9) { edges { node { id } } } } }`)).toBe(1 + 1 + 9 * 2);
  });

  it('should skip what @skip/@include leave out, and charge 10 for a mutation', () => {
    const q = 'query($s: Boolean!) { concerts(first: 50) @skip(if: $s) { edges { node { id } } } }';
    expect(cost(q, { s: true })).toBe(0);
    expect(cost(q, { s: false })).toBe(101);
    expect(cost(`mutation { joinChatRoom(roomId: "${ROOM}") { id } }`)).toBe(11);
  });

  it('should follow @cost weights, a list assumedSize, sizes through fragments, and argument defaults', () => {
    const sdl = `
      extend schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@listSize", as: "@size" }])
      type Query {
        heavy: Thing @cost__cost(weight: 25)
        things(limit: Int = 4): [Thing!]! @size(slicingArguments: ["limit"])
        tags: [String!]! @size(assumedSize: 10)
        guess: [Thing!]!
      }
      type Thing { id: ID! name: String! child: Thing }
    `;
    const local = buildSchema(sdl, { assumeValidSDL: true });
    const c = (q: string) => cost(q, {}, sdl, local);
    expect(c('{ heavy { id } }')).toBe(25);
    expect(c('{ things { id } }')).toBe(4);
    expect(c('{ things(limit: 6) { ...F } } fragment F on Thing { child { id } }')).toBe(6 * 2);
    expect(c('{ tags }')).toBe(0);
    expect(c('{ guess { id } }')).toBe(100);
  });
});
