export * from './common.js';
export * from './event-id.js';
export * from './call-events.js';
export * from './cdr-events.js';
export * from './relay-events.js';
export * from './model.js';
export * from './secret-box.js';
export * from './relay-api.js';
