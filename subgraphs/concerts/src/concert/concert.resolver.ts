import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireAdmin, requireViewer } from '@stagelives/platform/subgraph';
import type { ConcertsContext } from '../context.js';
import { UserReference } from '../user/user.reference.js';
import { ConcertFilter, CreateConcertInput, UpdateConcertInput } from './concert.input.js';
import { Concert, ConcertConnection } from './concert.type.js';

@Resolver(() => Concert)
export class ConcertResolver {
  @Query(() => ConcertConnection, { description: 'Concerts by start time, earliest first.' })
  concerts(
    @Arg('filter', () => ConcertFilter, { nullable: true }) filter: ConcertFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ConcertsContext,
  ): Promise<ConcertConnection> {
    return ctx.concerts.list(filter, first, after);
  }

  @Query(() => Concert, { nullable: true })
  async concert(@Arg('id', () => ID) id: string, @Ctx() ctx: ConcertsContext): Promise<Concert | null> {
    const doc = await ctx.loaders.concert.load(id); // a malformed id is null, without a query
    return doc ? Concert.from(doc) : null;
  }

  @Mutation(() => Concert, { description: 'Admins only.' })
  async createConcert(@Arg('input', () => CreateConcertInput) input: CreateConcertInput, @Ctx() ctx: ConcertsContext): Promise<Concert> {
    const admin = requireAdmin(ctx);
    return Concert.from(await ctx.concerts.create(input, admin.userId));
  }

  @Mutation(() => Concert, { description: 'Admins only. Absent fields stay; a date change emits `concert.rescheduled`.' })
  async updateConcert(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateConcertInput) input: UpdateConcertInput,
    @Ctx() ctx: ConcertsContext,
  ): Promise<Concert> {
    requireAdmin(ctx);
    return Concert.from(await ctx.concerts.update(id, input));
  }

  @Mutation(() => Concert, { description: 'Admins only. Idempotent; a concert that has ended cannot be cancelled.' })
  async cancelConcert(@Arg('id', () => ID) id: string, @Ctx() ctx: ConcertsContext): Promise<Concert> {
    requireAdmin(ctx);
    return Concert.from(await ctx.concerts.cancel(id));
  }

  @Mutation(() => Boolean, { description: 'Admins only. Deletes the concert and its likes; other domains drop theirs on `concert.deleted`.' })
  deleteConcert(@Arg('id', () => ID) id: string, @Ctx() ctx: ConcertsContext): Promise<boolean> {
    requireAdmin(ctx);
    return ctx.concerts.delete(id);
  }

  @Mutation(() => Concert, { description: 'Idempotent.' })
  async likeConcert(@Arg('id', () => ID) id: string, @Ctx() ctx: ConcertsContext): Promise<Concert> {
    const viewer = requireViewer(ctx);
    const doc = await ctx.likes.like(id, viewer.userId);
    ctx.loaders.viewerLike.clear(id).prime(id, true);
    return Concert.from(doc);
  }

  @Mutation(() => Concert, { description: 'Idempotent.' })
  async unlikeConcert(@Arg('id', () => ID) id: string, @Ctx() ctx: ConcertsContext): Promise<Concert> {
    const viewer = requireViewer(ctx);
    const doc = await ctx.likes.unlike(id, viewer.userId);
    ctx.loaders.viewerLike.clear(id).prime(id, false);
    return Concert.from(doc);
  }

  @FieldResolver(() => Int, { description: 'How many fans like this concert (counted from the like documents: exact).' })
  likeCount(@Root() concert: Concert, @Ctx() ctx: ConcertsContext): Promise<number> {
    return ctx.loaders.likeCount.load(concert.id);
  }

  @FieldResolver(() => Boolean, { description: 'Whether the signed-in viewer likes it (false when signed out).' })
  viewerHasLiked(@Root() concert: Concert, @Ctx() ctx: ConcertsContext): Promise<boolean> {
    return ctx.loaders.viewerLike.load(concert.id);
  }

  @FieldResolver(() => UserReference, { description: 'The admin who created the concert.' })
  createdBy(@Root() concert: Concert): UserReference {
    return UserReference.of(concert.createdById);
  }
}
