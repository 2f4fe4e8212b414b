// Writes the type-stripped JavaScript of the platform's runtime TypeScript into the cache that
// ts-cache-hooks.mjs serves it from. Run before the processes start (`npm start`, and startSut before it
// spawns the shop services). Why: Node strips types with a WebAssembly build of swc that it instantiates in
// every thread that loads a .ts file, ~15 MB in each process and ~5 MB in each worker thread (measured,
// docs/performance.md); stripping everything once here, in a process that then exits, spares them all.
// Only files whose text changed are stripped again; entries no source has any more are removed.
// Plain JavaScript on purpose: it runs before any TypeScript may be loaded.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { basename, join } from 'node:path';
import { cacheDir, entryFor, repoRoot, runtimeSourceDirs } from './ts-cache.mjs';

function* tsFiles(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'test' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* tsFiles(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) yield path;
  }
}

// Node flags stripTypeScriptTypes as experimental on every first use; the loader uses the same stripper
// silently, so the warning says nothing to someone starting the platform.
process.emitWarning = () => {};
const t0 = performance.now();
mkdirSync(cacheDir, { recursive: true });
const keep = new Set();
let stripped = 0;
for (const dir of runtimeSourceDirs)
  for (const file of tsFiles(join(repoRoot, dir))) {
    const source = readFileSync(file, 'utf8');
    const entry = entryFor(source);
    keep.add(basename(entry));
    if (existsSync(entry)) continue;
    // Written aside and renamed: a process starting meanwhile reads a whole entry or none.
    const tmp = join(cacheDir, `.tmp-${process.pid}-${basename(entry)}`);
    try {
      // 'strip' blanks the types out: lines and columns stay put, so stack traces need no source map.
      writeFileSync(tmp, stripTypeScriptTypes(source, { mode: 'strip' }));
      renameSync(tmp, entry);
      stripped++;
    } catch (err) {
      // Not cacheable (syntax Node would reject anyway, say): the file loads through Node's own stripper.
      rmSync(tmp, { force: true });
      if (process.argv.includes('--verbose')) console.warn(`${file}: ${err.message}`);
    }
  }
for (const name of readdirSync(cacheDir))
  if (!keep.has(name) && !name.startsWith('.tmp-')) rmSync(join(cacheDir, name), { force: true });
if (process.argv.includes('--verbose'))
  console.log(`${keep.size} TypeScript files, ${stripped} stripped anew, in ${Math.round(performance.now() - t0)} ms`);
