import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, type AppProps, JsonPatch, YamlOutputType } from 'cdk8s';
import { ManifestValidationError } from '../checker/validate';
import { renderApp, synthesize, UnsupportedAppSettingError } from '../lib/synthesis';
import { addWorkshopCharts } from '../lib/workshop';
import { scratchFolderPerTest } from './scratch';
import { readFolder } from './synth-process';

const workshopApp = (props: AppProps) => {
  const app = new App(props);
  return { app, charts: addWorkshopCharts(app) };
};

describe('synthesize honours the App settings as app.synth() does', () => {
  const scratch = scratchFolderPerTest('app-settings-');

  test.each([
    ['FILE_PER_CHART', '.k8s.yaml', YamlOutputType.FILE_PER_CHART],
    ['FILE_PER_APP', '.yml', YamlOutputType.FILE_PER_APP],
    ['FILE_PER_RESOURCE', '.yaml', YamlOutputType.FILE_PER_RESOURCE],
  ])(
    'yamlOutputType %s, outputFileExtension %s: the same files as app.synth(), byte for byte',
    (_, extension, type) => {
      const expected = path.join(scratch(), 'app-synth');
      workshopApp({ outdir: expected, yamlOutputType: type, outputFileExtension: extension }).app.synth();
      const published = path.join(scratch(), 'published');
      const { app } = workshopApp({ yamlOutputType: type, outputFileExtension: extension });
      synthesize(app, { outdir: published, log: () => undefined });
      expect(readFolder(published)).toEqual(readFolder(expected));
      expect(Object.keys(readFolder(published)).every((file) => file.endsWith(extension))).toBe(true);
    },
  );

  test.each([
    [
      'yamlOutputType FOLDER_PER_CHART_FILE_PER_RESOURCE',
      { yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE },
    ],
    ['recordConstructMetadata', { recordConstructMetadata: true }],
  ])(
    '%s, which a flat folder of manifests cannot hold, is refused by name and nothing is written',
    (setting, props) => {
      const outdir = path.join(scratch(), 'dist');
      const { app } = workshopApp(props);
      expect(() => synthesize(app, { outdir })).toThrow(UnsupportedAppSettingError);
      expect(() => synthesize(app, { outdir })).toThrow(`cannot synthesize this App: ${setting} is not supported`);
      expect(fs.existsSync(outdir)).toBe(false);
    },
  );

  test("the app's outdir is where it was after a synth into another folder", () => {
    const { app } = workshopApp({ outdir: 'somewhere' });
    synthesize(app, { outdir: path.join(scratch(), 'dist'), log: () => undefined });
    expect(app.outdir).toBe('somewhere');
  });
});

describe('what is published reads back as the constructs rendered it', () => {
  const scratch = scratchFolderPerTest('round-trip-');

  test('a string that YAML would turn into a number is refused, naming the file, construct, field and both values', () => {
    const outdir = path.join(scratch(), 'dist');
    const { app, charts } = workshopApp({ outputFileExtension: '.yml' });
    ApiObject.of(charts.homepage.deployment).addJsonPatch(
      JsonPatch.add('/spec/template/metadata/annotations', { umask: '0o022' }),
    );
    let error: unknown;
    try {
      synthesize(app, { outdir });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ManifestValidationError);
    const [finding] = (error as ManifestValidationError).findings;
    expect(finding).toMatchObject({
      rule: 'yaml',
      severity: 'error',
      file: path.join(path.relative(process.cwd(), outdir), 'homepage-pod.yml'),
      object: 'Deployment/homepage',
      path: 'spec.template.metadata.annotations.umask',
    });
    expect(finding.message).toBe(
      `construct ${ApiObject.of(charts.homepage.deployment).node.path}, rendered "0o022", but the YAML written reads back as 18`,
    );
    expect(fs.existsSync(outdir)).toBe(false);
  });
});

describe("a render's scratch folder", () => {
  test('of a killed synth is removed by the next one; one whose process lives stays', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadFolder = path.join(os.tmpdir(), `cdk8s-render-${dead.stdout}-killed`);
    const liveFolder = path.join(os.tmpdir(), `cdk8s-render-${process.pid}-running`);
    for (const folder of [deadFolder, liveFolder]) {
      fs.mkdirSync(path.join(folder, 'half'), { recursive: true });
    }
    try {
      const before = fs.readdirSync(os.tmpdir()).filter((entry) => entry.startsWith('cdk8s-render-'));
      expect(before).toEqual(expect.arrayContaining([path.basename(deadFolder), path.basename(liveFolder)]));
      renderApp(workshopApp({}).app);
      expect(fs.existsSync(deadFolder)).toBe(false);
      expect(fs.existsSync(liveFolder)).toBe(true);
    } finally {
      fs.rmSync(liveFolder, { recursive: true, force: true });
      fs.rmSync(deadFolder, { recursive: true, force: true });
    }
  });
});
