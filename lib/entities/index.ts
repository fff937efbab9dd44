export * from './async-stop.entity.js';
export * from './define-entities.js';
export * from './task-status.js';
export * from './task.entity.js';
