import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, JsonPatch } from 'cdk8s';
import { synthesize } from '../lib/synthesis/synthesize';
import { ManifestValidationError } from '../checker/validate';
import { addWorkshopCharts, WorkshopCharts, WorkshopProps } from '../lib/workshop';

const root = path.resolve(__dirname, '..');

/** Every file of a folder with its bytes. */
function snapshotTree(dir: string): Record<string, Buffer> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

let scratch: string;
let outdir: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'safe-synth-'));
  outdir = path.join(scratch, 'dist');
  fs.cpSync(path.join(root, 'dist'), outdir, { recursive: true });
  fs.writeFileSync(path.join(outdir, 'note.yml'), '# hand-placed file\n');
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

function synthWith(props: WorkshopProps, edit: (charts: WorkshopCharts) => void = () => undefined) {
  const app = new App({ outdir, outputFileExtension: '.yml' });
  edit(addWorkshopCharts(app, props));
  return synthesize(app, { log: () => undefined });
}

describe('a synth that fails leaves the output folder byte-identical', () => {
  test.each<[string, WorkshopProps, string]>([
    ['negative replicas', { homepage: { replicas: -1 } }, "HomepageDeployment 'homepage-pod/homepage': prop 'replicas' must be a whole number from 0 to 20, got -1"],
    ['fractional replicas', { sleep: { replicas: 0.5 } }, "SleepDeployment 'sleep/sleep': prop 'replicas' must be a whole number from 0 to 20, got 0.5"],
    ['NaN replicas', { homepage: { replicas: NaN } }, "prop 'replicas' must be a whole number from 0 to 20, got NaN"],
    ['too many replicas', { homepage: { replicas: 500 } }, "prop 'replicas' must be a whole number from 0 to 20, got 500"],
    ['a malformed image', { homepage: { image: 'Dak4dotnet/Homepage Nginx' } }, "HomepageDeployment 'homepage-pod/homepage': prop 'image' must be an image reference"],
    ['an empty image', { sleep: { image: '' } }, "prop 'image' must be a non-empty image reference, got \"\""],
    ['an invalid label value', { homepage: { podLabels: { app: 'sign up' } } }, "HomepageDeployment 'homepage-pod/homepage': prop 'podLabels.app' must be empty or at most 63"],
    ['an invalid label key', { sleep: { podLabels: { 'bad key': 'x' } } }, "SleepDeployment 'sleep/sleep': prop 'podLabels' has an invalid label key"],
  ])('%s', (_, props, message) => {
    const before = snapshotTree(outdir);
    expect(() => synthWith(props)).toThrow(message);
    expect(snapshotTree(outdir)).toEqual(before);
  });

  test('a wiring error introduced in the constructs', () => {
    const before = snapshotTree(outdir);
    let error: unknown;
    try {
      synthWith({}, ({ homepageService }) => ApiObject.of(homepageService.service)
        .addJsonPatch(JsonPatch.replace('/spec/selector/component', 'homepag')));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestValidationError);
    const findings = (error as ManifestValidationError).findings.map((f) => [f.rule, f.file, f.object, f.path]);
    expect(findings).toContainEqual(['wiring', path.join(path.relative(process.cwd(), outdir), 'homepage-service.yml'), 'Service/homepage', 'spec.selector']);
    expect(snapshotTree(outdir)).toEqual(before);
  });

  test('a synth that succeeds replaces the folder, dropping files no chart writes', () => {
    synthWith({});
    expect(Object.keys(snapshotTree(outdir))).toEqual(['homepage-pod.yml', 'homepage-service.yml', 'sleep.yml']);
    expect(fs.readdirSync(scratch)).toEqual(['dist']);
  });

  test.each([
    ['test/fixtures/apps/selector-typo.ts', 'selects no Pods: no workload in the set has Pod labels matching app=signup,component=homepag'],
    ['test/fixtures/apps/negative-replicas.ts', "prop 'replicas' must be a whole number from 0 to 20, got -1"],
  ])('the synth command exits non-zero for %s and says why', (entry, message) => {
    const before = snapshotTree(outdir);
    const run = spawnSync(process.execPath, ['--import', 'tsx', entry], {
      cwd: root, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: outdir },
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(snapshotTree(outdir)).toEqual(before);
    expect(fs.readdirSync(scratch)).toEqual(['dist']);
  });
});
