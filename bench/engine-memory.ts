/**
 * Memory of the bulk recompute alone, in a process of its own: `recomputeBulk` over October for
 * the first P points of a benchmark database kept by `bench/engine.ts --keep`, with chunks of C
 * snapshots (checks on, replacing the rows already there). Peak RSS comes from the caller:
 *
 *   /usr/bin/time -f %M node --import tsx bench/engine-memory.ts <database url> <points> <chunk>
 */
import { openDatabase } from '../schema/index.ts';
import { recomputeBulk } from '../calc-engine/store/index.ts';

const [url, points = '1000', chunk = '300000'] = process.argv.slice(2);
if (!url) throw new Error('usage: bench/engine-memory.ts <database url> [points] [snapshots per chunk]');
const h = await openDatabase({ url, migrate: false });
const ids = (await h.db.selectFrom('metering_point').select('id').orderBy('id').execute()).map((r) => r.id).slice(0, Number(points));
const from = new Date('2026-09-30T22:00:00Z'), to = new Date('2026-10-31T23:00:00Z');
const t = performance.now();
await recomputeBulk(h, ids.map((pointId) => ({ pointId, from, to })), { chunkSnapshots: Number(chunk) });
console.log(`${ids.length} points, chunks of ${chunk} snapshots: ${((performance.now() - t) / 1000).toFixed(1)} s`);
await h.close();
