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

  test('prints each file it wrote, removes stale files and writes the same bytes every time', () => {
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
    ).toEqual(['homepage-pod.yml', 'homepage-service.yml', 'sleep.yml']);
    expect(readTree(out)).toEqual(first);
  });
});
