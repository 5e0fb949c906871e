#!/usr/bin/env node
import { runValidateCommand } from './command';

// `manifest-checker [PATH...] [options]`: with no path, the `dist` folder cdk8s writes to.
process.exitCode = runValidateCommand(
  process.argv.slice(2),
  { out: (line) => console.log(line), err: (line) => console.error(line) },
  { commandName: 'manifest-checker', defaultDir: 'dist' },
);
