import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLString,
  Kind,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { ContractDocument } from './contract-operations.js';
import { LIMIT, openApiPath, type RestRoute } from './routes.js';
import { typeAtPath, urlVariables, variablesOf } from './variables.js';

/**
 * The OpenAPI 3.1 document of the REST shim, generated from the API schema and each route's
 * contract operation: parameters and bodies from the variables' input types, answers from the
 * selection sets over the schema's output types. Nothing in it is written by hand except the
 * envelopes, the security schemes and the health probes (which are not GraphQL).
 */

type Schema = Record<string, unknown>;

const ID_PATTERN = '^[0-9a-fA-F]{24}$';

/** `T` → `T | null` in JSON Schema 2020-12 (OpenAPI 3.1). */
function orNull(schema: Schema): Schema {
  if (typeof schema.$ref === 'string') return { anyOf: [schema, { type: 'null' }] };
  const withEnum = Array.isArray(schema.enum) ? { enum: [...(schema.enum as unknown[]), null] } : {};
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'], ...withEnum };
  return schema;
}

const describe = (schema: Schema, description: string | null | undefined): Schema => (description ? { ...schema, description } : schema);

function scalarSchema(type: GraphQLNamedType, input: boolean): Schema {
  if (type === GraphQLID) return input ? { type: 'string', pattern: ID_PATTERN } : { type: 'string' };
  if (type === GraphQLString) return { type: 'string' };
  if (type === GraphQLInt) return { type: 'integer', format: 'int32' };
  if (type === GraphQLFloat) return { type: 'number' };
  if (type === GraphQLBoolean) return { type: 'boolean' };
  if (type.name === 'DateTime') return { type: 'string', format: 'date-time' };
  if (isEnumType(type)) return describe({ type: 'string', enum: type.getValues().map((v) => v.name) }, type.description);
  return describe({}, type.description ?? `GraphQL scalar ${type.name}`);
}

class Generator {
  readonly schemas: Record<string, Schema> = {};

  constructor(readonly schema: GraphQLSchema) {}

  /** An input type; input objects become components (they may nest). */
  input(type: GraphQLInputType): Schema {
    if (isNonNullType(type)) return this.inputNonNull(type.ofType);
    return orNull(this.inputNonNull(type));
  }

  inputNonNull(type: GraphQLInputType): Schema {
    if (isListType(type)) return { type: 'array', items: this.input(type.ofType as GraphQLInputType) };
    if (isInputObjectType(type)) {
      if (!this.schemas[type.name]) {
        this.schemas[type.name] = {}; // placeholder against recursion
        const properties: Record<string, Schema> = {};
        const required: string[] = [];
        for (const field of Object.values(type.getFields())) {
          properties[field.name] = describe(this.input(field.type), field.description);
          if (isNonNullType(field.type) && field.defaultValue === undefined) required.push(field.name);
        }
        this.schemas[type.name] = describe(
          { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false },
          type.description,
        );
      }
      return { $ref: `#/components/schemas/${type.name}` };
    }
    return scalarSchema(getNamedType(type), true);
  }

  /** An output type as the selection set shapes it. */
  output(type: GraphQLOutputType, selections: SelectionSetNode | undefined, document: DocumentNode): Schema {
    if (isNonNullType(type)) return this.outputNonNull(type.ofType, selections, document);
    return orNull(this.outputNonNull(type, selections, document));
  }

  outputNonNull(type: GraphQLOutputType, selections: SelectionSetNode | undefined, document: DocumentNode): Schema {
    if (isListType(type)) return { type: 'array', items: this.output(type.ofType as GraphQLOutputType, selections, document) };
    if ((isObjectType(type) || isInterfaceType(type)) && selections) {
      const properties: Record<string, Schema> = {};
      for (const field of this.fieldsOf(selections, document)) {
        const key = field.alias?.value ?? field.name.value;
        if (field.name.value === '__typename') {
          properties[key] = { type: 'string' };
          continue;
        }
        const def = type.getFields()[field.name.value];
        if (!def) throw new Error(`${type.name} has no field ${field.name.value}`);
        properties[key] = describe(this.output(def.type, field.selectionSet, document), def.description);
      }
      return describe({ type: 'object', properties, required: Object.keys(properties), additionalProperties: false }, type.description);
    }
    return scalarSchema(getNamedType(type), false);
  }

  /** The fields a selection set selects, fragments flattened. */
  fieldsOf(selections: SelectionSetNode, document: DocumentNode): FieldNode[] {
    const fields: FieldNode[] = [];
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...this.fieldsOf(selection.selectionSet, document));
      else {
        const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
        if (fragment?.kind === Kind.FRAGMENT_DEFINITION) fields.push(...this.fieldsOf(fragment.selectionSet, document));
      }
    }
    return fields;
  }

  /** Follows `a.b` through the operation's selections: the field there, its type and selections. */
  at(op: ContractDocument, path: string): { def: GraphQLField<unknown, unknown>; node: FieldNode; root: GraphQLField<unknown, unknown> } {
    let parent: GraphQLNamedType | null | undefined = this.schema.getRootType(op.definition.operation);
    let selections: SelectionSetNode | undefined = op.definition.selectionSet;
    let found: { def: GraphQLField<unknown, unknown>; node: FieldNode } | undefined;
    let root: GraphQLField<unknown, unknown> | undefined;
    for (const key of path.split('.')) {
      const node: FieldNode | undefined = selections && this.fieldsOf(selections, op.document).find((f) => (f.alias?.value ?? f.name.value) === key);
      const def: GraphQLField<unknown, unknown> | undefined =
        node && parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[node.name.value] : undefined;
      if (!node || !def) throw new Error(`${op.name} selects no ${path}`);
      root ??= def;
      found = { def, node };
      parent = getNamedType(def.type);
      selections = node.selectionSet;
    }
    return { ...found!, root: root! };
  }
}

export interface OpenApiOptions {
  schema: GraphQLSchema;
  routes: readonly RestRoute[];
  operations: Map<string, ContractDocument>;
  /** Name of the session cookie (differs in production). */
  cookieName: string;
  version?: string;
}

const ERROR_RESPONSES: Record<number, { name: string; description: string; codes: string[] }> = {
  400: {
    name: 'BadRequest',
    description: 'Bad input (the field is named), malformed JSON, or a request refused as a potential CSRF.',
    codes: ['BAD_USER_INPUT', 'BAD_REQUEST'],
  },
  401: { name: 'Unauthenticated', description: 'Not signed in, or the session has ended.', codes: ['UNAUTHENTICATED'] },
  403: {
    name: 'Forbidden',
    description:
      'Signed in, but not allowed to do this; or the account is suspended (`ACCOUNT_SUSPENDED`, with `until`: null when indefinite); or the deployment requires a verified email for this and the account has none yet (`EMAIL_NOT_VERIFIED`).',
    codes: ['FORBIDDEN', 'ACCOUNT_SUSPENDED', 'EMAIL_NOT_VERIFIED'],
  },
  404: { name: 'NotFound', description: 'No such entity, or no such route.', codes: ['NOT_FOUND'] },
  409: { name: 'Conflict', description: 'Conflicts with existing data (e.g. an email already registered).', codes: ['CONFLICT'] },
  413: { name: 'PayloadTooLarge', description: 'The body is larger than the router accepts.', codes: ['PAYLOAD_TOO_LARGE'] },
  429: { name: 'RateLimited', description: 'Too many requests: retry after `Retry-After` seconds.', codes: ['RATE_LIMITED'] },
  500: { name: 'InternalError', description: 'Unexpected error; details are only in the server log.', codes: ['INTERNAL_SERVER_ERROR'] },
  503: {
    name: 'ServiceUnavailable',
    description: 'A dependency (e.g. Redis for sessions and rate limits, or the service that owns the answer) is unavailable; retry shortly.',
    codes: ['SERVICE_UNAVAILABLE', 'SUBGRAPH_UNAVAILABLE'],
  },
};

const ACCESS_NOTE: Record<RestRoute['access'], string> = {
  public: 'No session needed.',
  optional: 'A session is optional: viewer-specific fields are false without one.',
  user: 'Requires a session (bearer token or cookie).',
  admin: 'Admins only.',
};

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export function buildOpenApi({ schema, routes, operations, cookieName, version = '1.0.0' }: OpenApiOptions): Record<string, unknown> {
  const gen = new Generator(schema);
  const paths: Record<string, Record<string, unknown>> = {};

  for (const route of routes) {
    const op = operations.get(route.operation);
    if (!op) throw new Error(`no contract operation ${route.operation}`);
    const vars = variablesOf(schema, op);
    const { def, node, root } = gen.at(op, route.result);
    const argDescription = new Map<string, string>();
    for (const field of gen.fieldsOf(op.definition.selectionSet, op.document)) {
      for (const arg of field.arguments ?? []) {
        const rootDef = schema.getRootType(op.definition.operation)?.getFields()[field.name.value];
        const description = rootDef?.args.find((a) => a.name === arg.name.value)?.description;
        if (arg.value.kind === Kind.VARIABLE && description) argDescription.set(arg.value.name.value, description);
      }
    }

    const parameters: Schema[] = [];
    for (const [name, varPath] of Object.entries(route.params ?? {})) {
      const type = typeAtPath(vars, varPath);
      parameters.push({ name, in: 'path', required: true, schema: gen.inputNonNull(isNonNullType(type) ? type.ofType : type) });
    }
    for (const [name, varPath] of Object.entries(route.query ?? {})) {
      const type = typeAtPath(vars, varPath);
      const [head, field] = varPath.split('.');
      const parentType = field ? getNamedType(vars.get(head!)!.type) : undefined;
      const description = parentType && isInputObjectType(parentType) ? parentType.getFields()[field!]?.description : argDescription.get(head!);
      parameters.push(
        describe({ name, in: 'query', required: false, schema: gen.inputNonNull(isNonNullType(type) ? type.ofType : type) }, description ?? undefined),
      );
    }
    if (route.list) {
      parameters.push({
        name: 'limit',
        in: 'query',
        required: false,
        description: `Page size, 1–${LIMIT.max}.`,
        schema: { type: 'integer', minimum: 1, maximum: LIMIT.max, default: LIMIT.default },
      });
      const cursorParam = route.list.cursorParam ?? 'cursor';
      parameters.push({
        name: cursorParam,
        in: 'query',
        required: false,
        description: 'The `nextCursor` of the previous page.',
        schema: { type: 'string', maxLength: 512 },
      });
      if (cursorParam !== 'cursor')
        parameters.push({
          name: 'cursor',
          in: 'query',
          required: false,
          description: `Same as \`${cursorParam}\`.`,
          schema: { type: 'string', maxLength: 512 },
        });
    }

    let requestBody: Schema | undefined;
    if (route.body === 'spread') {
      const fromUrl = urlVariables(route);
      const properties: Record<string, Schema> = {};
      const required: string[] = [];
      for (const [name, { type, hasDefault }] of vars) {
        if (fromUrl.has(name)) continue;
        properties[name] = describe(gen.input(type), argDescription.get(name));
        if (isNonNullType(type) && !hasDefault) required.push(name);
      }
      requestBody = {
        required: required.length > 0,
        content: { 'application/json': { schema: { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false } } },
      };
    } else if (route.body) {
      const type = vars.get(route.body)!.type;
      requestBody = { required: isNonNullType(type), content: { 'application/json': { schema: gen.inputNonNull(isNonNullType(type) ? type.ofType : type) } } };
    }

    let data: Schema;
    if (route.list) {
      const edges = node.selectionSet && gen.fieldsOf(node.selectionSet, op.document).find((f) => f.name.value === 'edges');
      const edgeType = getNamedType(def.type);
      const edgeField = isObjectType(edgeType) ? edgeType.getFields().edges : undefined;
      const nodeType = edgeField && getNamedType(edgeField.type);
      const nodeSel = edges?.selectionSet && gen.fieldsOf(edges.selectionSet, op.document).find((f) => f.name.value === 'node');
      const nodeDef = nodeType && isObjectType(nodeType) ? nodeType.getFields().node : undefined;
      if (!nodeSel || !nodeDef) throw new Error(`${op.name}: ${route.result} is not a connection with edges { node }`);
      data = { type: 'array', items: gen.output(nodeDef.type, nodeSel.selectionSet, op.document) };
    } else {
      // A null answer is a 404/401 when the route says so: `data` itself is then never null.
      const type = def.type;
      data = route.whenNull
        ? gen.outputNonNull(isNonNullType(type) ? type.ofType : type, node.selectionSet, op.document)
        : gen.output(type, node.selectionSet, op.document);
    }
    const success: Schema = route.list
      ? {
          type: 'object',
          required: ['data', 'nextCursor'],
          properties: { data, nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last.' } },
          additionalProperties: false,
        }
      : { type: 'object', required: ['data'], properties: { data: describe(data, def.description) }, additionalProperties: false };

    const statuses = new Set([400, 429, 500, 503, ...(route.errors ?? [])]);
    if (route.access === 'user' || route.access === 'admin' || route.whenNull?.code === 'UNAUTHENTICATED') statuses.add(401);
    if (route.access === 'admin') statuses.add(403);
    if (route.whenNull?.code === 'NOT_FOUND') statuses.add(404);
    if (route.body) statuses.add(413);
    const responses: Record<string, unknown> = {
      [String(route.status ?? 200)]: {
        description: route.list ? 'A page of the list.' : 'The result.',
        ...(route.session
          ? { headers: { 'Set-Cookie': { description: 'The HttpOnly session cookie (set on sign-in, cleared on log-out).', schema: { type: 'string' } } } }
          : {}),
        content: { 'application/json': { schema: success } },
      },
    };
    for (const status of [...statuses].sort()) responses[String(status)] = { $ref: `#/components/responses/${ERROR_RESPONSES[status]!.name}` };

    const security =
      route.access === 'public' ? [] : route.access === 'optional' ? [{}, { bearerAuth: [] }, { cookieAuth: [] }] : [{ bearerAuth: [] }, { cookieAuth: [] }];
    const tag = route.path.split('/')[1]!;
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = {
      operationId: lowerFirst(route.operation),
      tags: [tag],
      summary: `${route.operation} (GraphQL \`${root.name}\`)`,
      description: [root.description, ACCESS_NOTE[route.access], `Runs the contract operation \`${route.operation}\` through the GraphQL router.`]
        .filter(Boolean)
        .join('\n\n'),
      'x-graphql-operation': route.operation,
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
      security,
    };
  }

  // Health probes are plain HTTP (not GraphQL): described here as they are.
  const health = (summary: string, ready: boolean) => ({
    get: {
      operationId: summary,
      tags: ['health'],
      summary,
      security: [],
      responses: {
        '200': { description: ready ? 'Ready.' : 'Live.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } } },
        ...(ready
          ? {
              '503': {
                description: 'Not ready (a dependency is down, or shutting down).',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } },
              },
            }
          : {}),
      },
    },
  });
  paths['/health'] = health('health', true);
  paths['/health/live'] = health('healthLive', false);
  paths['/health/ready'] = health('healthReady', true);

  const responses = Object.fromEntries(
    Object.values(ERROR_RESPONSES).map(({ name, description, codes }) => [
      name,
      {
        description,
        ...(name === 'RateLimited'
          ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'integer', minimum: 1 } } } }
          : {}),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: { code: codes[0], message: description } } } },
      },
    ]),
  );

  return {
    openapi: '3.1.0',
    info: {
      title: 'stagelives legacy REST API',
      version,
      description:
        'Legacy REST paths over the stagelives GraphQL API. Each route runs one operation of the client contract through the router, with the same limits, rate limits, sessions and authorization as /graphql. Generated from the GraphQL schema and the contract operations.\n\n' +
        'Success: `{"data": …}`; lists: `{"data": […], "nextCursor": "…" | null}` with `?limit=` (default 20, max 100) and `?cursor=`. ' +
        'Failure: `{"error": {"code", "message", "field"?, "until"?}}` (`until` with `ACCOUNT_SUSPENDED`). ' +
        'State-changing POSTs must send `Content-Type: application/json` (an empty body is fine) or an `Authorization` header (CSRF protection).',
    },
    servers: [{ url: '/' }],
    tags: ['auth', 'concert', 'article', 'chat', 'setlist', 'notification', 'health'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'The `sessionToken` returned by sign-up or log-in (mobile clients).' },
        cookieAuth: { type: 'apiKey', in: 'cookie', name: cookieName, description: 'The HttpOnly session cookie set by sign-up or log-in (web clients).' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          additionalProperties: false,
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              additionalProperties: false,
              properties: {
                code: { type: 'string', description: 'Stable code clients may switch on.', examples: Object.values(ERROR_RESPONSES).flatMap((r) => r.codes) },
                message: { type: 'string' },
                field: { type: 'string', description: 'The offending input, as the request spelled it (e.g. `email`, `limit`, `id`).' },
                until: {
                  type: ['string', 'null'],
                  format: 'date-time',
                  description: 'With `ACCOUNT_SUSPENDED`: when the suspension ends (null: indefinitely).',
                },
              },
            },
          },
        },
        Health: {
          type: 'object',
          required: ['status'],
          properties: { status: { type: 'string' }, checks: { type: 'object', description: 'Per dependency: its state.' } },
        },
        ...gen.schemas,
      },
      responses,
    },
  };
}
