import type { Panel, PanelSection } from './panel-schema.ts';
import { panelCatalog, panelSections } from './index.ts';
import { catalogAnnotations } from './annotations.ts';

/** Datasources are referenced by fixed uids, provisioned with these uids in stack mode. */
const DS = {
  prometheus: { type: 'prometheus', uid: 'prometheus' },
  loki: { type: 'loki', uid: 'loki' },
  tempo: { type: 'tempo', uid: 'tempo' },
} as const;

const GRAFANA_UNITS: Record<Panel['unit'], string> = {
  reqps: 'reqps',
  percent: 'percent',
  percentunit: 'percentunit',
  seconds: 's',
  ms: 'ms',
  bytes: 'bytes',
  short: 'short',
  opm: 'opm',
  bool: 'bool',
};

const SECTION_TITLES: Record<PanelSection, string> = {
  users: 'Users (simulated traffic)',
  gateway: 'Gateway',
  api: 'API',
  inventory: 'Inventory',
  database: 'Database',
  runtime: 'Runtime and deploys',
};

export const dashboardUid = (section: PanelSection) => `observastack-${section}`;
export const dashboardFileName = (section: PanelSection) => `observastack-${section}.json`;

/** Numeric Grafana panel id derived from the catalog id (FNV-1a), so ids survive reordering of the catalog. */
export function grafanaPanelId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return (h % 999_999) + 1;
}

/** Where a catalog panel lives in Grafana, for embedding (`/d-solo/<dashboardUid>?panelId=<panelId>`). */
export function grafanaPanelRef(panel: Panel): { dashboardUid: string; panelId: number } {
  return { dashboardUid: dashboardUid(panel.section), panelId: grafanaPanelId(panel.id) };
}

function description(p: Panel): string {
  return `${p.help.shows}\n\nHealthy: ${p.help.healthy}\n\nProblem: ${p.help.problem}`;
}

function fieldConfig(p: Panel) {
  const steps = p.thresholds ?? [{ value: null, color: 'green' }];
  return {
    defaults: {
      unit: GRAFANA_UNITS[p.unit],
      ...(p.unit === 'percentunit' ? { min: 0, max: 1 } : {}),
      thresholds: { mode: 'absolute', steps: steps.map((s) => ({ color: s.color, value: s.value })) },
      ...(p.kind === 'timeseries'
        ? {
            custom: {
              lineWidth: 1,
              fillOpacity: 10,
              showPoints: 'never',
              thresholdsStyle: { mode: p.thresholds ? 'line' : 'off' },
            },
          }
        : {}),
    },
    overrides: [],
  };
}

function panelJson(p: Panel, gridPos: { x: number; y: number; w: number; h: number }) {
  const base = { id: grafanaPanelId(p.id), title: p.title, description: description(p), gridPos };
  switch (p.kind) {
    case 'timeseries':
    case 'stat':
      return {
        ...base,
        type: p.kind,
        datasource: DS.prometheus,
        targets: p.queries.map((q, i) => ({
          refId: String.fromCharCode(65 + i),
          datasource: DS.prometheus,
          expr: q.expr,
          legendFormat: q.legend,
          range: true,
          editorMode: 'code',
          // Exemplars show as points linked to their trace in Tempo (the Prometheus datasource's destination).
          ...(q.exemplars ? { exemplar: true } : {}),
        })),
        fieldConfig: fieldConfig(p),
        options:
          p.kind === 'stat'
            ? {
                reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
                colorMode: 'value',
                graphMode: 'area',
                textMode: 'auto',
              }
            : {
                legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
                tooltip: { mode: 'multi', sort: 'desc' },
              },
      };
    case 'logs':
      return {
        ...base,
        type: 'logs',
        datasource: DS.loki,
        targets: p.queries.map((q, i) => ({
          refId: String.fromCharCode(65 + i),
          datasource: DS.loki,
          expr: q.expr,
          queryType: 'range',
        })),
        options: {
          showTime: true,
          wrapLogMessage: true,
          sortOrder: 'Descending',
          enableLogDetails: true,
          prettifyLogMessage: false,
        },
      };
    case 'traces':
      return {
        ...base,
        type: 'table',
        datasource: DS.tempo,
        targets: p.queries.map((q, i) => ({
          refId: String.fromCharCode(65 + i),
          datasource: DS.tempo,
          queryType: 'traceql',
          query: q.expr,
          limit: 20,
          tableType: 'traces',
        })),
        fieldConfig: { defaults: {}, overrides: [] },
        options: { showHeader: true },
      };
  }
}

export function sectionDashboard(section: PanelSection) {
  const panels: unknown[] = [];
  let x = 0;
  let y = 0;
  for (const p of panelCatalog.filter((q) => q.section === section)) {
    const wide = p.kind === 'logs' || p.kind === 'traces';
    if (wide && x !== 0) {
      x = 0;
      y += 8;
    }
    const gridPos = { x, y, w: wide ? 24 : 12, h: wide ? 10 : 8 };
    panels.push(panelJson(p, gridPos));
    if (wide) y += 10;
    else if (x === 0) x = 12;
    else {
      x = 0;
      y += 8;
    }
  }
  return {
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
        ...catalogAnnotations.map((a) => ({
          datasource: DS.prometheus,
          enable: true,
          expr: a.expr,
          iconColor: a.color,
          name: a.name,
          step: '5s',
          titleFormat: a.title,
          textFormat: a.text,
          useValueForTime: false,
        })),
      ],
    },
    description: `ObservaStack ${SECTION_TITLES[section]} panels, generated from the panel catalog. Do not edit: run npm run dashboards.`,
    editable: false,
    graphTooltip: 1,
    links: [
      {
        asDropdown: true,
        includeVars: false,
        keepTime: true,
        tags: ['observastack'],
        title: 'ObservaStack',
        type: 'dashboards',
      },
    ],
    panels,
    refresh: '5s',
    schemaVersion: 39,
    tags: ['observastack', section],
    templating: { list: [] },
    time: { from: 'now-15m', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    title: `ObservaStack / ${SECTION_TITLES[section]}`,
    uid: dashboardUid(section),
    version: 1,
  };
}

/** Every dashboard file: name -> exact file content (deterministic). */
export function renderDashboards(): Map<string, string> {
  const ids = new Map<number, string>();
  for (const p of panelCatalog) {
    const n = grafanaPanelId(p.id);
    if (ids.has(n)) throw new Error(`Grafana panel id collision between ${ids.get(n)} and ${p.id}`);
    ids.set(n, p.id);
  }
  return new Map(panelSections.map((s) => [dashboardFileName(s), `${JSON.stringify(sectionDashboard(s), null, 2)}\n`]));
}
