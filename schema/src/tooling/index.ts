// Build-time tooling over the contract: composition, the client contract check and the schema check.
export * from './api-schema.js';
export * from './compose.js';
export * from './contract.js';
export * from './list-sizes.js';
export * from './schema-check.js';
