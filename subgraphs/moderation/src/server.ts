import { AuditTrail, loadConfig, subgraphUrls } from '@stagelives/platform';
import { createSubgraphServer, isAdmin, isStaff, isVerifiedMember, type SubgraphDeps, type SubgraphServer } from '@stagelives/platform/subgraph';
import { AuditEntryRepository } from './audit/audit-entry.repository.js';
import { AuditService } from './audit/audit.service.js';
import { ContentDecisionRepository } from './content/content-decision.repository.js';
import { ContentService, contentAppliers } from './content/content.service.js';
import type { ModerationContext } from './context.js';
import { startAuditConsumer } from './events/audit.consumer.js';
import { OwnerClient } from './owners/owner-client.js';
import { ReportTargets } from './report/report-targets.js';
import { ReportRepository } from './report/report.repository.js';
import { ReportService } from './report/report.service.js';
import { buildSchema } from './schema.js';

/**
 * Builds the moderation subgraph server (never listens): indexes, the domain's audit trail
 * (hide/restore decisions, recovered at start and every few seconds), and the consumer that
 * keeps the audit stream's entries; `close()` stops both.
 */
export async function createModerationServer(deps: SubgraphDeps): Promise<SubgraphServer> {
  const { config, env, logger, mongo, redis } = deps;
  // The owners it asks about reported targets (SUBGRAPH_CALLS): their URLs come from SUBGRAPH_URLS.
  const { SUBGRAPH_URLS } = loadConfig({ SUBGRAPH_URLS: subgraphUrls }, env);
  const db = mongo.db('moderation');
  const entries = new AuditEntryRepository(db);
  const decisions = new ContentDecisionRepository(db);
  const reportsRepo = new ReportRepository(db);
  const trail = new AuditTrail({ db, redis, redisPrefix: config.REDIS_PREFIX, logger, appliers: contentAppliers(decisions, redis, config.REDIS_PREFIX) });
  await Promise.all([entries.ensureIndexes(), decisions.ensureIndexes(), reportsRepo.ensureIndexes(), trail.ensureIndexes()]);
  const audit = new AuditService(entries);
  const content = new ContentService(trail);
  const targets = new ReportTargets(new OwnerClient({ urls: SUBGRAPH_URLS, identitySecret: config.IDENTITY_SECRET }));
  const reports = new ReportService(reportsRepo, targets, content, trail);

  const server = await createSubgraphServer<ModerationContext>({
    name: 'moderation',
    schema: await buildSchema(),
    deps,
    permissions: {
      Query: { auditLog: isAdmin, reports: isStaff },
      Mutation: { hideContent: isStaff, restoreContent: isStaff, report: isVerifiedMember(deps.env), resolveReport: isStaff },
    },
    createContext: (base) => ({ ...base, audit, content, reports }),
  });
  trail.start();
  const consumer = startAuditConsumer({ redis, redisPrefix: config.REDIS_PREFIX, audit, logger });
  return {
    httpServer: server.httpServer,
    listen: (port, host) => server.listen(port, host),
    close: async () => {
      await consumer.stop();
      await trail.stop();
      await server.close();
    },
  };
}
