#!/usr/bin/env node
// Runs a TypeScript entry point in this process: esbuild strips the types
// (no type-checking, no output next to the sources), and the bundle's imports
// of installed packages resolve from node_modules as usual. Type-checking
// belongs to `npm run typecheck`, run by the tests and CI.
//
// The bundle is kept under node_modules/.cache/run-ts with the size and
// modification time of every file it was built from, so an unchanged entry
// point runs without starting esbuild at all.
//
// Usage: node scripts/run-ts.mjs <entry.ts> [args...]
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
const filename = path.resolve(entry);
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheBase = path.join(projectRoot, 'node_modules', '.cache', 'run-ts',
  createHash('sha256').update(filename).digest('hex').slice(0, 16));
process.argv = [process.argv[0], filename, ...args];
process.setSourceMapsEnabled(true);

const fingerprint = (file) => {
  const stat = fs.statSync(file);
  return `${stat.size}:${stat.mtimeMs}`;
};

function cachedBundle() {
  try {
    const { inputs } = JSON.parse(fs.readFileSync(`${cacheBase}.json`, 'utf8'));
    const fresh = Object.entries(inputs).every(([file, print]) => fingerprint(file) === print);
    return fresh ? fs.readFileSync(`${cacheBase}.js`, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

async function freshBundle() {
  const { buildSync } = await import('esbuild');
  const { outputFiles, metafile } = buildSync({
    entryPoints: [filename],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    metafile: true,
    absWorkingDir: projectRoot,
    write: false,
    logLevel: 'silent',
  });
  const code = outputFiles[0].text;
  const sources = [...Object.keys(metafile.inputs).map((input) => path.resolve(projectRoot, input)),
    path.join(projectRoot, 'tsconfig.json')];
  try {
    fs.mkdirSync(path.dirname(cacheBase), { recursive: true });
    const inputs = Object.fromEntries(sources.map((file) => [file, fingerprint(file)]));
    fs.writeFileSync(`${cacheBase}.js.${process.pid}`, code);
    fs.renameSync(`${cacheBase}.js.${process.pid}`, `${cacheBase}.js`);
    fs.writeFileSync(`${cacheBase}.json.${process.pid}`, JSON.stringify({ inputs }));
    fs.renameSync(`${cacheBase}.json.${process.pid}`, `${cacheBase}.json`);
  } catch {
    // Without a writable cache the next run builds again; nothing else changes.
  }
  return code;
}

try {
  const code = cachedBundle() ?? await freshBundle();
  const main = new Module(filename);
  main.filename = filename;
  main.paths = Module._nodeModulePaths(path.dirname(filename));
  main._compile(code, filename);
} catch (error) {
  const detail = process.env.DEBUG ? error?.stack : error?.message;
  console.error(`${path.relative(process.cwd(), filename)}: ${detail ?? error}`);
  process.exitCode = 1;
}
