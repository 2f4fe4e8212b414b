import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS_DIR, REGENERATE_COMMAND } from '../src/telemetry/catalog/generate-dashboards.ts';
import { grafanaPanelRef, renderDashboards } from '../src/telemetry/catalog/grafana-dashboard.ts';
import { panelCatalog } from '../src/telemetry/catalog/index.ts';

describe('generated Grafana dashboards', () => {
  it('are up to date with the panel catalog', async () => {
    const expected = renderDashboards();
    const onDisk = (await readdir(DASHBOARDS_DIR))
      .filter((f) => f.startsWith('observastack-') && f.endsWith('.json'))
      .sort();
    expect(onDisk, `dashboard files differ; run ${REGENERATE_COMMAND}`).toEqual([...expected.keys()].sort());
    for (const [name, content] of expected) {
      const actual = await readFile(join(DASHBOARDS_DIR, name), 'utf8');
      expect(actual === content, `${name} is stale; run ${REGENERATE_COMMAND}`).toBe(true);
    }
  });

  it('render deterministically, with stable uids and fixed datasource uids', () => {
    const a = renderDashboards();
    expect(renderDashboards()).toEqual(a);
    const all = [...a.values()].map((c) => JSON.parse(c));
    expect(all.map((d) => d.uid)).toEqual([
      'observastack-users',
      'observastack-gateway',
      'observastack-api',
      'observastack-inventory',
      'observastack-database',
      'observastack-runtime',
    ]);
    const panels = all.flatMap((d) => d.panels);
    expect(panels).toHaveLength(panelCatalog.length);
    expect(new Set(panels.map((p) => p.datasource.uid))).toEqual(new Set(['prometheus', 'loki', 'tempo']));
    for (const d of all) expect(d.schemaVersion).toBeGreaterThanOrEqual(39);
    const ref = grafanaPanelRef(panelCatalog[0]);
    const dash = all.find((d) => d.uid === ref.dashboardUid);
    expect(dash.panels.find((p: { id: number }) => p.id === ref.panelId).title).toBe(panelCatalog[0].title);
  });
});
