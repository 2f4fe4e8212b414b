// Preloaded with `--import` by the orchestrator (`npm start`), every shop service and their worker threads:
// serves each of the platform's .ts modules from the cache strip-types.mjs wrote, so Node never instantiates
// its type stripper in this thread (~15 MB per process, ~5 MB per worker thread; see strip-types.mjs). A file
// not in the cache (edited since, or no cache at all) loads exactly as it would without this hook.
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';
import { entryFor } from './ts-cache.mjs';

registerHooks({
  load(url, context, nextLoad) {
    if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
    let source;
    try {
      source = readFileSync(entryFor(readFileSync(fileURLToPath(url), 'utf8')), 'utf8');
    } catch {
      return nextLoad(url, context);
    }
    return { format: 'module', source, shortCircuit: true };
  },
});
