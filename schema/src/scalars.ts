import { DateTimeResolver } from 'graphql-scalars';
import type { ScalarsTypeMap } from 'type-graphql';

/** ISO-8601 date-times, the only time format the graph speaks. */
export const DateTimeScalar = DateTimeResolver;

export const scalarsMap: ScalarsTypeMap[] = [{ type: Date, scalar: DateTimeScalar }];
