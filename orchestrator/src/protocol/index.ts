// The contract between the site and the orchestrator: REST bodies and the WebSocket protocol.
export * from './run.ts';
export * from './stats.ts';
export * from './ws-messages.ts';
export * from './rest.ts';
export * from './changes.ts';
export * from './run-events.ts';
export * from './views.ts';
export * from './actions.ts';
export * from './db-activity.ts';
