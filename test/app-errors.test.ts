import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManifestValidationError } from '../checker/validate';
import { describeAppError, PublishError } from '../lib/synthesis';
import { root, runSynth, synthCommand } from './synth-process';

describe('an error that stops the app keeps its place', () => {
  test('a TypeError inside a construct prints its type, message and project frames, and exits 1', () => {
    const run = runSynth('test/fixtures/apps/type-error.ts', '/nonexistent');
    expect(run.status).toBe(1);
    const [heading, ...frames] = run.stderr.trim().split('\n');
    expect(heading).toBe("TypeError: Cannot read properties of undefined (reading 'port')");
    expect(frames[0]).toBe(
      `    at new BrokenService (${path.join('test', 'fixtures', 'apps', 'type-error.ts')}:15:35)`,
    );
    expect(
      frames.filter((frame) => frame.endsWith(`${path.join('test', 'fixtures', 'apps', 'type-error.ts')}:21:1)`)),
    ).toHaveLength(1);
    expect(frames.filter((frame) => /node_modules|node:/.test(frame))).toEqual([]);
  }, 30_000);

  const fakeStack = (frames: string[]) => {
    const error = new RangeError('out of range');
    error.stack = ['RangeError: out of range', ...frames].join('\n');
    return error;
  };

  test('frames outside the project are left out, paths shown relative to the working directory', () => {
    const error = fakeStack([
      '    at Object.check (/project/node_modules/cdk8s/lib/chart.js:10:5)',
      '    at new Thing (/project/lib/thing.ts:7:11)',
      '    at Module._compile (node:internal/modules/cjs/loader:1554:14)',
      '    at file:///project/main.ts:3:1',
    ]);
    expect(describeAppError(error, '/project')).toBe(
      'RangeError: out of range\n    at new Thing (lib/thing.ts:7:11)\n    at main.ts:3:1',
    );
  });

  test('with no frame in the project, every frame is shown', () => {
    const error = fakeStack(['    at Object.check (/project/node_modules/cdk8s/lib/chart.js:10:5)']);
    expect(describeAppError(error, '/project')).toBe(
      'RangeError: out of range\n    at Object.check (/project/node_modules/cdk8s/lib/chart.js:10:5)',
    );
  });

  test('errors that locate themselves print their message alone', () => {
    const validation = new ManifestValidationError([
      {
        rule: 'wiring',
        severity: 'error',
        file: 'dist/a.yml',
        object: 'Service/a',
        path: 'spec.selector',
        message: 'selects no Pods',
      },
    ]);
    expect(describeAppError(validation)).toBe(validation.message);
    expect(describeAppError(new PublishError('refusing to publish into .'))).toBe('refusing to publish into .');
  });

  test('a thrown value that is not an Error is still named', () => {
    expect(describeAppError('just a string')).toBe('Thrown value: just a string');
  });
});

describe('a file that does not parse', () => {
  test('a stray comma in main.ts: its place and message come first, with the line, in a few lines', () => {
    const main = fs.readFileSync(path.join(root, 'main.ts'), 'utf8').split('\n');
    const row = main.findIndex((line) => /^\s+homepage: /.test(line));
    main[row] = `${main[row]},`;
    const copy = path.join(root, 'test', 'fixtures', 'apps', `.stray-comma-${process.pid}.ts`);
    fs.writeFileSync(copy, main.join('\n').replaceAll("from './lib/", "from '../../../lib/"));
    try {
      const run = runSynth(path.relative(root, copy), '/nonexistent');
      expect(run.status).toBe(1);
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe(
        `${path.relative(root, copy)}:${row + 1}:${main[row].length}: Expected identifier but found ","`,
      );
      expect(lines[1]).toBe(`  ${row + 1} | ${main[row]}`);
      expect(lines[2].indexOf('^')).toBe(lines[1].length - 1);
      expect(lines.length).toBeLessThanOrEqual(15);
    } finally {
      fs.rmSync(copy, { force: true });
    }
  }, 30_000);
});

describe('a reader that goes away', () => {
  test('the synth command ends with exit code 1 when its output pipe closes early, as under `| head -1`', async () => {
    const [program, ...args] = synthCommand('test/fixtures/apps/long-output.ts');
    const child = spawn(program, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.once('data', () => {
      child.stdout.destroy();
      child.stderr.destroy();
    });
    const ended = new Promise<number | string>((resolve) => {
      child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    });
    const deadline = new Promise<string>((resolve) => setTimeout(() => resolve('still running after 20 s'), 20_000));
    const outcome = await Promise.race([ended, deadline]);
    child.kill('SIGKILL');
    expect(outcome).toBe(1);
  }, 30_000);
});
