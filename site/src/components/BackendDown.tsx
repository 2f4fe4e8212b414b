import { orchestratorUrl, startCommand } from '../lib/config.ts';

/** Said plainly by every widget when the orchestrator does not answer. */
export function BackendDown() {
  return (
    <div className="notice notice-down" role="status" data-backend-down="">
      <p>
        <strong>The ObservaStack backend is not running</strong> (nothing answers at <code>{orchestratorUrl()}</code>).
        Start it from the project folder, then this widget connects by itself:
      </p>
      <pre className="command">
        <code>{startCommand}</code>
      </pre>
    </div>
  );
}
