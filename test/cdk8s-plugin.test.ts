import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Plugins from 'cdk8s-cli/lib/plugins/validation';
import { type CheckerPluginProperties, ManifestCheckerValidation } from '../checker/cdk8s-plugin';
import { ruleNamed } from '../checker/rules';
import { inScratchFolder } from './scratch';

// Loaded as cdk8s-cli loads plugins' contexts, through its public `plugins` entry point.
const { ValidationContext } = require('cdk8s-cli/plugins') as typeof Plugins;

const root = path.resolve(__dirname, '..');

async function runPlugin(manifests: string[], properties: CheckerPluginProperties = { replicas: { min: 0, max: 20 } }) {
  const context = new ValidationContext(
    manifests.map((m) => path.join(root, m)),
    'k8s-checker',
    '0.0.0',
    {},
    false,
  );
  const logged: string[] = [];
  jest.spyOn(context.logger, 'log').mockImplementation((line) => {
    logged.push(line);
  });
  await new ManifestCheckerValidation(properties).validate(context);
  return { report: context.report.toJson(), logged };
}

describe('the checker as a cdk8s validation plugin', () => {
  test("passes the project's own manifests", async () => {
    const { report } = await runPlugin(['dist/homepage-pod.yml', 'dist/homepage-service.yml', 'dist/sleep.yml']);
    expect(report.summary.status).toBe('success');
    expect(report.violations).toEqual([]);
  });

  test('reports a finding as a violation named after its rule, with object, field and file', async () => {
    const { report, logged } = await runPlugin(['test/fixtures/broken/selector-typo/homepage.yml']);
    expect(report.summary.status).toBe('failure');
    expect(report.violations).toEqual([
      expect.objectContaining({
        ruleName: 'wiring',
        recommendation: expect.stringContaining('selects no Pods'),
        fix: ruleNamed('wiring').remediation,
        violatingConstructs: [
          expect.objectContaining({
            resourceName: 'homepage',
            locations: ['Service/homepage: spec.selector'],
            manifestPath: path.join(root, 'test/fixtures/broken/selector-typo/homepage.yml'),
          }),
        ],
      }),
    ]);
    expect(logged[0]).toMatch(
      /^error: test\/fixtures\/broken\/selector-typo\/homepage\.yml: Service\/homepage: spec\.selector: \[wiring\]/,
    );
  });

  test('reports a warning as a violation of its own that does not fail the synth', async () => {
    const { report } = await runPlugin(['checker/test/fixtures/references/app.yaml']);
    const warnings = report.violations.filter((v) => v.ruleName.endsWith(' (warning)'));
    expect(warnings.map((v) => v.ruleName)).toEqual([
      'ingress-backend (warning)',
      'scale-target (warning)',
      'pod-selector (warning)',
      'pod-selector (warning)',
    ]);
    expect(warnings[0].violatingConstructs[0]).toMatchObject({
      resourceName: 'web',
      locations: ['Ingress/web: spec.rules[0].http.paths[1].backend.service.name'],
    });
    const onlyWarnings = await runPlugin([
      'dist/homepage-pod.yml',
      'checker/test/fixtures/references/only-warning.yaml',
    ]);
    expect(onlyWarnings.report.summary.status).toBe('success');
    expect(onlyWarnings.report.violations.map((v) => v.ruleName)).toEqual(['ingress-backend (warning)']);
  });

  test("takes the command line's settings as properties: the Kubernetes release, CRDs, missing schemas", async () => {
    const sidecar = ['checker/test/fixtures/releases/sidecar.yaml'];
    expect((await runPlugin(sidecar, {})).report.summary.status).toBe('failure');
    // 1.33 is fetched through Go once (checker/test/kubernetes-release.test.ts).
    if (spawnSync('go', ['version']).status === 0) {
      expect((await runPlugin(sidecar, { kubernetesVersion: '1.33' })).report.summary.status).toBe('success');
    }
    const resources = [
      'checker/test/fixtures/custom-resources/valid.yaml',
      'checker/test/fixtures/custom-resources/nested/no-crd.yaml',
    ];
    const crds = ['checker/test/fixtures/custom-resources/crd.yaml'];
    expect((await runPlugin(resources, { crds })).report.violations.map((v) => v.ruleName)).toEqual([
      'schema (warning)',
    ]);
    const strict = await runPlugin(resources, { crds, missingSchemas: 'error' });
    expect(strict.report.violations.map((v) => v.ruleName)).toEqual(['schema']);
  }, 120_000);

  test('applies the range the properties give', async () => {
    const { report } = await runPlugin(['test/fixtures/broken/negative-replicas/homepage.yml']);
    expect(report.violations.map((v) => [v.ruleName, v.recommendation])).toEqual([
      ['values', 'must be a whole number from 0 to 20, got -3'],
    ]);
  });
});

describe('cdk8s synth with the plugin under validations: in cdk8s.yaml', () => {
  test('loads it and fails on a finding', () => {
    inScratchFolder('checker-plugin-', (app) => {
      // A stand-in app that writes one broken manifest, so that only the plugin is under test.
      fs.writeFileSync(
        path.join(app, 'app.js'),
        'const fs = require("fs");\n' +
          'fs.mkdirSync(process.env.CDK8S_OUTDIR, { recursive: true });\n' +
          `fs.copyFileSync(${JSON.stringify(path.join(root, 'test/fixtures/broken/selector-typo/homepage.yml'))}, ` +
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the app's own source, a template literal it evaluates
          '`${process.env.CDK8S_OUTDIR}/app.k8s.yaml`);\n',
      );
      fs.writeFileSync(
        path.join(app, 'cdk8s.yaml'),
        [
          'language: typescript',
          'app: node app.js',
          'validations:',
          `  - package: ${path.join(root, 'checker', 'cdk8s-plugin.cjs')}`,
          '    class: ManifestCheckerValidation',
          '    version: 0.0.0',
          '',
        ].join('\n'),
      );
      const synth = spawnSync(path.join(root, 'node_modules', '.bin', 'cdk8s'), ['synth', '--check-upgrade', 'false'], {
        cwd: app,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(synth.status).not.toBe(0);
      expect(synth.stdout + synth.stderr).toMatch(
        /wiring \(1 occurrences\)[\s\S]*Resource Name: homepage[\s\S]*Service\/homepage: spec\.selector[\s\S]*selects no Pods/,
      );
    });
  }, 60_000);
});
