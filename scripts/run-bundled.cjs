// Runs a TypeScript entry point as one JavaScript file that esbuild bundles from it, kept in
// node_modules/.cache/bundled/ and built again whenever a file it was built from changes.
//
// `npm run validate` is a command people run on every change and in CI, often on a few files:
// there, starting tsx (its require hooks, esbuild's loader, one compiled module after another)
// took a third of the run. The bundle starts like any plain script. Plain JavaScript, because it
// runs before anything can compile TypeScript.
//
// usage: node scripts/run-bundled.cjs ENTRY.ts [ARGS...]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [entryArgument] = process.argv.splice(2, 1);
if (!entryArgument) {
  console.error('usage: node scripts/run-bundled.cjs ENTRY.ts [ARGS...]');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const entry = path.resolve(entryArgument);
const cacheDir = process.env.RUN_BUNDLED_CACHE ?? path.join(root, 'node_modules', '.cache', 'bundled');
const name = path.relative(root, entry).replace(/[\\/]/g, '_').replace(/\.ts$/, '');
const bundle = path.join(cacheDir, `${name}.js`);
const inputsFile = path.join(cacheDir, `${name}.inputs.json`);

/** Whether the bundle was built from the files as they are now: each input's size and modification time. */
function isFresh() {
  let inputs;
  try {
    inputs = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
    fs.accessSync(bundle);
  } catch {
    return false;
  }
  return inputs.every(({ file, size, mtimeMs }) => {
    try {
      const stat = fs.statSync(file);
      return stat.size === size && stat.mtimeMs === mtimeMs;
    } catch {
      return false;
    }
  });
}

/** Bundles the entry; false when esbuild cannot, and the entry is then run through tsx. */
function build() {
  let esbuild;
  try {
    esbuild = require('esbuild');
  } catch {
    return false;
  }
  const staging = `${bundle}.${process.pid}`;
  const result = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: staging,
    metafile: true,
    absWorkingDir: root,
    logLevel: 'error',
  });
  // The inputs' states are read before the bundle is renamed into place: a file changed while
  // it was being built makes the next run build again.
  const inputs = Object.keys(result.metafile.inputs).map((input) => {
    const file = path.resolve(root, input);
    const { size, mtimeMs } = fs.statSync(file);
    return { file, size, mtimeMs };
  });
  // Written aside and renamed, so that a concurrent run never reads half a bundle.
  fs.writeFileSync(`${inputsFile}.${process.pid}`, JSON.stringify(inputs));
  fs.renameSync(staging, bundle);
  fs.renameSync(`${inputsFile}.${process.pid}`, inputsFile);
  return true;
}

/** Whether the bundle is there to run: fresh, or built now. A cache that cannot be written is no error. */
function bundleReady() {
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    return isFresh() || build();
  } catch (error) {
    // esbuild's own failures (the entry does not compile) are reported as they are.
    if (Array.isArray(error?.errors)) {
      throw error;
    }
    return false;
  }
}

if (bundleReady()) {
  process.argv[1] = bundle;
  require(bundle);
} else {
  process.argv[1] = entry;
  require('tsx/cjs');
  require(entry);
}
