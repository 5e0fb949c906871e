import * as fs from 'node:fs';
import * as path from 'node:path';
import { runValidateCommand } from '../checker/command';
import { type Finding, formatFinding, MAX_FINDING_LINE } from '../checker/findings';
import { type DocumentText, loadManifestDirectory, parseManifestText, YamlDocumentStream } from '../checker/load';
import type { JsonObject, ManifestDocument } from '../checker/manifest-model';
import { RULE_NAMES } from '../checker/rule-names';
import { validateManifests } from '../checker/validate';
import { HOMEPAGE_POD_LABELS, LESSON_DOCUMENT, MANIFEST_DIR, MAX_REPLICAS } from '../lib/constants';
import { inScratchFolder } from './scratch';
import { objectsOf } from './support';

const root = path.resolve(__dirname, '..');
const fixtures = 'test/fixtures/broken';

/** `npm run validate -- ...args`; `ownFolder` is the folder checked with the project's own rules (its dist/ by default). */
function runValidate(...args: string[]) {
  return runValidateAsOwn(MANIFEST_DIR, ...args);
}

function runValidateAsOwn(ownFolder: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runValidateCommand(
    args,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    {
      cwd: root,
      defaultDir: ownFolder,
      defaultLesson: LESSON_DOCUMENT,
      replicas: { min: 0, max: MAX_REPLICAS },
    },
  );
  return { code, out, err };
}

type Expected = Pick<Finding, 'rule' | 'file' | 'object' | 'path'>;

// One broken-manifest fixture per rule: the exact rule and place each must be reported at.
const cases: Array<[string, Expected[]]> = [
  ['selector-typo', [{ rule: 'wiring', file: 'homepage.yml', object: 'Service/homepage', path: 'spec.selector' }]],
  [
    'service-selects-nothing',
    [{ rule: 'wiring', file: 'homepage-service.yml', object: 'Service/homepage', path: 'spec.selector' }],
  ],
  [
    'target-port-name-mismatch',
    [{ rule: 'wiring', file: 'homepage.yml', object: 'Service/homepage', path: 'spec.ports[0].targetPort' }],
  ],
  [
    'target-port-number-mismatch',
    [{ rule: 'wiring', file: 'homepage.yml', object: 'Service/homepage', path: 'spec.ports[0].targetPort' }],
  ],
  [
    'deployment-selector-mismatch',
    [
      {
        rule: 'wiring',
        file: 'homepage-pod.yml',
        object: 'Deployment/homepage',
        path: 'spec.selector.matchLabels.app',
      },
    ],
  ],
  ['unknown-field', [{ rule: 'schema', file: 'homepage.yml', object: 'Deployment/homepage', path: 'spec.replicass' }]],
  [
    'wrong-type',
    [
      {
        rule: 'schema',
        file: 'homepage.yml',
        object: 'Deployment/homepage',
        path: 'spec.template.spec.containers[0].ports[0].containerPort',
      },
    ],
  ],
  [
    'missing-image',
    [
      {
        rule: 'schema',
        file: 'homepage.yml',
        object: 'Deployment/homepage',
        path: 'spec.template.spec.containers[0].image',
      },
    ],
  ],
  [
    'missing-required-field',
    [{ rule: 'schema', file: 'homepage-service.yml', object: 'Service/homepage', path: 'spec.ports[0].port' }],
  ],
  [
    'wrong-enum-value',
    [{ rule: 'schema', file: 'homepage-service.yml', object: 'Service/homepage', path: 'spec.type' }],
  ],
  ['unknown-kind', [{ rule: 'schema', file: 'homepage.yml', object: 'Deploymnt/homepage', path: 'kind' }]],
  ['duplicate-name', [{ rule: 'duplicate', file: 'b.yml', object: 'Service/homepage', path: 'metadata.name' }]],
  [
    'invalid-label-value',
    [{ rule: 'labels', file: 'homepage.yml', object: 'Deployment/homepage', path: 'metadata.labels.tier' }],
  ],
  ['invalid-name', [{ rule: 'names', file: 'homepage.yml', object: 'Deployment/Homepage_v1', path: 'metadata.name' }]],
  [
    'negative-replicas',
    [{ rule: 'values', file: 'homepage.yml', object: 'Deployment/homepage', path: 'spec.replicas' }],
  ],
  [
    'invalid-image',
    [
      {
        rule: 'values',
        file: 'homepage.yml',
        object: 'Deployment/homepage',
        path: 'spec.template.spec.containers[0].image',
      },
    ],
  ],
  [
    'port-name-invalid',
    [
      {
        rule: 'ports',
        file: 'homepage.yml',
        object: 'Deployment/homepage',
        path: 'spec.template.spec.containers[0].ports[0].name',
      },
      { rule: 'ports', file: 'homepage.yml', object: 'Service/homepage', path: 'spec.ports[0].name' },
      { rule: 'ports', file: 'homepage.yml', object: 'Service/homepage', path: 'spec.ports[0].targetPort' },
    ],
  ],
  // What kubectl reads, read too: JSON files, List items; and what it refuses, refused: empty, binary, alias bombs.
  [
    'json-duplicate',
    [{ rule: 'duplicate', file: 'homepage-pod.yml', object: 'Deployment/homepage', path: 'metadata.name' }],
  ],
  [
    'ingress-port-missing',
    [
      {
        rule: 'ingress-backend',
        file: 'homepage.yml',
        object: 'Ingress/homepage',
        path: 'spec.rules[0].http.paths[0].backend.service.port.number',
      },
    ],
  ],
  [
    'scale-target-daemonset',
    [
      {
        rule: 'scale-target',
        file: 'homepage.yml',
        object: 'HorizontalPodAutoscaler/homepage',
        path: 'spec.scaleTargetRef.kind',
      },
    ],
  ],
  ['list-selector-typo', [{ rule: 'wiring', file: 'homepage.yml', object: 'Service/homepage', path: 'spec.selector' }]],
  ['empty-file', [{ rule: 'yaml', file: 'empty.yml', object: '', path: '' }]],
  ['binary-file', [{ rule: 'yaml', file: 'x.yml', object: '', path: '' }]],
  ['alias-bomb', [{ rule: 'yaml', file: 'bomb.yml:6', object: 'document 1', path: '' }]],
  [
    'yaml-syntax',
    [
      { rule: 'yaml', file: 'homepage.yml:6', object: 'document 1', path: '' },
      { rule: 'yaml', file: 'homepage.yml:6', object: 'document 1', path: '' },
    ],
  ],
];

describe('npm run validate on broken manifests', () => {
  test.each(cases)('%s is reported with its rule and location, and fails', (name, expected) => {
    const dir = `${fixtures}/${name}`;
    const loaded = loadManifestDirectory(path.join(root, dir), dir);
    const findings = [
      ...loaded.findings,
      ...validateManifests(loaded.docs, { replicas: { min: 0, max: MAX_REPLICAS } }),
    ];
    expect(findings.map(({ rule, file, object, path: at }) => ({ rule, file, object, path: at }))).toEqual(
      expected.map((e) => ({ ...e, file: `${dir}/${e.file}` })),
    );
    expect(findings.every((f) => f.severity === 'error')).toBe(true);

    // Each fixture as the project's own folder would be: its replica range, duplicates as errors.
    const run = runValidateAsOwn(dir, dir);
    expect(run.code).toBe(1);
    expect(run.err).toEqual(
      expect.arrayContaining(
        expected.map((e) =>
          expect.stringContaining(
            `error: ${[`${dir}/${e.file}`, e.object, e.path].filter(Boolean).join(': ')}: [${e.rule}] `,
          ),
        ),
      ),
    );
  });

  test("every fixture folder has its expected findings, and every rule but the lesson's a fixture", () => {
    expect(cases.map(([name]) => name).sort()).toEqual(fs.readdirSync(path.join(root, fixtures)).sort());
    const covered = new Set(cases.flatMap(([, expected]) => expected.map((e) => e.rule)));
    // The lesson rule needs a lesson: test/lesson.test.ts breaks one command at a time. The
    // pod-selector rule only warns: checker/test/reference-rules.test.ts holds it.
    expect(RULE_NAMES.filter((rule) => !covered.has(rule))).toEqual(['pod-selector', 'lesson']);
  });

  test('a file that cannot be read is one finding, and the other files are still checked', () => {
    for (const name of ['binary-file', 'alias-bomb', 'empty-file']) {
      const run = runValidate(`${fixtures}/${name}`);
      expect(run.err).toHaveLength(2);
      expect(run.err[1]).toBe(`${fixtures}/${name}: 2 files, 1 object: 1 error, 0 warnings`);
    }
    expect(runValidate(`${fixtures}/binary-file`).err[0]).toBe(
      `error: ${fixtures}/binary-file/x.yml: [yaml] is not a text file: it holds binary data`,
    );
    expect(runValidate(`${fixtures}/alias-bomb`).err[0]).toMatch(
      /bomb\.yml:6: document 1: \[yaml\] document contains excessive aliasing/,
    );
  });

  test('a file that cannot be opened is one finding naming it and why', () => {
    inScratchFolder('validate-', (dir) => {
      fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling.yml'));
      expect(loadManifestDirectory(dir, 'd').findings.map(formatFinding)).toEqual([
        'error: d/dangling.yml: [yaml] cannot be read: ENOENT open',
      ]);
    });
  });

  test('files are read as UTF-8 across read chunks; one that is not UTF-8 is one finding', () => {
    inScratchFolder('validate-', (dir) => {
      const readChunk = 1 << 20;
      const configMap = (name: string, value: string) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  text: "${value}"\n`;
      const before = configMap('split', '').length - 2;
      // An "é" (two bytes) cut by the end of the first read, and one after a first read of ASCII only.
      const split = `${'x'.repeat(readChunk - before - 1)}é`;
      const later = `${'x'.repeat(readChunk)}é`;
      fs.writeFileSync(path.join(dir, 'a.yml'), configMap('split', split));
      fs.writeFileSync(path.join(dir, 'b.yml'), configMap('later', later));
      fs.writeFileSync(path.join(dir, 'c.yml'), Buffer.from([0x61, 0x3a, 0x20, 0xc3, 0x28, 0x0a]));
      fs.writeFileSync(path.join(dir, 'd.yml'), Buffer.from([0x61, 0x3a, 0x20, 0xc3]));
      const loaded = loadManifestDirectory(dir, 'd');
      expect(loaded.docs.map((doc) => (doc.object.data as JsonObject).text)).toEqual([split, later]);
      expect(loaded.findings.map(formatFinding)).toEqual([
        'error: d/c.yml: [yaml] is not a text file: it is not UTF-8',
        'error: d/d.yml: [yaml] is not a text file: it is not UTF-8',
      ]);
    });
  });

  test('a document nested deeper than the parsers can follow is one finding, and the other files are still checked', () => {
    inScratchFolder('validate-', (dir) => {
      // Flow collections 100,000 deep (200 kB): far past any stack, whatever the frames' sizes. A block
      // mapping 4,000 deep fits in a stack of optimized frames on some runs and not on others.
      fs.writeFileSync(path.join(dir, 'deep.yml'), `k: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
      fs.copyFileSync(path.join(root, MANIFEST_DIR, 'homepage-service.yml'), path.join(dir, 'service.yml'));
      const loaded = loadManifestDirectory(dir, 'd');
      expect(loaded.docs.map((doc) => doc.object.kind)).toEqual(['Service']);
      expect(loaded.findings.map(formatFinding)).toEqual([
        'error: d/deep.yml:1: document 1: [yaml] cannot be read: it is nested too deeply',
      ]);
    });
  });

  test('replicas outside the range the caller allows are reported with the range', () => {
    const negative = `${fixtures}/negative-replicas`;
    expect(runValidateAsOwn(negative, negative).err[0]).toMatch(
      /\[values\] must be a whole number from 0 to 20, got -3$/,
    );
    const deployment = objectsOf().find((o) => o.kind === 'Deployment')!;
    deployment.spec.replicas = 21;
    const docs = [{ file: 'f.yml', index: 0, object: deployment }];
    expect(validateManifests(docs)).toEqual([]);
    expect(validateManifests(docs, { replicas: { min: 0, max: 20 } }).map((f) => f.message)).toEqual([
      'must be a whole number from 0 to 20, got 21',
    ]);
  });

  test('no output line is longer than the cap, however long the value quoted', () => {
    const finding: Finding = {
      rule: 'schema',
      severity: 'error',
      file: 'x.yml',
      object: 'ConfigMap/x',
      path: 'data',
      message: 'y'.repeat(70_000),
    };
    const line = formatFinding(finding);
    expect(line).toHaveLength(MAX_FINDING_LINE);
    expect(line).toMatch(/^error: x\.yml: ConfigMap\/x: data: \[schema\] y+… \(70\d{3} characters in all\)$/);
  });

  test("messages say what is wrong in the learner's terms", () => {
    expect(runValidate(`${fixtures}/selector-typo`).err[0]).toBe(
      `error: ${fixtures}/selector-typo/homepage.yml: Service/homepage: spec.selector: [wiring] selects no Pods: ` +
        'no workload in the set has Pod labels matching app=signup,component=homepag ' +
        '(Deployment/homepage has app=signup,component=homepage)',
    );
    expect(runValidate(`${fixtures}/wrong-type`).err[0]).toMatch(/must be integer, got string "80"$/);
    expect(runValidate(`${fixtures}/unknown-field`).err[0]).toMatch(
      /spec\.replicass: \[schema\] is not a field of this object/,
    );
  });
});

describe('npm run validate on good manifests', () => {
  test("the project's own dist/ passes every rule, lesson included", () => {
    const run = runValidate();
    expect(run).toMatchObject({ code: 0, err: [] });
    expect(run.out.at(-1)).toMatch(
      /^dist: \d+ files?, \d+ objects?, the kubectl commands of README\.md: 0 errors, 0 warnings$/,
    );
  });

  test('a Service selecting Pods of two workloads is a warning; a selected workload that declares no ports a warning', () => {
    const docs: ManifestDocument[] = objectsOf({ sleep: { podLabels: HOMEPAGE_POD_LABELS } }).map((object, index) => ({
      file: 'x.yml',
      index,
      object: object as JsonObject,
    }));
    const findings = validateManifests(docs);
    expect(findings.map((f) => [f.severity, f.rule, f.object, f.path])).toEqual([
      ['warning', 'wiring', 'Service/homepage', 'spec.selector'],
      ['warning', 'wiring', 'Service/homepage', 'spec.ports[0].targetPort'],
    ]);
    expect(findings[0].message).toContain('Deployment/homepage, Deployment/sleep');
    expect(findings[1].message).toBe(
      "80: the containers of Deployment/sleep declare no ports; Kubernetes sends the traffic to port 80 all the same (a container's ports are informational), so a container must listen there",
    );
  });

  test('usage errors exit 2 with a message', () => {
    expect(runValidate('no-such-dir')).toMatchObject({ code: 2, err: ['no-such-dir: no such file or folder'] });
    expect(runValidate('--bogus').code).toBe(2);
    expect(runValidate('dist', '--lesson', 'missing.md')).toMatchObject({ code: 2, err: ['missing.md: no such file'] });
  });

  test('--help prints the usage on standard output and exits 0', () => {
    const help = runValidate('--help');
    expect(help).toMatchObject({ code: 0, err: [] });
    expect(help.out.join('\n')).toMatch(/^usage: .* \[PATH\.\.\.\] \[options\]/);
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
    expect(
      check((d) => {
        d.spec.strategy = { rollingUpdate: { maxSurge: 1 } };
      }),
    ).toEqual([]);
    expect(
      check((d) => {
        d.spec.strategy = { rollingUpdate: { maxSurge: '25%' } };
      }),
    ).toEqual([]);
    expect(
      check((d) => {
        d.spec.strategy = { rollingUpdate: { maxSurge: true } };
      }),
    ).toEqual(['schema spec.strategy.rollingUpdate.maxSurge: must be string or integer, got boolean true']);
  });

  test('int32 ranges and quantities are checked', () => {
    expect(
      check((d) => {
        d.spec.replicas = 2 ** 31;
      }),
    ).toEqual(['schema spec.replicas: must fit in 32 bits, got 2147483648']);
    expect(
      check((d) => {
        d.spec.template.spec.containers[0].resources.limits.cpu = 'lots';
      }),
    ).toEqual([
      'schema spec.template.spec.containers[0].resources.limits.cpu: must be a quantity such as 250m or 64Mi, got "lots"',
    ]);
  });

  test('a missing object name is reported', () => {
    expect(
      check((d) => {
        delete d.metadata.name;
      }),
    ).toEqual(['names metadata.name: is required']);
  });
});

describe('reading manifest files', () => {
  test('multi-document files: empty documents are skipped, non-objects reported', () => {
    const parsed = parseManifestText('m.yml', '---\nkind: A\n---\n---\n- a list\n---\nkind: B\n');
    expect(parsed.docs.map((d) => [d.index, d.object.kind])).toEqual([
      [0, 'A'],
      [3, 'B'],
    ]);
    expect(parsed.findings.map((f) => [f.rule, f.file, f.object])).toEqual([['yaml', 'm.yml', 'document 3']]);
  });

  test("a List's items are checked one by one, as kubectl applies them", () => {
    const parsed = parseManifestText(
      'l.yml',
      'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: Bad_Name}}\n',
    );
    expect(validateManifests(parsed.docs).map((f) => [f.rule, f.object, f.path])).toEqual([
      ['names', 'ConfigMap/Bad_Name', 'metadata.name'],
    ]);
  });

  test("text before the first --- holding only comments is no document; line numbers are the file's", () => {
    const parsed = parseManifestText('c.yml', '# header\n---\nkind: A\n---\nkind: B\n  bad: [\n');
    expect(parsed.docs.map((d) => [d.index, d.object.kind])).toEqual([[0, 'A']]);
    // The lines the `yaml` package gives when it parses the whole file.
    expect(parsed.findings.map((f) => [f.file, f.object])).toEqual([
      ['c.yml:5', 'document 2'],
      ['c.yml:5', 'document 2'],
      ['c.yml:7', 'document 2'],
    ]);
  });

  // apimachinery's YAMLReader cuts at every line that starts with `---`, `---x` included (and refuses that one).
  test('documents are cut the same however the text arrives in chunks', () => {
    const text =
      '# header\r\n%YAML 1.2\n---\r\nkind: A\nx: |\n  ---not a marker\n---\n\n--- # c\nkind: B\n---x: 1\n---';
    const cut = (chunk: number) => {
      const docs: DocumentText[] = [];
      const stream = new YamlDocumentStream('f.yml', (doc) => docs.push(doc));
      for (let at = 0; at < text.length; at += chunk) {
        stream.write(text.slice(at, at + chunk));
      }
      stream.end();
      return docs;
    };
    const whole = cut(text.length);
    expect(whole.map((d) => [d.index, d.firstLine, d.text])).toEqual([
      [0, 3, '---\r\nkind: A\nx: |\n  ---not a marker\n'],
      [1, 7, '---\n\n'],
      [2, 9, '--- # c\nkind: B\n'],
      [3, 11, '---x: 1\n'],
      [4, 12, '---'],
    ]);
    for (const chunk of [1, 2, 3, 5, 8, 13]) {
      expect(cut(chunk)).toEqual(whole);
    }
  });
});
