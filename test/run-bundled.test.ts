import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchFolderPerTest } from './scratch';

const root = path.resolve(__dirname, '..');
const launcher = path.join(root, 'scripts', 'run-bundled.cjs');

function run(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [launcher, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('scripts/run-bundled.cjs', () => {
  const scratch = scratchFolderPerTest('run-bundled-');
  let dir: string;
  let cache: string;
  beforeEach(() => {
    dir = scratch();
    cache = path.join(dir, 'cache');
    fs.writeFileSync(
      path.join(dir, 'entry.ts'),
      "import { word } from './word';\nconst args: string[] = process.argv.slice(2);\nconsole.log(word, ...args, process.argv[1].endsWith('.js'));\nprocess.exitCode = 3;\n",
    );
    fs.writeFileSync(path.join(dir, 'word.ts'), "export const word: string = 'first';\n");
  });

  test('runs the entry as a bundle with its arguments and exit code, and reuses the bundle while its files stay the same', () => {
    const entry = path.join(dir, 'entry.ts');
    expect(run([entry, 'a', '--b'], { RUN_BUNDLED_CACHE: cache })).toEqual({
      code: 3,
      out: 'first a --b true\n',
      err: '',
    });
    const [bundle] = fs.readdirSync(cache).filter((file) => file.endsWith('.js'));
    const built = fs.statSync(path.join(cache, bundle)).mtimeMs;

    expect(run([entry], { RUN_BUNDLED_CACHE: cache }).out).toBe('first true\n');
    expect(fs.statSync(path.join(cache, bundle)).mtimeMs).toBe(built);

    // An imported file changes: the next run builds again and runs the change.
    fs.writeFileSync(path.join(dir, 'word.ts'), "export const word: string = 'second';\n");
    expect(run([entry], { RUN_BUNDLED_CACHE: cache }).out).toBe('second true\n');
    // A cut-short cache (its record of inputs gone) is built again too.
    fs.rmSync(path.join(cache, bundle.replace(/\.js$/, '.inputs.json')));
    expect(run([entry], { RUN_BUNDLED_CACHE: cache }).out).toBe('second true\n');
    expect(fs.readdirSync(cache).sort()).toEqual([bundle, bundle.replace(/\.js$/, '.inputs.json')].sort());
  });

  test('an entry that does not compile fails with what esbuild says, naming the file', () => {
    fs.writeFileSync(path.join(dir, 'word.ts'), 'export const word: string = ;\n');
    const result = run([path.join(dir, 'entry.ts')], { RUN_BUNDLED_CACHE: cache });
    expect(result.code).not.toBe(0);
    expect(result.err).toContain('word.ts');
  });

  test('where the cache cannot be written, the entry runs through tsx instead', () => {
    const unwritable = path.join(dir, 'a-file', 'cache');
    fs.writeFileSync(path.join(dir, 'a-file'), '');
    expect(run([path.join(dir, 'entry.ts'), 'x'], { RUN_BUNDLED_CACHE: unwritable })).toEqual({
      code: 3,
      out: 'first x false\n',
      err: '',
    });
  });

  test('without an entry it prints its usage', () => {
    expect(run([])).toEqual({ code: 2, out: '', err: 'usage: node scripts/run-bundled.cjs ENTRY.ts [ARGS...]\n' });
  });

  test('`npm run validate` prints, byte for byte, what the TypeScript source prints, and exits the same', () => {
    for (const args of [[], ['test/fixtures/broken/duplicate-name'], ['test/fixtures/broken/yaml-syntax']]) {
      const bundled = run(['scripts/validate.ts', ...args]);
      const source = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/validate.ts', ...args], {
        cwd: root,
        encoding: 'utf8',
      });
      expect(bundled).toEqual({ code: source.status, out: source.stdout, err: source.stderr });
    }
  });
});
