/** The command that starts the backend, shown wherever a widget cannot reach it. */
export const startCommand = 'npm install && npm start';

/**
 * Where the orchestrator is: PUBLIC_ORCHESTRATOR_URL when it was set at build time (the site hosted elsewhere),
 * otherwise the page's own origin (the orchestrator serves the site at /).
 */
export function orchestratorUrl(): string {
  const baked = import.meta.env.PUBLIC_ORCHESTRATOR_URL;
  if (baked) return baked.replace(/\/+$/, '');
  if (typeof location !== 'undefined' && location.protocol.startsWith('http')) return location.origin;
  return 'http://127.0.0.1:4000';
}

/** Grafana's address in stack mode, when the site was built with one. */
export function grafanaUrl(): string | null {
  const g = import.meta.env.PUBLIC_GRAFANA_URL;
  return g ? g.replace(/\/+$/, '') : null;
}
