/** Child process for the kill -9 test: appends numbered batches forever, printing each acknowledged one. */
import { Spool } from '../../../collector/index.ts';

const path = process.argv[2]!;
const { spool } = await Spool.open(path);
for (let n = 0; ; n++) {
  const rows = Array.from({ length: 50 }, (_, i) => ({
    pointId: `p${i}`,
    ts: new Date(n * 900_000),
    source: 'poll' as const,
    values: Array.from({ length: 20 }, (_, k) => n * 1000 + k),
  }));
  await spool.append(rows);
  process.stdout.write(`${n}\n`);
}
