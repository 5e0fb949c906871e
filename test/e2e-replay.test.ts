import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { lineBefore, MOMENTS } from '../e2e/kill-drill';
import { HOMEPAGE_LABELS, REPLAY_STEPS } from '../e2e/replay-steps';
import { isRunning, processStart, readRunState } from '../e2e/run-state';

const root = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

describe('the replay steps', () => {
  it("follow the README's lesson: its kubectl commands come in the same order in the steps' names", () => {
    const readme = read('README.md');
    const lesson = readme.slice(readme.indexOf('## The lesson, step by step'));
    const section = lesson.slice(0, lesson.indexOf('\n## ', 1));
    // Step names write the homepage Pods' selector as a placeholder, whatever labels the Pods carry.
    const commands = [...new Set([...section.matchAll(/^\s*(kubectl .+)$/gm)].map((m) => m[1].trim()))].map((command) =>
      command.replace(/(--selector|-l) \S+/, `$1 ${HOMEPAGE_LABELS}`),
    );
    // Commands that only show what a learner looks at, with nothing a step could assert beyond its neighbours.
    const lookOnly = commands.filter((command) => / -o wide$/.test(command));
    const replayed = commands
      .filter((command) => !lookOnly.includes(command))
      .map((command) => ({ command, step: REPLAY_STEPS.findIndex((step) => step.name.includes(command)) }));
    expect(replayed.filter(({ step }) => step < 0)).toEqual([]);
    const steps = replayed.map(({ step }) => step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(replayed.length).toBeGreaterThanOrEqual(10);
  });

  it('each have a name, a time and both halves', () => {
    for (const step of REPLAY_STEPS) {
      expect(step.seconds).toBeGreaterThan(0);
      expect(typeof step.run).toBe('function');
      expect(typeof step.expect).toBe('function');
    }
    expect(new Set(REPLAY_STEPS.map((step) => step.name)).size).toBe(REPLAY_STEPS.length);
  });
});

describe('the kill drill', () => {
  it.each(Object.keys(MOMENTS))('finds the step before %s, whose report line starts it', (name) => {
    const pattern = lineBefore(MOMENTS[name]);
    const index = REPLAY_STEPS.findIndex((step) => step.name.includes(MOMENTS[name].step));
    expect(pattern.test(`  ✓ ${REPLAY_STEPS[index - 1].name} (0.4 s)`)).toBe(true);
    expect(pattern.test(`  ✗ ${REPLAY_STEPS[index - 1].name}`)).toBe(false);
  });
});

describe("a run's state file", () => {
  it('tells this process from a later one given the same id by the start time', () => {
    const start = processStart(process.pid);
    expect(start).toMatch(/^\d+$/);
    expect(isRunning({ pid: process.pid, pidStart: start! })).toBe(true);
    expect(isRunning({ pid: process.pid, pidStart: `${Number(start) + 1}` })).toBe(false);
    expect(isRunning(undefined)).toBe(false);
  });

  it('is refused, naming the file, when it is not one', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'run-state-')), '1.json');
    fs.writeFileSync(file, '{"pid": 1}');
    expect(() => readRunState(file)).toThrow(`${file} is not a run's state file: pid, work or netns missing`);
    fs.rmSync(path.dirname(file), { recursive: true });
  });
});

describe('the code of e2e/', () => {
  it('has no function longer than 80 lines', () => {
    const long: string[] = [];
    for (const file of fs.readdirSync(path.join(root, 'e2e')).filter((name) => name.endsWith('.ts'))) {
      const source = ts.createSourceFile(file, read(`e2e/${file}`), ts.ScriptTarget.ES2022, true);
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const lines = source.getLineAndCharacterOfPosition(node.end).line - first + 1;
          if (lines > 80) {
            long.push(`e2e/${file}:${first + 1} ${lines} lines`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(long).toEqual([]);
  });
});
