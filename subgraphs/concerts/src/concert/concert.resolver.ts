import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';

import { requireAdmin, requireViewer } from '@stagelives/platform/subgraph';
import { CachePublic, Paged, RateLimit, ViewerDependence, ViewerDependent } from '@stagelives/schema';
import type { ConcertsContext } from '../context.js';
import { UserReference } from '../user/user.reference.js';
import { ConcertFilter, CreateConcertInput, UpdateConcertInput } from './concert.input.js';
import { Concert, ConcertConnection, ConcertStatus } from './concert.type.js';
import { effectiveEndOf } from './concert-status.js';

type CacheHint = { maxAge?: number };
/** Apollo's cache-control plugin puts `cacheControl` on `info` (absent when the plugin is off). */
const cacheControlOf = (info: GraphQLResolveInfo) =>
  (info as GraphQLResolveInfo & { cacheControl?: { cacheHint: { restrict(hint: CacheHint): void }; setCacheHint(hint: CacheHint): void } }).cacheControl;

/**
 * Status is computed from the clock when read: a cached answer may live only until the next
 * transition it could show (whole seconds, rounded down: 0 when it is due within a second).
 */
function cacheUntil(info: GraphQLResolveInfo, at: Date | null): void {
  if (!at) return;
  const seconds = Math.floor((at.getTime() - Date.now()) / 1000);
  if (seconds < 0) return;
  cacheControlOf(info)?.cacheHint.restrict({ maxAge: seconds });
}

@Resolver(() => Concert)
export class ConcertResolver {
  @Paged()
  @Query(() => ConcertConnection, { description: 'Concerts by start time, earliest first.' })
  @CachePublic()
  concerts(
    @Arg('filter', () => ConcertFilter, { nullable: true }) filter: ConcertFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: ConcertsContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConcertConnection> {
    // Who is ONGOING changes with the clock, also for concerts the page does not hold: a status
    // filter is not cached (Concert.status of each node bounds the others).
    if (filter?.status) cacheControlOf(info)?.setCacheHint({ maxAge: 0 });
    return ctx.concerts.list(filter, first, after);
  }

  @FieldResolver(() => ConcertStatus, { description: 'Computed from the dates when the query runs; CANCELLED stays.' })
  status(@Root() concert: Concert, @Info() info: GraphQLResolveInfo): ConcertStatus {
    if (concert.status === 'UPCOMING') cacheUntil(info, concert.startsAt);
    else if (concert.status === 'ONGOING') cacheUntil(info, effectiveEndOf(concert.startsAt, concert.endsAt));
    return concert.status;
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
    const admin = requireAdmin(ctx);
    return Concert.from(await ctx.concerts.update(id, input, admin.userId));
  }

  @Mutation(() => Concert, { description: 'Admins only. Idempotent; a concert that has ended cannot be cancelled.' })
  async cancelConcert(@Arg('id', () => ID) id: string, @Ctx() ctx: ConcertsContext): Promise<Concert> {
    const admin = requireAdmin(ctx);
    return Concert.from(await ctx.concerts.cancel(id, admin.userId));
  }

  @Mutation(() => Boolean, { description: 'Admins only. Deletes the concert and its likes; other domains drop theirs on `concert.deleted`.' })
  deleteConcert(@Arg('id', () => ID) id: string, @Ctx() ctx: ConcertsContext): Promise<boolean> {
    const admin = requireAdmin(ctx);
    return ctx.concerts.delete(id, admin.userId);
  }

  @Mutation(() => Concert, { description: 'Idempotent.' })
  @RateLimit(60, 60)
  async likeConcert(@Arg('id', () => ID) id: string, @Ctx() ctx: ConcertsContext): Promise<Concert> {
    const viewer = requireViewer(ctx);
    const doc = await ctx.likes.like(id, viewer.userId);
    ctx.loaders.viewerLike.clear(id).prime(id, true);
    return Concert.from(doc);
  }

  @Mutation(() => Concert, { description: 'Idempotent.' })
  @RateLimit(60, 60)
  async unlikeConcert(@Arg('id', () => ID) id: string, @Ctx() ctx: ConcertsContext): Promise<Concert> {
    const viewer = requireViewer(ctx);
    const doc = await ctx.likes.unlike(id, viewer.userId);
    ctx.loaders.viewerLike.clear(id).prime(id, false);
    return Concert.from(doc);
  }

  @FieldResolver(() => Int, { description: 'How many fans like this concert.' })
  likeCount(@Root() concert: Concert): number {
    return concert.likes;
  }

  @FieldResolver(() => Boolean, { description: 'Whether the signed-in viewer likes it (false when signed out).' })
  @ViewerDependent(ViewerDependence.VIEWER)
  viewerHasLiked(@Root() concert: Concert, @Ctx() ctx: ConcertsContext): Promise<boolean> {
    return ctx.loaders.viewerLike.load(concert.id);
  }

  @FieldResolver(() => UserReference, { description: 'The admin who created the concert.' })
  createdBy(@Root() concert: Concert): UserReference {
    return UserReference.of(concert.createdById);
  }
}
