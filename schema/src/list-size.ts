import 'reflect-metadata';
import { Directive } from 'type-graphql';

/**
 * What a list may cost, declared where the list field is defined: the `@listSize` and `@cost`
 * directives of the GraphQL cost specification (IBM), as Apollo Federation 2.9 composes them
 * into the supergraph. The router's cost rule (router/src/cost/) reads them from there; the
 * supergraph test refuses a list field that has no size.
 */

/** Page size of a connection asked without `first`/`last` (`pageSize`'s fallback). */
const DEFAULT_PAGE_SIZE = 20;

export interface PagedOptions {
  /** The connection's page-size arguments (default `["first"]`): the list counts as the largest given. */
  slicingArguments?: readonly string[];
  /** Items when none of them is given: the resolver's default page size (default 20). */
  defaultSize?: number;
}

/**
 * A Relay connection field (`<Name>Connection`): its `edges` hold as many items as the page-size
 * argument asks for (a literal or a variable's value), else `defaultSize`. Every field that
 * returns a connection carries it.
 */
export const Paged = ({ slicingArguments = ['first'], defaultSize = DEFAULT_PAGE_SIZE }: PagedOptions = {}) =>
  Directive(
    `@listSize(assumedSize: ${defaultSize}, slicingArguments: [${slicingArguments.map((a) => JSON.stringify(a)).join(', ')}], sizedFields: ["edges"], requireOneSlicingArgument: false)`,
  );

/** A list field with no size argument: at most `size` items (its bound, or a fair estimate of it). */
export const ListSize = (size: number) => Directive(`@listSize(assumedSize: ${size})`);

/** Overrides a field's cost (1 for an object, 0 for a scalar or enum) when it costs more to resolve. */
export const Cost = (weight: number) => Directive(`@cost(weight: ${weight})`);
