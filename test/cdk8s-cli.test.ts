import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readFolder, root } from './synth-process';

// `npx cdk8s synth` with the project's own cdk8s.yaml, run in a scratch copy
// of the project so that the project's dist/ is never at stake.

const LEFT_OUT = new Set(['node_modules', '.git', 'e2e', 'dist', 'coverage']);

let project: string;
beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-cli-'));
  for (const entry of fs.readdirSync(root)) {
    if (!LEFT_OUT.has(entry) && !entry.startsWith('.')) {
      fs.cpSync(path.join(root, entry), path.join(project, entry), { recursive: true });
    }
  }
  fs.cpSync(path.join(root, 'dist'), path.join(project, 'dist'), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(project, 'node_modules'), 'dir');
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

function cdk8sSynth() {
  // CDK8S_OUTDIR and SYNTH_PUBLISH_DIR must come from cdk8s.yaml alone.
  const { CDK8S_OUTDIR: _outdir, SYNTH_PUBLISH_DIR: _publish, ...env } = process.env;
  return spawnSync(path.join(root, 'node_modules', '.bin', 'cdk8s'), ['synth', '--check-upgrade', 'false'], {
    cwd: project,
    encoding: 'utf8',
    env,
  });
}

/** cdk8s.yaml's output folder, which the CLI empties before every run. */
function cliOutput(): string {
  const output = /^output:\s*(\S+)\s*$/m.exec(fs.readFileSync(path.join(project, 'cdk8s.yaml'), 'utf8'))?.[1];
  expect(output).toBeDefined();
  expect(path.resolve(project, output!)).not.toBe(path.join(project, 'dist'));
  return path.join(project, output!);
}

test('npx cdk8s synth with a failing app exits non-zero and leaves dist/ byte-identical', () => {
  const main = path.join(project, 'main.ts');
  const source = fs.readFileSync(main, 'utf8');
  expect(source).toMatch(/homepage: \{ replicas: \d+ \}/);
  fs.writeFileSync(main, source.replace(/homepage: \{ replicas: \d+ \}/, 'homepage: { replicas: -1 }'));
  const before = readFolder(path.join(project, 'dist'));
  const run = cdk8sSynth();
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain("prop 'replicas' must be a whole number from 0 to 20, got -1");
  expect(readFolder(path.join(project, 'dist'))).toEqual(before);
}, 60_000);

test('npx cdk8s synth publishes dist/ as npm run synth does, copies it into its own output folder, and lists no .yml file', () => {
  fs.rmSync(path.join(project, 'dist'), { recursive: true });
  const run = cdk8sSynth();
  expect(run.status).toBe(0);
  expect(readFolder(path.join(project, 'dist'))).toEqual(readFolder(path.join(root, 'dist')));
  expect(readFolder(cliOutput())).toEqual(readFolder(path.join(root, 'dist')));
  expect(run.stderr).toContain('No manifests synthesized');
}, 60_000);
