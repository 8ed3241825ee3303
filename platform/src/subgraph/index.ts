// The subgraph runtime: how a domain's schema becomes a served, permission-checked subgraph.
// Only what the subgraphs use is exported.
export { createByIdLoader, createCountLoader, createViewerFlagLoader } from '../mongo/loaders.js';
export { type BaseContext, hasRole, isStaffMember, requireAdmin, requireSelfOrAdmin, requireStaff, requireViewer } from './authorization.js';
export type { SubgraphDeps, SubgraphServer } from './deps.js';
export { isAdmin, isAuthenticated, isPublic, isStaff, isVerifiedMember } from './permissions.js';
export { runSubgraph } from './run-subgraph.js';
export { createSubgraphServer } from './subgraph-server.js';
