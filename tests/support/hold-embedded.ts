// Starts (or finds) the embedded database of argv[2], prints its state, then waits to be killed.
import { ensureEmbedded } from '../../schema/index.ts';

const s = await ensureEmbedded(process.argv[2]);
console.log(JSON.stringify(s));
setInterval(() => undefined, 60_000);
