import { describe, expect, it } from 'vitest';
import { operationId, type ManifestOperation } from '@stagelives/schema';
import { TRUSTED_OPERATION_CODES, TrustedOperations } from '../src/trusted-operations.js';

const op = (name: string, body: string, type: ManifestOperation['type'] = 'query'): ManifestOperation => ({ id: operationId(body), name, type, body });

const concert = op('Concert', 'query Concert($id: ID!) {\n  concert(id: $id) { id ...Title }\n}\n\nfragment Title on Concert { title }');
const messages = op('Messages', 'subscription Messages($roomId: ID!) {\n  messageAdded(roomId: $roomId) { id body }\n}', 'subscription');
const trusted = new TrustedOperations([concert, messages], 1000);

const codeOf = (verdict: ReturnType<TrustedOperations['resolve']>) => ('error' in verdict ? verdict.error.extensions?.code : undefined);

describe(TrustedOperations.name, () => {
  it('should match a trusted text exactly and by shape when reformatted', () => {
    expect(trusted.matchText(concert.body)).toBe(concert);
    const reformatted = 'fragment Title on Concert{title}\n# a comment\nquery Concert($id:ID!){concert(id:$id){id,...Title}}';
    expect(trusted.matchText(reformatted)).toBe(concert);
    expect(trusted.resolve(reformatted, undefined)).toEqual({ query: reformatted });
  });

  it('should not match a different operation, or text that does not parse', () => {
    expect(trusted.matchText('query Concert($id: ID!) { concert(id: $id) { id title } }')).toBeUndefined();
    expect(trusted.matchText('query {')).toBeUndefined();
    expect(trusted.resolve('{ __typename }', undefined)).toMatchObject({ status: 403, error: { extensions: { code: TRUSTED_OPERATION_CODES.notInList } } });
    expect(codeOf(trusted.resolve('', undefined))).toBe(TRUSTED_OPERATION_CODES.notInList);
    expect(codeOf(trusted.resolve(undefined, undefined))).toBe(TRUSTED_OPERATION_CODES.notInList);
  });

  it('should give the trusted body for a known hash alone, and PERSISTED_QUERY_NOT_FOUND for an unknown one', () => {
    const pq = (sha256Hash: unknown) => ({ persistedQuery: { version: 1, sha256Hash } });
    expect(trusted.byHash(messages.id)).toBe(messages);
    expect(trusted.resolve('', pq(messages.id))).toEqual({ query: messages.body });
    expect(trusted.resolve(undefined, pq(messages.id))).toEqual({ query: messages.body });
    expect(trusted.resolve(undefined, pq('0'.repeat(64)))).toMatchObject({ status: 200, error: { extensions: { code: TRUSTED_OPERATION_CODES.notFound } } });
  });

  it('should refuse a hash that is not the text’s, a malformed persistedQuery, and a known text under its hash only when listed', () => {
    const pq = (sha256Hash: unknown) => ({ persistedQuery: { version: 1, sha256Hash } });
    expect(trusted.resolve(concert.body, pq(messages.id))).toMatchObject({
      status: 400,
      error: { extensions: { code: TRUSTED_OPERATION_CODES.hashMismatch } },
    });
    expect(trusted.resolve(concert.body, pq(concert.id))).toEqual({ query: concert.body });
    const other = '{ __typename }';
    expect(codeOf(trusted.resolve(other, pq(operationId(other))))).toBe(TRUSTED_OPERATION_CODES.notInList);
    expect(codeOf(trusted.resolve(concert.body, pq(42)))).toBe(TRUSTED_OPERATION_CODES.notInList);
    expect(codeOf(trusted.resolve(concert.body, { persistedQuery: 'x' }))).toBe(TRUSTED_OPERATION_CODES.notInList);
    expect(trusted.resolve(concert.body, { persistedQuery: null })).toEqual({ query: concert.body });
  });

  it('should serve only trusted bodies from its read-only persisted query cache', async () => {
    const cache = trusted.persistedQueryCache();
    expect(await cache.get(`apq:${concert.id}`)).toBe(concert.body);
    expect(await cache.get(concert.id)).toBe(concert.body);
    await cache.set();
    expect(await cache.get('apq:unknown')).toBeUndefined();
  });
});
