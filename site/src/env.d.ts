interface ImportMetaEnv {
  /** Orchestrator base URL baked in at build time for a separately hosted site, e.g. http://127.0.0.1:4000. */
  readonly PUBLIC_ORCHESTRATOR_URL?: string;
  /** Grafana as the learner's browser reaches it (stack mode); panels embed it when it answers. */
  readonly PUBLIC_GRAFANA_URL?: string;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
