import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, JsonPatch } from 'cdk8s';
import { ManifestValidationError } from '../checker/validate';
import { publishManifests, synthesize } from '../lib/synthesis';
import { addWorkshopCharts, type WorkshopCharts, type WorkshopProps } from '../lib/workshop';
import { renderWorkshop } from './support';
import { readFolder, root, runSynth, synthCommand } from './synth-process';

/** Every file of a folder with its bytes. */
function snapshotTree(dir: string): Record<string, Buffer> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f))]),
  );
}

/** What a synth of the default workshop writes, rendered in memory: the committed dist/ may hold a user's edit. */
const defaultTree = () => Object.fromEntries(renderWorkshop().map((m) => [m.file, Buffer.from(m.yaml)]));

const HAND_PLACED = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hand-placed\n';

let scratch: string;
let outdir: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'safe-synth-'));
  outdir = path.join(scratch, 'dist');
  fs.cpSync(path.join(root, 'dist'), outdir, { recursive: true });
  fs.writeFileSync(path.join(outdir, 'note.yml'), HAND_PLACED);
});
afterEach(() => {
  fs.chmodSync(scratch, 0o700);
  fs.rmSync(scratch, { recursive: true, force: true });
});

function synthWith(props: WorkshopProps, into = outdir, edit: (charts: WorkshopCharts) => void = () => undefined) {
  const app = new App({ outdir: into, outputFileExtension: '.yml' });
  edit(addWorkshopCharts(app, props));
  return synthesize(app, { log: () => undefined });
}

describe('a synth that fails leaves the output folder byte-identical', () => {
  test.each<[string, WorkshopProps, string]>([
    [
      'negative replicas',
      { homepage: { replicas: -1 } },
      "HomepageDeployment 'homepage-pod/homepage': prop 'replicas' must be a whole number from 0 to 20, got -1",
    ],
    [
      'fractional replicas',
      { sleep: { replicas: 0.5 } },
      "SleepDeployment 'sleep/sleep': prop 'replicas' must be a whole number from 0 to 20, got 0.5",
    ],
    ['NaN replicas', { homepage: { replicas: NaN } }, "prop 'replicas' must be a whole number from 0 to 20, got NaN"],
    [
      'too many replicas',
      { homepage: { replicas: 500 } },
      "prop 'replicas' must be a whole number from 0 to 20, got 500",
    ],
    [
      'a malformed image',
      { homepage: { image: 'Dak4dotnet/Homepage Nginx' } },
      "HomepageDeployment 'homepage-pod/homepage': prop 'image' must be an image reference",
    ],
    ['an empty image', { sleep: { image: '' } }, 'prop \'image\' must be a non-empty image reference, got ""'],
    [
      'an invalid label value',
      { homepage: { podLabels: { app: 'sign up' } } },
      "HomepageDeployment 'homepage-pod/homepage': prop 'podLabels.app' must be empty or at most 63",
    ],
    [
      'an invalid label key',
      { sleep: { podLabels: { 'bad key': 'x' } } },
      "SleepDeployment 'sleep/sleep': prop 'podLabels' has an invalid label key",
    ],
  ])('%s', (_, props, message) => {
    const before = snapshotTree(outdir);
    expect(() => synthWith(props)).toThrow(message);
    expect(snapshotTree(outdir)).toEqual(before);
  });

  test('a wiring error introduced in the constructs', () => {
    const before = snapshotTree(outdir);
    let error: unknown;
    try {
      synthWith({}, outdir, ({ homepageService }) =>
        ApiObject.of(homepageService.service).addJsonPatch(JsonPatch.replace('/spec/selector/component', 'homepag')),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestValidationError);
    const findings = (error as ManifestValidationError).findings.map((f) => [f.rule, f.file, f.object, f.path]);
    expect(findings).toContainEqual([
      'wiring',
      path.join(path.relative(process.cwd(), outdir), 'homepage-service.yml'),
      'Service/homepage',
      'spec.selector',
    ]);
    expect(snapshotTree(outdir)).toEqual(before);
  });

  test.each([
    ['test/fixtures/apps/selector-typo.ts', 'selects no Pods: no workload in the set has Pod labels matching'],
    ['test/fixtures/apps/negative-replicas.ts', "prop 'replicas' must be a whole number from 0 to 20, got -1"],
    [
      'test/fixtures/apps/misspelled-prop.ts',
      "UnknownPropError: HomepageDeployment 'homepage-pod/homepage': unknown prop 'replica' (did you mean 'replicas'?)",
    ],
  ])('the synth command exits non-zero for %s and says why', (entry, message) => {
    const before = snapshotTree(outdir);
    const run = runSynth(entry, outdir);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(snapshotTree(outdir)).toEqual(before);
    expect(fs.readdirSync(scratch)).toEqual(['dist']);
  });
});

describe('a synth that succeeds', () => {
  test('replaces the files, drops manifests no chart writes, and leaves nothing beside the folder', () => {
    synthWith({});
    expect(snapshotTree(outdir)).toEqual(defaultTree());
    expect(fs.readdirSync(scratch)).toEqual(['dist']);
  });

  test('keeps the mode of the output folder', () => {
    fs.chmodSync(outdir, 0o750);
    synthWith({});
    expect(fs.statSync(outdir).mode & 0o777).toBe(0o750);
  });

  test('writes through a symlinked output folder, which stays a symlink to the same folder', () => {
    const real = path.join(scratch, 'manifests');
    fs.renameSync(outdir, real);
    fs.symlinkSync('manifests', outdir);
    synthWith({});
    expect(fs.lstatSync(outdir).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(outdir)).toBe('manifests');
    expect(snapshotTree(real)).toEqual(defaultTree());
    expect(fs.readdirSync(scratch).sort()).toEqual(['dist', 'manifests']);
  });

  test('creates a missing output folder, with the usual mode', () => {
    fs.rmSync(outdir, { recursive: true });
    synthWith({});
    expect(snapshotTree(outdir)).toEqual(defaultTree());
    expect(fs.statSync(outdir).mode & 0o777).toBe(0o777 & ~process.umask());
  });

  test('removes what an interrupted synth left beside the folder', () => {
    const leftovers = [
      '.dist.synth-staging-999999999-00',
      '.dist.synth-claim-999999999-00',
      '.dist.staging-AbC123',
      '.dist.staging-AbC123.previous',
    ];
    for (const leftover of leftovers) {
      fs.mkdirSync(path.join(scratch, leftover));
      fs.writeFileSync(path.join(scratch, leftover, 'homepage-pod.yml'), 'kind: Half');
    }
    fs.mkdirSync(path.join(scratch, '.dist.synth-lock'));
    fs.writeFileSync(
      path.join(scratch, '.dist.synth-lock', 'owner'),
      JSON.stringify({ pid: 999999999, started: '', nonce: 'dead' }),
    );
    synthWith({});
    expect(fs.readdirSync(scratch)).toEqual(['dist']);
  });
});

describe('the output folder must be a manifests folder; anything else is refused and nothing removed', () => {
  /** The entries of a folder tree with their sizes: enough to see that nothing was removed or rewritten. */
  function listing(dir: string): string[] {
    return fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => !path.join(entry.parentPath, entry.name).includes(`${path.sep}node_modules${path.sep}`))
      .map((entry) => {
        const full = path.join(entry.parentPath, entry.name);
        return `${path.relative(dir, full)} ${entry.isFile() ? fs.statSync(full).size : entry.isDirectory() ? 'dir' : 'other'}`;
      })
      .sort();
  }

  test('the project root, through the synth command and $CDK8S_OUTDIR', () => {
    const before = listing(root);
    const run = runSynth('main.ts', root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('refusing to publish into');
    expect(run.stderr).toContain('it is the working directory');
    expect(listing(root)).toEqual(before);
  });

  test.each<[string, () => string, string]>([
    ['a parent of the working directory', () => path.dirname(process.cwd()), 'it is a parent of the working directory'],
    ['the file system root', () => '/', 'it is the file system root'],
    [
      'the home folder',
      () => os.homedir(),
      os.homedir() === '/' ? 'it is the file system root' : 'it is the home folder',
    ],
  ])('%s', (_, folder, reason) => {
    expect(() => synthWith({}, folder())).toThrow(reason);
  });

  test.each<[string, (dir: string) => void, string]>([
    ['a .git folder', (dir) => fs.mkdirSync(path.join(dir, '.git')), 'it holds .git/'],
    ['a package.json', (dir) => fs.writeFileSync(path.join(dir, 'package.json'), '{}'), 'it holds package.json'],
    ['a file of another kind', (dir) => fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine'), 'it holds notes.txt'],
    ['a subfolder', (dir) => fs.mkdirSync(path.join(dir, 'overlays')), 'it holds overlays/'],
    [
      'a .yml file that is not a Kubernetes manifest',
      (dir) => fs.writeFileSync(path.join(dir, 'compose.yml'), 'services:\n  web: {}\n'),
      'it holds compose.yml (not a Kubernetes manifest)',
    ],
    [
      'a .yaml file that is not YAML',
      (dir) => fs.writeFileSync(path.join(dir, 'broken.yaml'), 'a: [\n'),
      'it holds broken.yaml (not a Kubernetes manifest)',
    ],
  ])('a folder holding %s', (_, place, reason) => {
    place(outdir);
    const before = listing(scratch);
    expect(() => synthWith({})).toThrow(reason);
    expect(listing(scratch)).toEqual(before);
  });

  test('a file in place of the folder', () => {
    fs.rmSync(outdir, { recursive: true });
    fs.writeFileSync(outdir, 'not a folder');
    expect(() => synthWith({})).toThrow('it is not a folder');
    expect(fs.readFileSync(outdir, 'utf8')).toBe('not a folder');
  });

  test('a manifest name with a path in it', () => {
    expect(() => publishManifests(outdir, [{ file: '../escape.yml', yaml: '' }])).toThrow(
      "cannot publish '../escape.yml'",
    );
  });
});

describe('without the privilege to override file permissions, a folder that cannot be written is left as it was and the error says why', () => {
  /**
   * The synth command bound by file permissions. As root, the capabilities that override them are
   * dropped (the process stays root, so it still reads a project in a folder only root may enter,
   * as CI's clone is); as any other user, it runs as that user.
   */
  function synthUnprivileged() {
    const [program, ...args] = synthCommand('main.ts');
    const boundByPermissions =
      process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search,-fowner', '--'] : [];
    const [command, ...rest] = [...boundByPermissions, program, ...args];
    return spawnSync(command, rest, {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, CDK8S_OUTDIR: outdir, HOME: scratch },
    });
  }

  test('a read-only output folder', () => {
    fs.chmodSync(scratch, 0o777);
    fs.chmodSync(outdir, 0o555);
    const before = snapshotTree(outdir);
    const run = synthUnprivileged();
    expect(run.stderr).toContain(`cannot write ${outdir}: permission denied (EACCES); nothing in it changed`);
    expect(run.status).toBe(1);
    expect(snapshotTree(outdir)).toEqual(before);
    expect(fs.statSync(outdir).mode & 0o777).toBe(0o555);
    expect(fs.readdirSync(scratch)).toEqual(['dist']);
  });

  test('a writable output folder in a read-only parent, where the lock cannot be made', () => {
    fs.chmodSync(outdir, 0o777);
    fs.chmodSync(scratch, 0o555);
    const before = snapshotTree(outdir);
    const run = synthUnprivileged();
    expect(run.stderr).toContain(`cannot create the publish lock beside ${outdir}: permission denied (EACCES)`);
    expect(run.status).toBe(1);
    expect(snapshotTree(outdir)).toEqual(before);
    expect(fs.readdirSync(scratch)).toEqual(['dist']);
  });
});

test('the output folder gets exactly what a run of the synth command printed', () => {
  const run = runSynth('main.ts', outdir);
  expect(run.status).toBe(0);
  expect(
    run.stdout
      .trim()
      .split('\n')
      .map((line) => path.resolve(root, line)),
  ).toEqual(Object.keys(readFolder(outdir)).map((file) => path.join(outdir, file)));
});
