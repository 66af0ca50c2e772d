/**
 * In-memory kernel rate: snapshots per second per core for `runKernel` with every
 * interval-level check on. Synthetic but realistic data (monotone registers, tier split by
 * hour, a few gaps and wraps). Run: `npx tsx bench/engine-kernel.ts [rows] [snapshots] [repeats]`.
 */
import { runKernel, type KernelChunk } from '../calc-engine/index.ts';

const rows = Number(process.argv[2] ?? 256);
const snaps = Number(process.argv[3] ?? 2977); // 31 days × 96 intervals + 1
const repeats = Number(process.argv[4] ?? 10);

function chunk(): KernelChunk {
  // The engine's 32-bit layout (kernel-values.ts) with bases 0: these readings fit as they are.
  const values = new Int32Array(rows * snaps * 20);
  const present = new Uint8Array(rows * snaps).fill(1);
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let r = 0; r < rows; r++) {
    const reg = new Float64Array(20);
    for (let d = 0; d < 4; d++) reg[d * 5] = Math.floor(rnd() * 9e7);
    for (let s = 0; s < snaps; s++) {
      const tier = 1 + ((s >> 4) & 3);
      for (let d = 0; d < 4; d++) {
        const inc = Math.floor(rnd() * (d === 0 ? 400 : 40));
        reg[d * 5] = (reg[d * 5]! + inc) % 1e8;
        reg[d * 5 + tier] = reg[d * 5 + tier]! + inc;
      }
      values.set(reg, (r * snaps + s) * 20);
      if (rnd() < 0.001) present[r * snaps + s] = 0;
    }
  }
  return {
    rows, snapshots: snaps, values, present,
    capacity: new Float64Array(rows).fill(1e8),
    maxSteps: new Float64Array(rows).fill(10_000),
    importOnly: new Uint8Array(rows).fill(1),
    carriesLoad: new Uint8Array(rows).fill(1),
  };
}

const c = chunk();
let out = runKernel(c);
const total = rows * snaps;
const rates: number[] = [];
for (let i = 0; i < repeats; i++) {
  const t0 = process.hrtime.bigint();
  out = runKernel(c, undefined, out);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  rates.push(total / s);
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)]!;
console.log(`kernel: ${rows} rows × ${snaps} snapshots × 20 registers, ${repeats} runs`);
console.log(`median ${(median / 1e6).toFixed(1)} M snapshots/s per core (best ${(rates[rates.length - 1]! / 1e6).toFixed(1)} M/s)`);
