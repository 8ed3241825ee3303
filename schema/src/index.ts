// The graph contract: what subgraphs, the router and clients agree on. Build tooling
// (composition, the client contract check) is `@stagelives/schema/tooling`.
import 'reflect-metadata';
export * from './errors.js';
export * from './ids.js';
export * from './scalars.js';
export * from './connection.js';
export * from './cache-control.js';
export * from './viewer-dependent.js';
export * from './list-size.js';
export * from './rate-limit.js';
export * from './validate.js';
export * from './build-federated-schema.js';
export * from './entity-ref.js';
export * from './subgraph-names.js';
export * from './protocol.js';
export { setEventTraceSource, type TraceCarrier } from './domain-events.js';
export * from './events.js';
export * from './user-events.js';
export * from './notification-events.js';
export * from './audit-events.js';
export * from './moderation-events.js';
export * from './article-events.js';
export * from './chat.js';
export * from './operation-manifest.js';
