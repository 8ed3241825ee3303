export * from './cost-directives.js';
export * from './cost-limit.js';
export * from './operation-cost.js';
