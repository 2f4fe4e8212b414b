import { cpus, totalmem } from 'node:os';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/** A calibration is measured again after this long: the machine, its load and the shop's code drift. */
export const calibrationMaxAgeMs = 7 * 24 * 3600 * 1000;

const machineSchema = z.object({ cpus: z.int(), cpuModel: z.string(), memGiB: z.number(), node: z.string() });
export type MachineFingerprint = z.infer<typeof machineSchema>;

export const calibrationSchema = z.object({
  version: z.literal(1),
  /** The highest rate (req/s, everyday journey mix) the shop served within the SLO on this machine. */
  capacityRps: z.int().min(0),
  /** Epoch milliseconds. */
  measuredAt: z.number(),
  /** probe: measured here; configured: given by OBS_CALIBRATION. */
  source: z.enum(['probe', 'configured']),
  machine: machineSchema,
  /** One-minute load average when the probe started: a busy machine measures lower, on purpose. */
  loadAvg1m: z.number().nullable(),
  steps: z.array(
    z.object({ rps: z.number(), successPct: z.number(), p95Ms: z.array(z.number().nullable()), passed: z.boolean() }),
  ),
});
export type Calibration = z.infer<typeof calibrationSchema>;

/** What identifies "this machine" for a calibration: a different CPU, memory size or Node.js measures anew. */
export function machineFingerprint(): MachineFingerprint {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node.split('.')[0],
  };
}

/** Why a stored calibration must be measured again, or null when it still holds. */
export function staleReason(c: Calibration, now = Date.now(), machine = machineFingerprint()): string | null {
  // Not even the first stair held: the machine was busy at that moment, not necessarily this slow.
  if (c.source === 'probe' && c.capacityRps === 0) return 'the last probe measured nothing (its first stair broke)';
  if (now - c.measuredAt > calibrationMaxAgeMs)
    return `measured ${Math.round((now - c.measuredAt) / 86_400_000)} days ago`;
  for (const k of Object.keys(machine) as (keyof MachineFingerprint)[]) {
    if (c.machine[k] !== machine[k]) return `the machine changed (${k}: ${c.machine[k]} -> ${machine[k]})`;
  }
  return null;
}

/** Reads a stored calibration; null when there is none. A damaged file is reported and treated as none. */
export async function readCalibration(
  file: string,
  warn: (msg: string) => void = () => {},
): Promise<Calibration | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    return calibrationSchema.parse(JSON.parse(text));
  } catch (err) {
    warn(`ignoring ${file}: not a calibration (${(err as Error).message.split('\n')[0]}); measuring again`);
    return null;
  }
}

/** Writes atomically (a crash mid-write leaves the old file, never half a file). */
export async function writeCalibration(file: string, c: Calibration): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(c, null, 2) + '\n');
  await rename(tmp, file);
}
