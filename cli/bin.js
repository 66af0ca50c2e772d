#!/usr/bin/env node
// The meterflow command. TypeScript sources run through tsx's loader, so there is no build step.
import { register } from 'tsx/esm/api';

register();
// Output piped into `head` or a pager that quits: the reader has what it wanted, end quietly.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const { main } = await import('./main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A command that has finished must end even if a library left a handle open (a socket of a
// peer that went away, a timer); give pending output two seconds to drain first. The timer is
// unref'd, so it fires only when something else still holds the process: MF_DEBUG=1 names it.
setTimeout(() => {
  if (process.env.MF_DEBUG) process.stderr.write(`meterflow: still open after the command ended: ${process.getActiveResourcesInfo().join(', ')}\n`);
  process.exit(code);
}, 2000).unref();
