import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
// A fixed folder, so that its cached bundle is reused rather than piling up under node_modules/.cache.
const scratch = path.join(root, '.cache', 'run-ts-test');
const run = (...args: string[]) => spawnSync(process.execPath, ['scripts/run-ts.mjs', path.join(scratch, 'entry.ts'), ...args], {
  cwd: root, encoding: 'utf8',
});

beforeAll(() => {
  fs.mkdirSync(scratch, { recursive: true });
  fs.writeFileSync(path.join(scratch, 'entry.ts'),
    "import { greeting } from './greeting';\nconst name: string = process.argv[2];\nconsole.log(`${greeting}, ${name}`);\n");
  fs.writeFileSync(path.join(scratch, 'greeting.ts'), "export const greeting: string = 'hello';\n");
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('scripts/run-ts.mjs', () => {
  test('runs a TypeScript entry point with its arguments', () => {
    expect(run('workshop')).toMatchObject({ status: 0, stdout: 'hello, workshop\n', stderr: '' });
  });

  test('an edit to any imported file is picked up by the next run', () => {
    run('before');
    fs.writeFileSync(path.join(scratch, 'greeting.ts'), "export const greeting: string = 'good morning';\n");
    expect(run('after').stdout).toBe('good morning, after\n');
  });

  test('an error is reported with the entry point, and the exit code is 1', () => {
    fs.writeFileSync(path.join(scratch, 'greeting.ts'), "throw new Error('no greeting today');\nexport const greeting = '';\n");
    const failed = run('x');
    expect(failed.status).toBe(1);
    expect(failed.stderr).toBe(`${path.relative(root, path.join(scratch, 'entry.ts'))}: no greeting today\n`);
  });
});
