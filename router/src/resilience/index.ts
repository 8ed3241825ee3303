export * from './subgraph-unavailable-error.js';
export * from './subgraph-policy.js';
export * from './subgraph-policies.js';
export * from './resilient-fetch.js';
export * from './unavailable-errors-plugin.js';
