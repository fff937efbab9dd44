export * from './on-task-event.decorator.js';
export * from './task-event.js';
export * from './task-events.js';
