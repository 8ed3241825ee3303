import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { execute, parse } from 'graphql';
import { Field, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { buildFederatedSchema } from '@stagelives/schema';
import { isAdmin, isAuthenticated, isPublic, type BaseContext } from '../src/subgraph/index.js';
import { applyPermissions } from '../src/subgraph/permissions.js';

@ObjectType('PermProbe')
class PermProbe {
  @Field(() => String)
  value!: string;
}

@Resolver()
class PermResolver {
  @Query(() => PermProbe)
  probe(): PermProbe {
    return { value: 'read' };
  }

  @Mutation(() => Boolean)
  open(): boolean {
    return true;
  }

  @Mutation(() => Boolean)
  members(): boolean {
    return true;
  }

  @Mutation(() => Boolean)
  admins(): boolean {
    return true;
  }

  @Mutation(() => Boolean)
  forgotten(): boolean {
    return true;
  }
}

const ctx = (roles: Array<'USER' | 'ADMIN'> | null): BaseContext =>
  ({
    viewer: roles ? { userId: 'u', roles, sessionId: 's' } : null,
    identityVerdict: roles ? { ok: true, identity: { userId: 'u', roles, sessionId: 's' } } : { ok: false, reason: 'missing' },
    requestId: 'r',
    logger: { warn() {}, debug() {} },
    responseHeaders: new Map(),
  }) as unknown as BaseContext;

describe(applyPermissions.name, async () => {
  const schema = applyPermissions(await buildFederatedSchema({ resolvers: [PermResolver] }), {
    Mutation: { open: isPublic, members: isAuthenticated, admins: isAdmin },
  });
  const run = async (field: string, roles: Array<'USER' | 'ADMIN'> | null) => {
    const res = await execute({ schema, document: parse(`mutation { ${field} }`), contextValue: ctx(roles) });
    return res.errors?.[0]?.extensions?.code ?? (res.data as Record<string, unknown>)[field];
  };

  it('should deny a mutation no rule names, even to admins', async () => {
    expect(await run('forgotten', ['USER', 'ADMIN'])).toBe('FORBIDDEN');
  });

  it('should apply the named rules', async () => {
    expect(await run('open', null)).toBe(true);
    expect(await run('members', null)).toBe('UNAUTHENTICATED');
    expect(await run('members', ['USER'])).toBe(true);
    expect(await run('admins', ['USER'])).toBe('FORBIDDEN');
    expect(await run('admins', ['USER', 'ADMIN'])).toBe(true);
  });

  it('should keep queries and federation fields open', async () => {
    const res = await execute({ schema, document: parse('{ probe { value } _service { sdl } }'), contextValue: ctx(null) });
    expect(res.errors).toBeUndefined();
  });

  it('should refuse rules for mutations that do not exist', async () => {
    const base = await buildFederatedSchema({ resolvers: [PermResolver] });
    expect(() => applyPermissions(base, { Mutation: { nope: isPublic } })).toThrow(/unknown mutations: nope/);
  });
});
