import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireStaff, requireViewer } from '@stagelives/platform/subgraph';
import { Paged, RateLimit, ViewerDependence, ViewerDependent } from '@stagelives/schema';
import type { ModerationContext } from '../context.js';
import { UserReference } from '../user/user.reference.js';
import { ReportInput, ReportsArgs, ResolveReportArgs } from './report.input.js';
import { Report, ReportConnection } from './report.type.js';

@Resolver(() => Report)
export class ReportResolver {
  @Mutation(() => Report, {
    description:
      'Signed in. Reports content or an account to staff; NOT_FOUND when the target does not exist for the reporter. Repeating returns the open report. Rate-limited per user.',
  })
  @RateLimit(10, 60)
  async report(@Arg('input', () => ReportInput) input: ReportInput, @Ctx() ctx: ModerationContext): Promise<Report> {
    return Report.from(await ctx.reports.report(requireViewer(ctx), input));
  }

  @Paged()
  @Query(() => ReportConnection, { description: 'Staff only. The moderation queue, newest first.' })
  @ViewerDependent(ViewerDependence.STAFF)
  reports(@Args(() => ReportsArgs) args: ReportsArgs, @Ctx() ctx: ModerationContext): Promise<ReportConnection> {
    return ctx.reports.queue(args);
  }

  @Mutation(() => Report, {
    description: 'Staff only. Acts on the reported target (DISMISS, HIDE_CONTENT, SUSPEND_AUTHOR) and closes every open report on it.',
  })
  async resolveReport(@Args(() => ResolveReportArgs) args: ResolveReportArgs, @Ctx() ctx: ModerationContext): Promise<Report> {
    return Report.from(await ctx.reports.resolve(requireStaff(ctx), args));
  }

  @FieldResolver(() => UserReference, { description: 'Who reported it.' })
  reporter(@Root() report: Report): UserReference {
    return UserReference.of(report.reporterId);
  }
}
