export * from './handler-registry.js';
export * from './task-context.js';
export * from './task-definition.js';
export * from './task-handler-options.js';
export * from './task-handler.decorator.js';
