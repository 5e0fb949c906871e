import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { runCommand } from './run-command';

const fixtures = path.join(__dirname, 'fixtures');
const root = path.resolve(__dirname, '..', '..');
const broken = path.join(root, 'test', 'fixtures', 'broken');

/** The JUnit document, parsed by a real XML parser that throws on any malformed markup. */
function parseJunit(xml: string) {
  const errors: string[] = [];
  const document = new DOMParser({
    onError: (level, message) => {
      errors.push(`${level}: ${message}`);
    },
  }).parseFromString(xml, 'text/xml');
  expect(errors).toEqual([]);
  return document;
}

describe('output for people and for CI', () => {
  test('-o json is one JSON document: every finding with its remediation, and a summary', () => {
    const run = runCommand([path.join(broken, 'wrong-type'), path.join(broken, 'selector-typo'), '-o', 'json'], root);
    expect(run.code).toBe(1);
    expect(run.err).toEqual([]);
    const report = JSON.parse(run.out.join('\n'));
    expect(report.summary).toEqual({
      checked: `${path.join(broken, 'wrong-type')}, ${path.join(broken, 'selector-typo')}`,
      files: 2,
      objects: 3,
      errors: 2,
      warnings: 1,
    });
    // Deployment/homepage is in both folders: a warning across folders.
    expect(report.findings.map((f: { rule: string }) => f.rule)).toEqual(['schema', 'duplicate', 'wiring']);
    expect(report.findings[2]).toMatchObject({
      severity: 'error',
      object: 'Service/homepage',
      path: 'spec.selector',
      remediation: expect.stringContaining('selector'),
    });
  });

  test('-o junit parses as JUnit XML: a suite per rule, a failure per error', () => {
    const run = runCommand([path.join(broken, 'selector-typo'), '--output=junit'], root);
    expect(run.code).toBe(1);
    const document = parseJunit(run.out.join('\n'));
    const suites = Array.from(document.getElementsByTagName('testsuite'));
    expect(document.documentElement?.nodeName).toBe('testsuites');
    expect(document.documentElement?.getAttribute('failures')).toBe('1');
    const wiring = suites.find((suite) => suite.getAttribute('name') === 'wiring')!;
    const failure = wiring.getElementsByTagName('failure')[0];
    expect(failure.getAttribute('type')).toBe('wiring');
    expect(failure.getAttribute('message')).toContain('selects no Pods');
    expect(failure.textContent).toContain('how to fix: ');
    // Each rule that found nothing passes one test case.
    expect(suites.filter((suite) => suite.getAttribute('failures') === '0').length).toBe(suites.length - 1);
  });

  test('junit escapes what XML forbids in findings quoted from the input', () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'junit-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'x.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "a<&>\\u0001\\"b"\n',
      );
      const run = runCommand(['x.yaml', '-o', 'junit'], dir);
      expect(run.code).toBe(1);
      const names = Array.from(parseJunit(run.out.join('\n')).getElementsByTagName('failure'));
      expect(names[0].getAttribute('message')).toContain('"a<&>\\u0001\\"b"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('text keeps its summary line; the exit codes are 0 clean, 1 findings, 2 usage or unreadable input', () => {
    const clean = runCommand(['inputs'], fixtures);
    expect(clean).toEqual({ code: 0, out: ['inputs: 3 files, 3 objects: 0 errors, 0 warnings'], err: [] });
    expect(runCommand([path.join(broken, 'wrong-type')], root).code).toBe(1);
    expect(runCommand(['inputs', '-o', 'yaml'], fixtures)).toMatchObject({
      code: 2,
      err: [expect.stringMatching(/^--output yaml: not one of text, json, junit\n/)],
    });
    expect(runCommand(['inputs', '--kubernetes-version', 'x'], fixtures)).toMatchObject({
      code: 2,
      err: ['--kubernetes-version "x": not a Kubernetes release such as 1.27'],
    });
    expect(runCommand(['empty-folder'], fixtures)).toMatchObject({
      code: 2,
      err: ['empty-folder: no .yaml, .yml or .json files in it or its subfolders'],
    });
    expect(runCommand(['inputs', '--crd', 'no-crds'], fixtures)).toMatchObject({
      code: 2,
      err: ['--crd no-crds: no such file or folder'],
    });
    expect(runCommand(['missing.yaml', 'inputs'], fixtures)).toMatchObject({
      code: 2,
      err: ['missing.yaml: no such file or folder'],
    });
  });
});

describe('input as kubeconform takes it', () => {
  test('folders are searched recursively for .yaml, .yml and .json, hidden ones left out; a file path and several paths work', () => {
    const nested = runCommand(['inputs', '-o', 'json'], fixtures);
    expect(JSON.parse(nested.out.join('\n')).summary).toMatchObject({ files: 3, objects: 3 });
    const several = runCommand(['inputs/a/b/bottom.yml', 'inputs/top.yaml', 'inputs/a/b/notes.txt'], fixtures);
    expect(several.code).toBe(1);
    expect(several.err[0]).toBe(
      'error: inputs/a/b/notes.txt: document 1: [yaml] is not a Kubernetes object (a mapping with apiVersion, kind and metadata)',
    );
  });

  test('- reads standard input', () => {
    const manifest = fs.readFileSync(path.join(broken, 'selector-typo', 'homepage.yml'));
    const run = spawnSync(
      process.execPath,
      [path.join(root, 'scripts', 'run-bundled.cjs'), path.join(root, 'scripts', 'validate.ts'), '-'],
      {
        cwd: root,
        input: manifest,
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: -: Service\/homepage: spec\.selector: \[wiring\] selects no Pods/);
    expect(run.stderr.trim().split('\n').at(-1)).toBe('-: 1 file, 2 objects: 1 error, 0 warnings');
  });
});
