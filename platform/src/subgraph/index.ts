// The subgraph runtime: how a domain's schema becomes a served, permission-checked subgraph.
export * from './deps.js';
export * from './authorization.js';
export * from './permissions.js';
export * from './subgraph-server.js';
export * from './run-subgraph.js';
export * from '../mongo/loaders.js';
