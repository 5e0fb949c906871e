import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const main = fs.readFileSync(path.join(root, 'main.ts'), 'utf8');

// Counts are left out of the comparison: a user who sets 3 replicas as the README says keeps a green suite.
test('the README shows the lines of main.ts where replica counts are set, whatever the counts', () => {
  const section = readme.slice(readme.indexOf('## Changing the lesson'));
  const shown = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(shown).toMatch(/homepage: \{ replicas: \d+ \}/);
  const anyCount = (text: string) => text.replace(/replicas: \d+/g, 'replicas: N');
  expect(anyCount(main)).toContain(anyCount(shown!));
});

test('the README names every npm script package.json offers', () => {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const missing = Object.keys(scripts).filter((name) => name !== 'test' && !readme.includes(`npm run ${name}`));
  expect(missing).toEqual([]);
});

test('the README states the line count of every file in dist/', () => {
  const distDir = path.join(root, 'dist');
  for (const file of fs.readdirSync(distDir)) {
    const lines = fs.readFileSync(path.join(distDir, file), 'utf8').trimEnd().split('\n').length;
    expect(readme).toMatch(new RegExp(`\\| \`${file.replace('.', '\\.')}\` \\| \\d+ lines \\| ${lines} lines \\|`));
  }
});

test('the checker README shows the report a broken selector gives, exactly as synth prints it', () => {
  const checkerReadme = fs.readFileSync(path.join(root, 'checker', 'README.md'), 'utf8');
  const after = checkerReadme.slice(checkerReadme.indexOf('(`test/fixtures/apps/selector-typo.ts`)'));
  const shown = /```text\n([\s\S]*?)```/.exec(after)?.[1];
  expect(shown).toMatch(/^1 problem in the manifests:\n {2}error: dist\/homepage-service\.yml: /);
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'test/fixtures/apps/selector-typo.ts'], {
    cwd: root,
    encoding: 'utf8',
    // The outdir is never written: the synth stops at validation.
    env: { ...process.env, CDK8S_OUTDIR: 'dist' },
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toBe(shown);
});
