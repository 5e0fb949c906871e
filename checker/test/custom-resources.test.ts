import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fieldPath, toJsonSchema } from '../custom-resources';
import { runCommand } from './run-command';

const fixtures = path.join(__dirname, 'fixtures');

describe('custom resources against the openAPIV3Schema of their CustomResourceDefinition', () => {
  test('a folder with a CRD: a valid resource passes, an unknown field and a wrong type fail naming the field, a kind without CRD warns once', () => {
    const run = runCommand(['custom-resources'], fixtures);
    expect(run.code).toBe(1);
    expect(run.err).toEqual([
      'error: custom-resources/nested/unknown-field.yaml: Certificate/unknown-field: spec.secretNmae: [schema] is not a field of this object (unknown field)',
      'error: custom-resources/nested/wrong-type.yaml: Certificate/wrong-type: spec.dnsNames: [schema] must be array, got string "a.example.com"',
      'error: custom-resources/nested/wrong-type.yaml: Certificate/wrong-type: spec.renewBeforePercentage: [schema] must be <= 99, got 100',
      'error: custom-resources/nested/wrong-type.yaml: Certificate/wrong-type: spec.privateKey.algorithm: [schema] must be one of "RSA", "ECDSA", "Ed25519", got "DSA"',
      'custom-resources: 5 files, 6 objects: 4 errors, 1 warning',
    ]);
    // Two ServiceMonitors, one warning: the kind is named once.
    expect(run.out).toEqual([
      'warning: custom-resources/nested/no-crd.yaml: ServiceMonitor/first: kind: [schema] ServiceMonitor in "monitoring.example.com/v1" was not checked against a schema: no CustomResourceDefinition in the set or given with --crd defines it',
    ]);
  });

  test('the CRD may come from --crd, and the resource be read before it; --missing-schemas error makes the warning an error', () => {
    const run = runCommand(
      ['custom-resources/valid.yaml', 'custom-resources/nested/no-crd.yaml', '--crd', 'custom-resources/crd.yaml'],
      fixtures,
    );
    expect(run).toMatchObject({ code: 0, err: [] });
    expect(run.out.at(-1)).toBe(
      'custom-resources/valid.yaml, custom-resources/nested/no-crd.yaml: 2 files, 3 objects: 0 errors, 1 warning',
    );
    const strict = runCommand(
      ['custom-resources/valid.yaml', 'custom-resources/nested/no-crd.yaml', '--missing-schemas', 'error'],
      fixtures,
    );
    expect(strict.code).toBe(1);
    expect(strict.err.filter((line) => line.includes('was not checked'))).toHaveLength(2);
  });

  test('a kind missing from a built-in API group stays an error: no CRD can add one', () => {
    const dir = path.join(fixtures, '..', '..', '..', 'test', 'fixtures', 'broken', 'unknown-kind');
    const run = runCommand([dir], fixtures);
    expect(run.code).toBe(1);
    expect(run.err[0]).toContain('kind: [schema] "Deploymnt" in "apps/v1" is not a kind of the Kubernetes 1.27 API');
  });

  test('an unserved version is named with the versions the CRD serves', () => {
    const crd = fs.readFileSync(path.join(fixtures, 'custom-resources', 'crd.yaml'), 'utf8');
    const file = path.join(fixtures, 'custom-resources', 'valid.yaml');
    const resource = fs.readFileSync(file, 'utf8').replace('example.com/v1', 'example.com/v2');
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'crd-'));
    try {
      fs.writeFileSync(path.join(dir, 'all.yaml'), `${resource}---\n${crd}`);
      const run = runCommand(['all.yaml'], dir);
      expect(run.err[0]).toBe(
        'error: all.yaml: Certificate/homepage-tls: apiVersion: [schema] "example.com/v2" is not a served version of Certificate (its CustomResourceDefinition certificates.example.com serves v1)',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('ajv is loaded only when a CRD is read', () => {
  const script = `
    const { runValidateCommand } = require(${JSON.stringify(path.join(__dirname, '..', 'command.ts'))});
    const loaded = () => Object.keys(require.cache).some((file) => file.includes('/node_modules/ajv/'));
    const quiet = { out: () => {}, err: () => {} };
    runValidateCommand(['inputs'], quiet, { cwd: ${JSON.stringify(fixtures)} });
    const before = loaded();
    runValidateCommand(['custom-resources'], quiet, { cwd: ${JSON.stringify(fixtures)} });
    console.log(JSON.stringify([before, loaded()]));`;
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
  expect(run.stdout.trim()).toBe('[false,true]');
});

describe("Kubernetes' schema dialect in JSON Schema", () => {
  test('closes objects with properties, except under x-kubernetes-preserve-unknown-fields and inside anyOf', () => {
    const schema = toJsonSchema({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { a: { type: 'string' } },
          anyOf: [{ properties: { a: { type: 'string' } } }],
        },
        open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { b: {} } },
        port: { 'x-kubernetes-int-or-string': true },
      },
    });
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(properties)).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'open', 'port']);
    expect(properties.spec.additionalProperties).toBe(false);
    expect((properties.spec.anyOf as Array<Record<string, unknown>>)[0].additionalProperties).toBeUndefined();
    expect(properties.open.additionalProperties).toBeUndefined();
    expect(properties.port.type).toEqual(['integer', 'string']);
  });

  test('names fields from JSON Pointers as findings do', () => {
    expect(fieldPath('/spec/ports/0/name')).toBe('spec.ports[0].name');
    expect(fieldPath('/metadata/annotations/a~1b')).toBe('metadata.annotations.a/b');
    expect(fieldPath('')).toBe('');
  });
});
