/** `meterflow demo`: what `npm start` runs on embedded defaults. */
import { runDemo } from '../demo/run.ts';
import { EXIT, UsageError, type Command } from '../command.ts';
import { dataDirOf, dataDirOption } from './shared.ts';

const demoCmd: Command = {
  path: ['demo'],
  summary: 'A simulated substation from meters to statements: collect (TCP, serial, MQTT), backfill, compute, settle, report.',
  options: {
    ...dataDirOption,
    out: { type: 'string', description: 'where exports, ground truth and report.json go', default: 'out/demo' },
    speed: { type: 'string', description: 'simulated seconds per wall second in the live window', default: '300' },
    serve: { type: 'boolean', description: 'keep simulators and collector running after the report until Ctrl-C', default: false },
  },
  async run(_, o) {
    const speed = Number(o.speed);
    if (!(speed > 0 && speed <= 3600)) throw new UsageError(`--speed ${String(o.speed)}: expected a number of simulated seconds per second, 1 to 3600`);
    const started = Date.now();
    const report = await runDemo({ dataDir: dataDirOf(o), outDir: o.out as string, speed, serve: o.serve === true, say: (l) => console.log(l) });
    const g = report.groundTruth;
    console.log(`demo finished in ${((Date.now() - started) / 1000).toFixed(0)} s; the embedded database keeps running for other meterflow processes (stop it with \`npx meterflow db stop\`)`);
    if (g.missingCount > 0 || g.mismatchedCount > 0) {
      console.error(`demo: ${g.missingCount} interval records missing and ${g.mismatchedCount} different from the ground truth, e.g. ${[...g.missing, ...g.mismatched].slice(0, 3).join('; ')}`);
      return EXIT.failed;
    }
    return EXIT.ok;
  },
};

/** The `demo` command. */
export const demoCommands: Command[] = [demoCmd];
