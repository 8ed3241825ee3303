import type { BaseContext } from '@stagelives/platform/subgraph';
import type { AuditService } from './audit/audit.service.js';
import type { ContentService } from './content/content.service.js';
import type { ReportService } from './report/report.service.js';

export interface ModerationContext extends BaseContext {
  audit: AuditService;
  content: ContentService;
  reports: ReportService;
}
