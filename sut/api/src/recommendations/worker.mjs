// @ts-check
// Runs inside a worker thread of the recommendation pool (piscina). Plain module: no OpenTelemetry here; the
// main thread records the wait and compute spans from the times this returns.
// JavaScript, not TypeScript, so a thread loads no module hooks and no type stripper: 11.4 MB a thread instead of
// 13.7-14.1 MB with the type-stripped cache's hooks (18.9 MB with Node's own stripper), measured over a pool of 8
// (Pss, Node 22). A fixed incident's burst starts all eight. Type-checked through tsconfig's checkJs.

const productCount = 2000;
const dims = 32;
/** Scoring rounds per request: the real CPU part (~a few ms on one core). */
const rounds = 24;
/** The blocking part, as a native model-runtime call would block its thread (modelled with Atomics.wait). */
const blockingMs = 40;

const features = new Float32Array(productCount * dims);
for (let i = 0; i < features.length; i++) features[i] = Math.sin(i * 12.9898) * 0.5 + Math.cos(i * 0.37) * 0.5;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

const now = () => performance.timeOrigin + performance.now();

/**
 * @param {import('./recommend-task.ts').RecommendTask} task
 * @returns {import('./recommend-task.ts').RecommendResult}
 */
export default function recommend(task) {
  const startedAt = now();
  const q = new Float32Array(dims);
  const base = (task.productId - 1) * dims;
  for (let d = 0; d < dims; d++) q[d] = features[base + d];
  const scores = new Float32Array(productCount);
  for (let r = 0; r < rounds; r++) {
    for (let p = 0; p < productCount; p++) {
      let dot = 0;
      const off = p * dims;
      for (let d = 0; d < dims; d++) dot += q[d] * features[off + d];
      scores[p] += dot / (1 + r);
    }
    for (let d = 0; d < dims; d++) q[d] = q[d] * 0.9 + features[((r * 7919) % productCount) * dims + d] * 0.1;
  }
  Atomics.wait(sleeper, 0, 0, blockingMs);
  /** @type {number[]} */
  const ids = [];
  const taken = new Uint8Array(productCount);
  taken[task.productId - 1] = 1;
  for (let k = 0; k < task.limit; k++) {
    let best = -1;
    for (let p = 0; p < productCount; p++) if (!taken[p] && (best < 0 || scores[p] > scores[best])) best = p;
    taken[best] = 1;
    ids.push(best + 1);
  }
  return { productIds: ids, startedAt, finishedAt: now() };
}
