#!/usr/bin/env node
// The `kubemu` executable.
import { runCli } from './cli.js';
import { processIO } from './io.js';

runCli(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kubemu: ${String((err as Error)?.stack ?? err)}\n`);
    process.exitCode = 1;
  },
);
