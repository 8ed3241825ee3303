import { DateTimeResolver } from 'graphql-scalars';
import type { GraphQLScalarType } from 'graphql';

/** ISO-8601 date-times, the only time format the graph speaks. */
export const DateTimeScalar = DateTimeResolver;

export const scalarsMap: Array<{ type: Function; scalar: GraphQLScalarType }> = [{ type: Date, scalar: DateTimeScalar }];
