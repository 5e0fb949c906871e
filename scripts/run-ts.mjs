#!/usr/bin/env node
// Runs a TypeScript entry point in this process: esbuild strips the types in
// memory (no type-checking, no output files, no second process), and the
// bundle's imports of installed packages resolve from node_modules as usual.
// Type-checking belongs to `npm run typecheck`, run by the tests and CI.
//
// Usage: node scripts/run-ts.mjs <entry.ts> [args...]
import { buildSync } from 'esbuild';
import Module from 'node:module';
import path from 'node:path';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
const filename = path.resolve(entry);
process.argv = [process.argv[0], filename, ...args];
process.setSourceMapsEnabled(true);

try {
  const { outputFiles } = buildSync({
    entryPoints: [filename],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    write: false,
    logLevel: 'silent',
  });
  const main = new Module(filename);
  main.filename = filename;
  main.paths = Module._nodeModulePaths(path.dirname(filename));
  main._compile(outputFiles[0].text, filename);
} catch (error) {
  const detail = process.env.DEBUG ? error?.stack : error?.message;
  console.error(`${path.relative(process.cwd(), filename)}: ${detail ?? error}`);
  process.exitCode = 1;
}
