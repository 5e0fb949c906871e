import * as path from 'path';
import { runValidateCommand } from '../lib/validation/command';
import { ManifestDocument } from '../lib/manifest-model';
import { Finding } from '../lib/validation/findings';
import { loadManifestDirectory, parseManifestFile } from '../lib/validation/load';
import { validateManifests } from '../lib/validation/validate';
import { objectsOf } from './support';

const root = path.resolve(__dirname, '..');
const fixtures = 'test/fixtures/broken';

function runValidate(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runValidateCommand(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, root);
  return { code, out, err };
}

type Expected = Pick<Finding, 'rule' | 'file' | 'object' | 'path'>;

// One broken-manifest fixture per rule: the exact rule and place each must be reported at.
const cases: Array<[string, Expected[]]> = [
  ['selector-typo', [{ rule: 'wiring', file: 'homepage.yml', object: 'Service/homepage', path: 'spec.selector' }]],
  ['service-selects-nothing', [{ rule: 'wiring', file: 'homepage-service.yml', object: 'Service/homepage', path: 'spec.selector' }]],
  ['target-port-name-mismatch', [{ rule: 'wiring', file: 'homepage.yml', object: 'Service/homepage', path: 'spec.ports[0].targetPort' }]],
  ['target-port-number-mismatch', [{ rule: 'wiring', file: 'homepage.yml', object: 'Service/homepage', path: 'spec.ports[0].targetPort' }]],
  ['deployment-selector-mismatch', [{ rule: 'wiring', file: 'homepage-pod.yml', object: 'Deployment/homepage', path: 'spec.selector.matchLabels.app' }]],
  ['unknown-field', [{ rule: 'schema', file: 'homepage.yml', object: 'Deployment/homepage', path: 'spec.replicass' }]],
  ['wrong-type', [{ rule: 'schema', file: 'homepage.yml', object: 'Deployment/homepage', path: 'spec.template.spec.containers[0].ports[0].containerPort' }]],
  ['missing-image', [{ rule: 'schema', file: 'homepage.yml', object: 'Deployment/homepage', path: 'spec.template.spec.containers[0].image' }]],
  ['missing-required-field', [{ rule: 'schema', file: 'homepage-service.yml', object: 'Service/homepage', path: 'spec.ports[0].port' }]],
  ['wrong-enum-value', [{ rule: 'schema', file: 'homepage-service.yml', object: 'Service/homepage', path: 'spec.type' }]],
  ['unknown-kind', [{ rule: 'schema', file: 'homepage.yml', object: 'Deploymnt/homepage', path: 'kind' }]],
  ['duplicate-name', [{ rule: 'duplicate', file: 'b.yml', object: 'Service/homepage', path: 'metadata.name' }]],
  ['invalid-label-value', [{ rule: 'labels', file: 'homepage.yml', object: 'Deployment/homepage', path: 'metadata.labels.tier' }]],
  ['invalid-name', [{ rule: 'names', file: 'homepage.yml', object: 'Deployment/Homepage_v1', path: 'metadata.name' }]],
  ['yaml-syntax', [
    { rule: 'yaml', file: 'homepage.yml:6', object: 'document 1', path: '' },
    { rule: 'yaml', file: 'homepage.yml:6', object: 'document 1', path: '' },
  ]],
];

describe('npm run validate on broken manifests', () => {
  test.each(cases)('%s is reported with its rule and location, and fails', (name, expected) => {
    const dir = `${fixtures}/${name}`;
    const loaded = loadManifestDirectory(path.join(root, dir), dir);
    const findings = [...loaded.findings, ...validateManifests(loaded.docs)];
    expect(findings.map(({ rule, file, object, path: at }) => ({ rule, file, object, path: at })))
      .toEqual(expected.map((e) => ({ ...e, file: `${dir}/${e.file}` })));
    expect(findings.every((f) => f.severity === 'error')).toBe(true);

    const run = runValidate(dir);
    expect(run.code).toBe(1);
    expect(run.err).toEqual(expect.arrayContaining(expected.map((e) =>
      expect.stringContaining(`error: ${dir}/${e.file}: ${e.object}: ${e.path ? `${e.path}: ` : ''}[${e.rule}] `))));
  });

  test('there is a fixture for at least twelve rules', () => {
    expect(new Set(cases.map(([name]) => name)).size).toBeGreaterThanOrEqual(12);
  });

  test('messages say what is wrong in the learner\'s terms', () => {
    expect(runValidate(`${fixtures}/selector-typo`).err[0]).toBe(
      `error: ${fixtures}/selector-typo/homepage.yml: Service/homepage: spec.selector: [wiring] selects no Pods: `
      + 'no workload in the set has Pod labels matching app=signup,component=homepag '
      + '(Deployment/homepage has app=signup,component=homepage)');
    expect(runValidate(`${fixtures}/wrong-type`).err[0]).toMatch(/must be integer, got string "80"$/);
    expect(runValidate(`${fixtures}/unknown-field`).err[0]).toMatch(/spec\.replicass: \[schema\] is not a field of this object/);
  });
});

describe('npm run validate on good manifests', () => {
  test('the project\'s own dist/ passes every rule, walkthrough included', () => {
    const run = runValidate();
    expect(run).toEqual({
      code: 0,
      err: [],
      out: [
        'Service/homepage selects app=signup,component=homepage: the Pods of Deployment/homepage',
        'dist: 3 files, 3 objects, the kubectl commands of README.md: 0 errors, 0 warnings',
      ],
    });
  });

  test('a Service selecting Pods of two workloads is a warning; a selected workload without its port an error', () => {
    const docs: ManifestDocument[] = objectsOf({ sleep: { podLabels: { app: 'signup', component: 'homepage' } } })
      .map((object, index) => ({ file: 'x.yml', index, object }));
    const findings = validateManifests(docs);
    expect(findings.map((f) => [f.severity, f.rule, f.object, f.path])).toEqual([
      ['warning', 'wiring', 'Service/homepage', 'spec.selector'],
      ['error', 'wiring', 'Service/homepage', 'spec.ports[0].targetPort'],
    ]);
    expect(findings[0].message).toContain('Deployment/homepage, Deployment/sleep');
    expect(findings[1].message).toBe(
      '80 is not a container port of Deployment/sleep, whose Pods the Service selects; its containers offer no ports');
  });

  test('usage errors exit 2 with a message', () => {
    expect(runValidate('no-such-dir')).toMatchObject({ code: 2, err: ['no-such-dir: no such folder'] });
    expect(runValidate('--bogus').code).toBe(2);
    expect(runValidate('dist', '--walkthrough', 'missing.md')).toMatchObject({ code: 2, err: ['missing.md: no such file'] });
  });
});

describe('schema details', () => {
  const deployment = () => objectsOf().find((o) => o.kind === 'Deployment')!;
  const check = (mutate: (d: Record<string, any>) => void) => {
    const object = deployment();
    mutate(object);
    return validateManifests([{ file: 'f.yml', index: 0, object }]).map((f) => `${f.rule} ${f.path}: ${f.message}`);
  };

  test('int-or-string fields take both forms', () => {
    expect(check((d) => { d.spec.strategy = { rollingUpdate: { maxSurge: 1 } }; })).toEqual([]);
    expect(check((d) => { d.spec.strategy = { rollingUpdate: { maxSurge: '25%' } }; })).toEqual([]);
    expect(check((d) => { d.spec.strategy = { rollingUpdate: { maxSurge: true } }; })).toEqual(
      ['schema spec.strategy.rollingUpdate.maxSurge: must be string or integer, got boolean true']);
  });

  test('int32 ranges and quantities are checked', () => {
    expect(check((d) => { d.spec.replicas = 2 ** 31; })).toEqual(['schema spec.replicas: must fit in 32 bits, got 2147483648']);
    expect(check((d) => { d.spec.template.spec.containers[0].resources.limits.cpu = 'lots'; })).toEqual(
      ['schema spec.template.spec.containers[0].resources.limits.cpu: must be a quantity such as 250m or 64Mi, got "lots"']);
  });

  test('a missing object name is reported', () => {
    expect(check((d) => { delete d.metadata.name; })).toEqual(['names metadata.name: is required']);
  });
});

describe('reading manifest files', () => {
  test('multi-document files: empty documents are skipped, non-objects reported', () => {
    const parsed = parseManifestFile('m.yml', '---\nkind: A\n---\n---\n- a list\n---\nkind: B\n');
    expect(parsed.docs.map((d) => [d.index, d.object.kind])).toEqual([[0, 'A'], [3, 'B']]);
    expect(parsed.findings.map((f) => [f.rule, f.file, f.object])).toEqual([['yaml', 'm.yml', 'document 3']]);
  });
});
