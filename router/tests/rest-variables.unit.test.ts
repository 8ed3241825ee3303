import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { ContractDocument } from '../src/rest/contract-operations.js';
import type { RestRoute } from '../src/rest/routes.js';
import { RestError, restFieldOf, toVariables, typeAtPath, urlVariables, variablesOf } from '../src/rest/variables.js';

const schema = buildSchema(`
  scalar DateTime
  enum Status { SCHEDULED CANCELLED }
  input ConcertFilter { status: Status, from: DateTime, featured: Boolean }
  input CommentInput { articleId: ID!, body: String! }
  type Query { concerts(filter: ConcertFilter, first: Int, after: String): [String], concert(id: ID!): String }
  type Mutation { addComment(input: CommentInput!): String, logIn(email: String!, password: String!): String }
`);

const contract = (source: string): ContractDocument => {
  const document = parse(source);
  const definition = document.definitions[0] as OperationDefinitionNode;
  return { name: definition.name!.value, source, document, definition };
};

const concerts = contract('query Concerts($filter: ConcertFilter, $first: Int!, $after: String) { concerts(filter: $filter, first: $first, after: $after) }');
const concertById = contract('query Concert($id: ID!) { concert(id: $id) }');
const addComment = contract('mutation AddComment($input: CommentInput!) { addComment(input: $input) }');
const logIn = contract('mutation LogIn($email: String!, $password: String!) { logIn(email: $email, password: $password) }');

const listRoute: RestRoute = {
  method: 'GET',
  path: '/concert',
  operation: 'Concerts',
  query: { status: 'filter.status', from: 'filter.from', featured: 'filter.featured' },
  list: { size: 'first', cursor: 'after' },
  result: 'concerts',
  access: 'public',
};
const byIdRoute: RestRoute = { method: 'GET', path: '/concert/:id', operation: 'Concert', params: { id: 'id' }, result: 'concert', access: 'public' };
const commentRoute: RestRoute = { method: 'POST', path: '/comment', operation: 'AddComment', body: 'input', result: 'addComment', access: 'user' };
const logInRoute: RestRoute = { method: 'POST', path: '/auth/login', operation: 'LogIn', body: 'spread', result: 'logIn', access: 'public' };

const ID = '65a1b2c3d4e5f6a7b8c9d0e1';
const input = (search = '', params: Record<string, string> = {}, body?: unknown) => ({ params, search: new URLSearchParams(search), body });
/** The RestError a call throws, as `{status, code, field, message}`. */
function refusal(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (!(error instanceof RestError)) throw error;
    return { status: error.status, code: error.code, field: error.field, message: error.message };
  }
  throw new Error('expected a RestError');
}

describe('REST variables', () => {
  it('should type variables and paths against the schema', () => {
    const vars = variablesOf(schema, concerts);
    expect([...vars.keys()]).toEqual(['filter', 'first', 'after']);
    expect(String(typeAtPath(vars, 'filter.status'))).toBe('Status');
    expect(String(typeAtPath(vars, 'first'))).toBe('Int!');
    expect(() => typeAtPath(vars, 'filter.nope')).toThrow(/no input type at filter.nope/);
    expect(() => variablesOf(schema, contract('query Q($x: Nope) { concert(id: "1") }'))).toThrow(/unknown type of \$x/);
    expect(urlVariables(listRoute)).toEqual(new Set(['filter', 'first', 'after']));
  });

  it('should name a variable path as the REST client spelled it', () => {
    expect(restFieldOf(listRoute, 'filter.status')).toBe('status');
    expect(restFieldOf(listRoute, 'first')).toBe('limit');
    expect(restFieldOf(listRoute, 'after')).toBe('cursor');
    expect(restFieldOf(commentRoute, 'input.body')).toBe('body');
    expect(restFieldOf(commentRoute, 'input')).toBe('body');
    expect(restFieldOf(commentRoute, 'input[0]')).toBe('body[0]');
    expect(restFieldOf(logInRoute, 'email')).toBe('email');
  });

  it('should map query parameters, paging and path parameters, parsing scalars strictly', () => {
    const vars = variablesOf(schema, concerts);
    expect(toVariables(listRoute, vars, input('status=SCHEDULED&featured=true&limit=5&cursor=abc'))).toEqual({
      filter: { status: 'SCHEDULED', featured: true },
      first: 5,
      after: 'abc',
    });
    expect(toVariables(listRoute, vars, input(''))).toEqual({ first: 20 });
    expect(toVariables(byIdRoute, variablesOf(schema, concertById), input('', { id: ID }))).toEqual({ id: ID });
  });

  it('should refuse bad URL input with 400 naming the field', () => {
    const vars = variablesOf(schema, concerts);
    expect(refusal(() => toVariables(listRoute, vars, input('nope=1')))).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', field: 'nope' });
    expect(refusal(() => toVariables(listRoute, vars, input('status=SCHEDULED&status=CANCELLED')))).toMatchObject({
      field: 'status',
      message: 'status must be given once.',
    });
    expect(refusal(() => toVariables(listRoute, vars, input('limit=0')))).toMatchObject({ field: 'limit' });
    expect(refusal(() => toVariables(listRoute, vars, input('limit=x')))).toMatchObject({ field: 'limit' });
    expect(refusal(() => toVariables(listRoute, vars, input('featured=yes')))).toMatchObject({ field: 'featured', message: 'featured must be true or false.' });
    expect(refusal(() => toVariables(listRoute, vars, input('status=LOST')))).toMatchObject({ field: 'status' });
    expect(refusal(() => toVariables(listRoute, vars, input('from=yesterday')))).toMatchObject({
      field: 'from',
      message: expect.stringContaining('not a valid date-time'),
    });
    expect(refusal(() => toVariables(byIdRoute, variablesOf(schema, concertById), input('', { id: 'x' })))).toMatchObject({
      field: 'id',
      message: 'id is not a valid id.',
    });
  });

  it('should map a body to one input variable or spread it, refusing operators, unknown and missing fields', () => {
    const commentVars = variablesOf(schema, addComment);
    expect(toVariables(commentRoute, commentVars, input('', {}, { articleId: ID, body: 'hi' }))).toEqual({ input: { articleId: ID, body: 'hi' } });
    expect(refusal(() => toVariables(commentRoute, commentVars, input('', {}, undefined)))).toMatchObject({
      field: 'body',
      message: 'A JSON body is required.',
    });
    expect(refusal(() => toVariables(commentRoute, commentVars, input('', {}, { articleId: ID })))).toMatchObject({
      field: 'body',
      message: 'body is required.',
    });
    expect(refusal(() => toVariables(commentRoute, commentVars, input('', {}, { articleId: ID, body: 'hi', extra: 1 })))).toMatchObject({
      field: 'extra',
      message: 'Unknown field "extra".',
    });
    expect(refusal(() => toVariables(commentRoute, commentVars, input('', {}, { articleId: 'bad', body: 'hi' })))).toMatchObject({ field: 'articleId' });
    expect(refusal(() => toVariables(commentRoute, commentVars, input('', {}, { articleId: { $ne: null }, body: 'hi' })))).toMatchObject({
      message: expect.stringContaining('operators are not accepted'),
    });
    expect(refusal(() => toVariables(commentRoute, commentVars, input('', {}, [1])))).toMatchObject({
      field: 'body',
      message: 'The body must be a JSON object.',
    });

    const logInVars = variablesOf(schema, logIn);
    expect(toVariables(logInRoute, logInVars, input('', {}, { email: 'a@b.c', password: 'pw' }))).toEqual({ email: 'a@b.c', password: 'pw' });
    expect(refusal(() => toVariables(logInRoute, logInVars, input('', {}, { email: 'a@b.c', password: 'pw', role: 'ADMIN' })))).toMatchObject({
      field: 'role',
    });
    expect(refusal(() => toVariables(logInRoute, logInVars, input('', {}, { email: 'a@b.c' })))).toMatchObject({
      field: 'password',
      message: 'password is required.',
    });
    expect(refusal(() => toVariables(byIdRoute, variablesOf(schema, concertById), input('', { id: ID }, { x: 1 })))).toMatchObject({ field: 'x' });
  });
});
