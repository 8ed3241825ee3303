export * from './free-port.js';
export * from './log-format.js';
export * from './services.js';
export * from './fork.js';
export * from './proc.js';
export * from './scratch.js';
export * from './fcm-server.js';
export * from './mailpit.js';
