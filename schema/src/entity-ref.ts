import 'reflect-metadata';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * A stub of an entity another subgraph owns (`User`, `Concert`): only its id, under a key the
 * router can resolve here, so this subgraph can return references and add fields to it.
 * Returns the stub class and the `__resolveReference` map to pass to buildFederatedSchema.
 */
export function entityRef<Name extends string>(typeName: Name, { cacheMaxAge }: { cacheMaxAge?: number } = {}) {
  // Opt-in cache hint (`_entities` fetches take it): only when every field this subgraph adds to
  // the entity is public or marked PRIVATE itself.
  const cacheHint: ClassDecorator = cacheMaxAge === undefined ? () => undefined : Directive(`@cacheControl(maxAge: ${cacheMaxAge})`);
  @ObjectType(typeName)
  @Directive('@key(fields: "id")')
  @cacheHint
  class Ref {
    @Field(() => ID)
    id!: string;

    static of(id: string): Ref {
      return Object.assign(new Ref(), { id });
    }
  }
  const referenceResolver = { [typeName]: { __resolveReference: (ref: { id: string }) => Ref.of(ref.id) } } as Record<
    Name,
    { __resolveReference: (ref: { id: string }) => Ref }
  >;
  return { Ref, referenceResolver };
}
