import 'reflect-metadata';
import { Directive, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { ObjectId } from 'mongodb';
import { BadUserInputError } from './errors.js';
import { isObjectIdHex } from './ids.js';
import { CacheInherit } from './cache-control.js';

@ObjectType('PageInfo', { description: 'Relay page information.' })
@Directive('@shareable')
@CacheInherit()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds `<Name>Connection` and `<Name>Edge` object types for a node type. */
export function ConnectionType<T extends object>(name: string, nodeType: ClassType<T>) {
  @ObjectType(`${name}Edge`)
  @CacheInherit()
  class EdgeType implements Edge<T> {
    @Field(() => String)
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  @CacheInherit()
  class ConnectionClass implements Connection<T> {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int)
    totalCount!: number;
  }
  return ConnectionClass;
}

/**
 * A connection from one page read with `limit + 1` items: the extra item only tells that more
 * follow. `edge` turns each kept item into its cursor and node, or null to drop it (an item
 * that vanished between two reads); `cursor` then still gives the end cursor of the last item
 * read, so the next page continues after it instead of repeating it.
 */
export function connectionFromPage<D, N>(
  docs: readonly D[],
  {
    limit,
    after,
    totalCount,
    edge,
    cursor,
  }: { limit: number; after: string | null | undefined; totalCount: number; edge: (doc: D) => Edge<N> | null; cursor?: (doc: D) => string },
): Connection<N> {
  const page = docs.slice(0, limit);
  const edges = page.map(edge).filter((e): e is Edge<N> => e !== null);
  const last = page.at(-1);
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: docs.length > limit,
      hasPreviousPage: Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: last !== undefined && cursor ? cursor(last) : (edges.at(-1)?.cursor ?? null),
    },
  };
}

/** Opaque cursors: base64url of the sort key values of a node. */
export function encodeCursor(values: ReadonlyArray<string | number | null>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number, field = 'after'): Array<string | number | null> {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === arity && values.every((v) => v === null || typeof v === 'string' || typeof v === 'number')) {
      return values as Array<string | number | null>;
    }
  } catch {
    // fall through
  }
  throw new BadUserInputError(`${field} is not a valid cursor.`, field);
}

/** Validates `first`/`last` page sizes: 1..max, default when absent. */
export function pageSize(value: number | null | undefined, { max = 100, fallback = 20, field = 'first' } = {}): number {
  if (value === null || value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new BadUserInputError(`${field} must be between 0 and ${max}.`, field);
  }
  return value;
}

/** Keyset cursor of a (time, id) sort: `[ms, hex id]`. */
export function encodeTimeIdCursor(time: Date, id: ObjectId): string {
  return encodeCursor([time.getTime(), id.toHexString()]);
}

/** Reads a cursor made by encodeTimeIdCursor; anything else is BAD_USER_INPUT. */
export function decodeTimeIdCursor(cursor: string, field = 'after'): { time: Date; id: ObjectId } {
  const [ms, id] = decodeCursor(cursor, 2, field);
  const time = new Date(typeof ms === 'number' ? ms : Number.NaN);
  if (Number.isNaN(time.getTime()) || !isObjectIdHex(id)) {
    throw new BadUserInputError(`${field} is not a valid cursor.`, field);
  }
  return { time, id: new ObjectId(id) };
}
