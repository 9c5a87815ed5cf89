export * from './event-examples.js';
export * from './json-schemas.js';
