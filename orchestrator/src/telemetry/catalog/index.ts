import { panelSchema, panelSections, type Panel, type PanelSection } from './panel-schema.ts';
import { userPanels } from './panels-users.ts';
import { apiPanels, gatewayPanels, inventoryPanels } from './panels-services.ts';
import { databasePanels, runtimePanels } from './panels-platform.ts';

export * from './panel-schema.ts';

/** Every panel, validated once at load; ids are unique. */
export const panelCatalog: readonly Panel[] = (() => {
  const all = [...userPanels, ...gatewayPanels, ...apiPanels, ...inventoryPanels, ...databasePanels, ...runtimePanels]
    .map((p) => panelSchema.parse(p))
    .map((p) => ({ ...p, queries: p.queries.map((q) => ({ ...q, exemplars: carriesExemplars(q.expr) })) }));
  const ids = new Set<string>();
  for (const p of all) {
    if (ids.has(p.id)) throw new Error(`duplicate panel id ${p.id}`);
    ids.add(p.id);
  }
  return Object.freeze(all);
})();

/** The services' request-latency buckets carry the trace id of a sampled request (sut-common metrics.ts). */
function carriesExemplars(expr: string): boolean {
  return expr.includes('http_server_request_duration_seconds_bucket');
}

const byId = new Map(panelCatalog.map((p) => [p.id, p]));

export function getPanel(id: string): Panel | undefined {
  return byId.get(id);
}

export function panelsOfSection(section: PanelSection): Panel[] {
  return panelCatalog.filter((p) => p.section === section);
}

export const isMetricPanel = (p: Panel) => p.kind === 'timeseries' || p.kind === 'stat';

export { panelSections };
