// Build-time tooling over the contract: composition and the client contract check.
export * from './api-schema.js';
export * from './compose.js';
export * from './contract.js';
export * from './list-sizes.js';
