import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInt,
  coerceInputValue,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { DateTimeScalar, isObjectIdHex } from '@stagelives/schema';
import type { ContractDocument } from './contract-operations.js';
import { LIMIT, type RestRoute } from './routes.js';

/** A request refused at the edge or an operation's error, as the REST envelope says it. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** When an `ACCOUNT_SUSPENDED` suspension ends (ISO-8601; null: indefinitely). */
    readonly until?: string | null,
  ) {
    super(message);
  }
}

const badInput = (message: string, field: string) => new RestError(400, 'BAD_USER_INPUT', message, field);

export interface VariableInfo {
  type: GraphQLInputType;
  hasDefault: boolean;
}

/** The variables of a route's operation, typed against the current API schema. */
export function variablesOf(schema: GraphQLSchema, op: ContractDocument): Map<string, VariableInfo> {
  const vars = new Map<string, VariableInfo>();
  for (const def of op.definition.variableDefinitions ?? []) {
    const type = typeFromAST(schema, def.type as Parameters<typeof typeFromAST>[1]) as GraphQLInputType | undefined;
    if (!type) throw new Error(`REST route operation ${op.name}: unknown type of $${def.variable.name.value}`);
    vars.set(def.variable.name.value, { type, hasDefault: def.defaultValue !== undefined });
  }
  return vars;
}

/** The input type at a variable path (`filter.status`). */
export function typeAtPath(vars: Map<string, VariableInfo>, path: string): GraphQLInputType {
  const [head, ...rest] = path.split('.');
  let type = vars.get(head!)?.type;
  for (const segment of rest) {
    const named = type && getNamedType(type);
    type = named && isInputObjectType(named) ? named.getFields()[segment]?.type : undefined;
  }
  if (!type) throw new Error(`no input type at ${path}`);
  return type;
}

/** Variables fed by the URL (path, query, paging) rather than by the body. */
export function urlVariables(route: RestRoute): Set<string> {
  const fed = [...Object.values(route.params ?? {}), ...Object.values(route.query ?? {})].map((p) => p.split('.')[0]!);
  if (route.list) fed.push(route.list.size, route.list.cursor);
  return new Set(fed);
}

/** Names a variable path (`input.email`, `filter.status`, `after`) the way the REST client spelled it. */
export function restFieldOf(route: RestRoute, varPath: string): string {
  for (const [param, v] of Object.entries(route.params ?? {})) if (v === varPath) return param;
  for (const [param, v] of Object.entries(route.query ?? {})) if (v === varPath) return param;
  if (route.list?.size === varPath) return 'limit';
  if (route.list?.cursor === varPath) return route.list.cursorParam ?? 'cursor';
  if (route.body && route.body !== 'spread') {
    if (varPath === route.body) return 'body';
    if (varPath.startsWith(`${route.body}.`)) return varPath.slice(route.body.length + 1);
    if (varPath.startsWith(`${route.body}[`)) return `body${varPath.slice(route.body.length)}`;
  }
  return varPath;
}

const printPath = (path: ReadonlyArray<string | number>) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts.at(-1)!] = value;
}

/** A query or path string as the GraphQL type it feeds: numbers and booleans parsed strictly. */
function fromString(value: string, type: GraphQLInputType, field: string): unknown {
  const named = getNamedType(type);
  if (isListType(isNonNullType(type) ? type.ofType : type)) throw badInput(`${field} cannot be given in the URL.`, field);
  if (named === GraphQLInt) {
    if (!/^-?\d{1,15}$/.test(value)) throw badInput(`${field} must be an integer.`, field);
    return Number(value);
  }
  if (named === GraphQLFloat) {
    if (!/^-?\d+(\.\d+)?$/.test(value)) throw badInput(`${field} must be a number.`, field);
    return Number(value);
  }
  if (named === GraphQLBoolean) {
    if (value !== 'true' && value !== 'false') throw badInput(`${field} must be true or false.`, field);
    return value === 'true';
  }
  return value;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys that only an attack needs: MongoDB operators and prototype names. */
function refuseOperators(value: unknown, field: string) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      refuseOperators(v, `${field}[${i}]`);
    });
  } else if (isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      const where = field ? `${field}.${key}` : key;
      if (key.startsWith('$') || key === '__proto__' || key === 'constructor' || key === 'prototype') {
        throw badInput(`${field || 'body'} must not contain the key "${key}": operators are not accepted.`, field || key);
      }
      refuseOperators(v, where);
    }
  }
}

/**
 * What the gateway's API schema cannot check (its custom scalars parse nothing; the subgraphs
 * would refuse them later, as unexpected errors): every ID is 24 hex digits, and a DateTime is
 * what the subgraphs' own scalar accepts. Refused here, by field.
 */
function checkScalars(value: unknown, type: GraphQLInputType, path: Array<string | number>, fieldOf: (p: string) => string) {
  if (value === null || value === undefined) return;
  if (isNonNullType(type)) return checkScalars(value, type.ofType, path, fieldOf);
  if (isListType(type)) {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        checkScalars(v, type.ofType as GraphQLInputType, [...path, i], fieldOf);
      });
    }
    return;
  }
  if (isInputObjectType(type)) {
    for (const [name, f] of Object.entries(type.getFields())) {
      if (isPlainObject(value) && name in value) checkScalars(value[name], f.type, [...path, name], fieldOf);
    }
    return;
  }
  if (type.name === 'ID' && !isObjectIdHex(value)) {
    const field = fieldOf(printPath(path));
    throw badInput(`${field} is not a valid id.`, field);
  }
  if (type.name === 'DateTime') {
    try {
      DateTimeScalar.parseValue(value);
    } catch {
      const field = fieldOf(printPath(path));
      throw badInput(`${field} is not a valid date-time (RFC 3339, e.g. 2027-03-01T10:00:00Z).`, field);
    }
  }
}

export interface RestInput {
  params: Record<string, string>;
  search: URLSearchParams;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
}

/**
 * Turns a REST request into the operation's variables, refusing bad input with 400 naming the
 * field: unknown or repeated query parameters, out-of-range limits, malformed ids, operator
 * objects, wrong types (by the schema's own coercion), unknown or missing fields.
 */
export function toVariables(route: RestRoute, vars: Map<string, VariableInfo>, { params, search, body }: RestInput): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  const fieldOf = (varPath: string) => restFieldOf(route, varPath);

  // Query string: known names only, each at most once.
  const cursorNames = route.list ? [...new Set([route.list.cursorParam ?? 'cursor', 'cursor'])] : [];
  const allowed = new Set([...Object.keys(route.query ?? {}), ...(route.list ? ['limit', ...cursorNames] : [])]);
  for (const name of new Set(search.keys())) {
    if (!allowed.has(name)) throw badInput(`Unknown query parameter "${name}".`, name);
    if (search.getAll(name).length > 1) throw badInput(`${name} must be given once.`, name);
  }
  for (const [name, varPath] of Object.entries(route.query ?? {})) {
    const value = search.get(name);
    if (value === null || value === '') continue;
    setPath(variables, varPath, fromString(value, typeAtPath(vars, varPath), name));
  }
  if (route.list) {
    const raw = search.get('limit');
    let limit: number = LIMIT.default;
    if (raw !== null && raw !== '') {
      limit = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
      if (!(limit >= 1 && limit <= LIMIT.max)) throw badInput(`limit must be an integer from 1 to ${LIMIT.max}.`, 'limit');
    }
    variables[route.list.size] = limit;
    const given = cursorNames.filter((n) => search.get(n));
    if (given.length > 1) throw badInput(`Give either ${given.join(' or ')}, not both.`, given[1]!);
    const cursor = given[0] ? search.get(given[0])! : null;
    if (cursor !== null) {
      if (cursor.length > 512) throw badInput(`${given[0]} is not a valid cursor.`, given[0]!);
      variables[route.list.cursor] = cursor;
    }
  }

  // Path parameters.
  for (const [name, varPath] of Object.entries(route.params ?? {})) {
    const value = params[name];
    if (value === undefined) throw badInput(`${name} is required.`, name);
    setPath(variables, varPath, fromString(value, typeAtPath(vars, varPath), name));
  }

  // Body.
  if (body !== undefined && !isPlainObject(body)) throw badInput('The body must be a JSON object.', 'body');
  const fields = body ?? {};
  refuseOperators(fields, '');
  if (!route.body) {
    const extra = Object.keys(fields)[0];
    if (extra !== undefined) throw badInput(`Unknown field "${extra}": this route takes no body.`, extra);
  } else if (route.body === 'spread') {
    const fromUrl = urlVariables(route);
    for (const [key, value] of Object.entries(fields)) {
      if (!vars.has(key) || fromUrl.has(key)) throw badInput(`Unknown field "${key}".`, key);
      variables[key] = value;
    }
  } else if (body !== undefined) {
    variables[route.body] = fields;
  }

  // The schema's own coercion, with the field named as the client spelled it.
  for (const [name, { type, hasDefault }] of vars) {
    const value = variables[name];
    if (value === undefined) {
      if (isNonNullType(type) && !hasDefault) {
        const field = fieldOf(name);
        throw badInput(field === 'body' ? 'A JSON body is required.' : `${field} is required.`, field);
      }
      continue;
    }
    let failure: RestError | undefined;
    coerceInputValue(value, type, (path, _invalid, error) => {
      if (failure) return;
      const inner = /^Field "([^"]+)" (?:is not defined by type|of required type)/.exec(error.message);
      const fullPath = inner ? [name, ...path, inner[1]!] : [name, ...path];
      const field = fieldOf(printPath(fullPath));
      const message = inner
        ? error.message.startsWith(`Field "${inner[1]}" is not defined`)
          ? `Unknown field "${field}".`
          : `${field} is required.`
        : `${field}: ${error.message.replace(/: .*$/s, '')}.`.replace(/\.\.$/, '.');
      failure = badInput(message, field);
    });
    if (failure) throw failure;
    checkScalars(value, type, [name], fieldOf);
  }
  return variables;
}
