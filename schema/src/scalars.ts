import { DateTimeResolver } from 'graphql-scalars';
import type { GraphQLScalarType } from 'graphql';

/** ISO-8601 date-times, the only time format the graph speaks. */
export const DateTimeScalar = DateTimeResolver;

// biome-ignore lint/complexity/noBannedTypes: type-graphql's scalarsMap is typed with Function (a class such as Date).
export const scalarsMap: Array<{ type: Function; scalar: GraphQLScalarType }> = [{ type: Date, scalar: DateTimeScalar }];
