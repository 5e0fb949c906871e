import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchFolderPerTest } from './scratch';

const root = path.resolve(__dirname, '..');

function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  );
}

/** Runs `npm run synth`'s command with the output sent to a scratch folder. */
function synthInto(outdir: string) {
  return spawnSync(process.execPath, ['--require', 'tsx/cjs', 'main.ts'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CDK8S_OUTDIR: outdir },
  });
}

describe('npm run synth', () => {
  const scratch = scratchFolderPerTest('synth-');

  test('the committed dist/ is exactly what a fresh synth writes', () => {
    const out = path.join(scratch(), 'dist');
    const run = synthInto(out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readTree(path.join(root, 'dist'))).toEqual(readTree(out));
  });

  test('prints each file it wrote, in name order, removes stale files and writes the same bytes every time', () => {
    const out = path.join(scratch(), 'dist');
    synthInto(out);
    const first = readTree(out);
    fs.writeFileSync(path.join(out, 'stale.yml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leftover\n');
    const run = synthInto(out);
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => path.basename(line)),
    ).toEqual(Object.keys(first));
    expect(readTree(out)).toEqual(first);
  });
});

describe('with Node.js alone', () => {
  const scratch = scratchFolderPerTest('node-alone-');
  // Where the run may create a network namespace (root, as in CI), it has no network at all.
  const unshare = spawnSync('sh', ['-c', 'command -v unshare'], { encoding: 'utf8' }).stdout.trim();
  const isolated = unshare !== '' && spawnSync(unshare, ['-n', 'true']).status === 0;

  test(`synthesizes the committed dist/ with no go, kubectl or npm on the PATH${isolated ? ' and no network' : ''}`, () => {
    const bin = scratch();
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const out = path.join(scratch(), 'dist');
    const [program, ...args] = isolated ? [unshare, '-n', process.execPath] : [process.execPath];
    const run = spawnSync(program, [...args, '--require', 'tsx/cjs', 'main.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: bin, HOME: scratch(), CDK8S_OUTDIR: out },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readTree(out)).toEqual(readTree(path.join(root, 'dist')));
  });
});
