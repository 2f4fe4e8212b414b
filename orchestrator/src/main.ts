// `npm start`: the whole platform on embedded defaults, ready at http://127.0.0.1:4000.
import { loadOrchestratorEnv } from './config.ts';
import { startPlatform } from './platform/platform.ts';
import { BootError } from './boot/preflight.ts';
import { onShutdownSignal } from '@observastack/sut-common/launcher/shutdown-signals.ts';

const env = loadOrchestratorEnv();
const t0 = performance.now();
console.log('ObservaStack is starting…');
try {
  const platform = await startPlatform(env);
  console.log(`\nReady in ${((performance.now() - t0) / 1000).toFixed(1)} s: open ${platform.url}  (Ctrl-C stops everything)`);
  onShutdownSignal(async (signal) => {
    console.log(`\n${signal}: stopping the platform…`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await platform.stop();
    console.log('stopped.');
    process.exit(0);
  });
} catch (err) {
  if (err instanceof BootError) console.error(`\nCannot start: ${err.message}`);
  else console.error('\nCannot start:', err);
  process.exit(1);
}
