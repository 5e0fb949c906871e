import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectorTypoReport } from '../lib/docs';
import { allDocumentedFiles } from '../scripts/generated-docs';

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

// Each compared as a yes or no, so that a failure names the stale file instead of printing it whole.
test('the generated sections of the READMEs show the committed dist/ (npm run update rewrites them)', () => {
  const stale = allDocumentedFiles(root)
    .filter(({ current, expected }) => current !== expected)
    .map(({ file }) => path.relative(root, file));
  expect(stale).toEqual([]);
});

test("the checker README's example report is what a synth with a selector typo prints", () => {
  expect(selectorTypoReport(root)).toMatch(
    /^```text\n1 problem in the manifests:\n {2}error: dist\/homepage-service\.yml: Service\/homepage: spec\.selector: \[wiring\] selects no Pods/,
  );
});

// Generated sections (the diagram, the line counts) grow with the app; the prose around them may not.
test('the README stays a lesson: at most 200 lines of its own, the rest in the READMEs of the folders', () => {
  const own = readme.replace(/<!-- ([\w-]+):begin[^\n]*\n[\s\S]*?<!-- \1:end -->/g, '');
  expect(own.trimEnd().split('\n').length).toBeLessThanOrEqual(200);
  for (const folder of ['checker', 'e2e', 'bench', path.join('lib', 'synthesis')]) {
    expect(readme).toContain(`(${folder}/README.md)`);
    expect(fs.existsSync(path.join(root, folder, 'README.md'))).toBe(true);
  }
});
