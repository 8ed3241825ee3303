export * from './free-port.js';
export * from './log-format.js';
export * from './services.js';
export * from './scratch.js';
