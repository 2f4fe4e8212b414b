// `npm start`: the whole platform on embedded defaults, ready at http://127.0.0.1:4000.
import { loadOrchestratorEnv } from './config.ts';
import { startPlatform } from './platform/platform.ts';
import { BootError } from './boot/preflight.ts';
import { onShutdownSignal } from '@observastack/sut-common/launcher/shutdown-signals.ts';

const env = loadOrchestratorEnv();
const t0 = performance.now();
console.log('ObservaStack is starting…');
// Stack mode owns no children and writes nothing: a stop signal while it boots (e.g. waiting for the database)
// simply ends the process. As a container's PID 1, Node would otherwise ignore SIGTERM until it is killed.
if (env.OBS_MODE === 'stack')
  onShutdownSignal((signal) => {
    console.log(`${signal} while starting: stopped.`);
    process.exit(0);
  });
try {
  const platform = await startPlatform(env);
  console.log(
    `\nReady in ${((performance.now() - t0) / 1000).toFixed(1)} s: open ${platform.url}  (Ctrl-C stops everything)`,
  );
  // Like Jupyter's token URL: through a public URL a browser needs the learner key, taken once from ?key=.
  for (const u of platform.keyUrls) console.log(`Public URL (needs the learner key, keep it private): ${u}`);
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
