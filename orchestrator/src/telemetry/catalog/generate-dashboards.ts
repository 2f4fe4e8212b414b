/** Writes the Grafana dashboards generated from the panel catalog: `npm run dashboards`. */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { renderDashboards } from './grafana-dashboard.ts';

export const DASHBOARDS_DIR = fileURLToPath(new URL('../../../../stack/grafana/dashboards/', import.meta.url));
export const REGENERATE_COMMAND = 'npm run dashboards';

export async function writeDashboards(dir = DASHBOARDS_DIR): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of renderDashboards()) {
    await writeFile(join(dir, name), content);
    written.push(name);
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const names = await writeDashboards();
  console.log(`wrote ${names.length} dashboards to ${DASHBOARDS_DIR}: ${names.join(', ')}`);
}
