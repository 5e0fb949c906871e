import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeInput } from '../bench/validate';
import { runValidateCommand } from '../checker/command';
import { MAX_REPLICAS } from '../lib/constants';
import { inScratchFolder } from './scratch';

const root = path.resolve(__dirname, '..');
const fixtures = 'test/fixtures/broken';

/** Every line `npm run validate -- DIR` prints, in order, and its exit code. */
function validateOutput(dir: string, cwd = root): string {
  const lines: string[] = [];
  const code = runValidateCommand(
    [dir],
    { out: (line) => lines.push(`out: ${line}`), err: (line) => lines.push(`err: ${line}`) },
    // Each folder as the project's own (the rules of its dist/: its replica range, duplicates as errors).
    { cwd, defaultDir: dir, replicas: { min: 0, max: MAX_REPLICAS } },
  );
  return [...lines, `exit ${code}`].join('\n');
}

/** Pieces put into generated manifests: syntax errors, odd scalars, control characters, bad names. */
const PIECES = [
  ' ',
  '-',
  ': ',
  '#',
  '|',
  '"',
  "'",
  '\n',
  '\n  ',
  '{}',
  'null',
  'true',
  '~',
  '0x1F',
  '-0.0',
  '&a ',
  '*a',
  '\t',
  '\r',
  'é',
  'x: 1\n',
  'Bad_Name',
  'name: dup\n',
  '\u0007',
];

/** A set of 3,000 generated objects in files of 10, a third of the files broken at a seeded place. */
function writeBrokenSet(dir: string): void {
  writeInput(dir, { objects: 3000, layout: 'files of 10' });
  let seed = 7;
  const random = (below: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % below;
  };
  for (const file of fs.readdirSync(dir).sort()) {
    if (random(3) !== 0) {
      continue;
    }
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const at = random(text.length);
    fs.writeFileSync(
      path.join(dir, file),
      text.slice(0, at) + PIECES[random(PIECES.length)] + text.slice(at + random(3)),
    );
  }
}

// What validate prints is part of its interface: CI logs are read and compared. A change in any
// finding, its order or its wording shows here as a snapshot difference to be reviewed.
describe('findings, byte for byte', () => {
  test.each(fs.readdirSync(path.join(root, fixtures)).sort())('on the %s fixture', (name) => {
    expect(validateOutput(`${fixtures}/${name}`)).toMatchSnapshot();
  });

  test('on 3,000 generated objects with a third of their files broken', () => {
    inScratchFolder('findings-', (parent) => {
      writeBrokenSet(path.join(parent, 'set'));
      const output = validateOutput('set', parent);
      expect(output).toMatch(/set: 300 files, \d+ objects: \d{2,} errors/);
      expect(output).toMatchSnapshot();
    });
  });
});
