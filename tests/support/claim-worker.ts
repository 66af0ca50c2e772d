// A worker process for the task tests: claims until nothing is left, "works" a little, completes,
// and prints every task id it completed as JSON.
import { openDatabase } from '../../schema/index.ts';
import { claimWork, completeWork } from '../../calc-engine/tasks/index.ts';

const [url, worker, startAt] = process.argv.slice(2) as [string, string, string];
const h = await openDatabase({ url, migrate: false, poolSize: 2 });
// Both workers begin at the same instant, however long each took to start.
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
const done: string[] = [];
for (;;) {
  const work = await claimWork(h, { worker, limit: 40 });
  if (work.length === 0) break;
  await new Promise((r) => setTimeout(r, 20));
  const ids = work.flatMap((w) => w.taskIds);
  const n = await completeWork(h, worker, ids);
  if (n !== ids.length) throw new Error(`completed ${n} of ${ids.length}`);
  done.push(...ids);
}
console.log(JSON.stringify(done));
await h.close();
