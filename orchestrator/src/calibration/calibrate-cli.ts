// `npm run calibrate`: measures what this machine can serve and keeps it in the data folder, where `npm start`
// reads it (docs/scenario-guide.md, "Load on every machine"). Run it again after closing busy programs, or on a
// new machine; `npm start` also measures by itself when the stored calibration is missing or a week old.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { builtInScenariosDir } from '../scenarios/loader.ts';
import { startHeadlessPlatform } from '../verify/headless-platform.ts';
import { writeCalibration } from './calibration-file.ts';

const { values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log(
    'usage: npm run calibrate\n' +
      'Boots the shop headless on free ports, drives it with stairs of rising load until one breaks the SLO (about 50 s),\n' +
      'and writes the highest rate that held to <OBS_DATA_DIR>/calibration.json (default .observastack/).',
  );
  process.exit(0);
}

const file = resolve(process.env.OBS_DATA_DIR ?? '.observastack', 'calibration.json');
console.log('booting the shop headless (embedded PostgreSQL in a temp folder)…');
const h = await startHeadlessPlatform({ scenariosDir: builtInScenariosDir, write: (line) => console.log(line) });
let code = 1;
try {
  const c = await h.platform.calibrator.measure();
  if (!c || c.source !== 'probe') {
    console.error('calibration: the probe did not complete');
  } else if (c.capacityRps === 0) {
    console.error(
      'calibration: the shop did not hold its SLO even at the first stair (100 req/s); is another heavy program running?',
    );
  } else {
    await writeCalibration(file, c);
    console.log(`written to ${file}`);
    code = 0;
  }
} finally {
  await h.stop();
}
process.exit(code);
