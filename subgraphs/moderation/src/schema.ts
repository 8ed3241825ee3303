import { buildFederatedSchema } from '@stagelives/schema';
import { AuditResolver } from './audit/audit.resolver.js';
import { ContentResolver } from './content/content.resolver.js';
import { ReportResolver } from './report/report.resolver.js';
import { userReferenceResolver } from './user/user.reference.js';

/** The moderation subgraph schema. */
export function buildSchema() {
  return buildFederatedSchema({ resolvers: [AuditResolver, ContentResolver, ReportResolver] }, userReferenceResolver);
}
