import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  COMMITTED_DEFINITIONS,
  definitionsFromModule,
  KUBERNETES_MODULE,
  loadOpenApiDefinitions,
} from '../checker/openapi-artifact';
import { compileSchema, schemaProblems } from '../checker/schema';
import { scratchFolderPerTest } from './scratch';

describe('the Kubernetes API schema artifact', () => {
  const scratch = scratchFolderPerTest('openapi-');

  test('is read from the repository, with no Go on the PATH', () => {
    const pathBefore = process.env.PATH;
    process.env.PATH = scratch();
    try {
      const api = loadOpenApiDefinitions();
      expect(api.module).toBe(KUBERNETES_MODULE);
      expect(api.definitions['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([
        { group: 'apps', version: 'v1', kind: 'Deployment' },
      ]);
    } finally {
      process.env.PATH = pathBefore;
    }
  });

  // Go is what fetches the module; CI has it, so there the comparison always runs.
  const haveGo = spawnSync('go', ['version']).status === 0;
  (haveGo ? test : test.skip)(
    haveGo
      ? `the committed definitions are exactly ${KUBERNETES_MODULE}'s document, stripped (npm run import rewrites them)`
      : `the committed definitions are ${KUBERNETES_MODULE}'s document, stripped (skipped: the go command is not installed)`,
    () => {
      expect(definitionsFromModule() === fs.readFileSync(COMMITTED_DEFINITIONS, 'utf8')).toBe(true);
    },
    120_000,
  );

  test('a local copy of the OpenAPI document is read instead, and its kinds checked against', () => {
    const specFile = path.join(scratch(), 'swagger.json');
    fs.writeFileSync(
      specFile,
      JSON.stringify({
        definitions: {
          'io.example.v1.Widget': {
            description: 'dropped',
            type: 'object',
            required: ['size'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              size: { type: 'integer', format: 'int32' },
            },
            'x-kubernetes-group-version-kind': [{ group: 'example.io', version: 'v1', kind: 'Widget' }],
          },
        },
      }),
    );
    const api = loadOpenApiDefinitions({ specFile });
    expect(api.definitions['io.example.v1.Widget']).not.toHaveProperty('description');
    const schema = compileSchema(api);
    expect(schemaProblems({ apiVersion: 'example.io/v1', kind: 'Widget', size: 3 }, schema)).toEqual([]);
    expect(schemaProblems({ apiVersion: 'example.io/v1', kind: 'Widget', size: 'big', extra: 1 }, schema)).toEqual([
      { path: 'size', message: 'must be integer, got string "big"' },
      { path: 'extra', message: 'is not a field of this object (unknown field)' },
    ]);
    expect(fs.readdirSync(scratch())).toEqual(['swagger.json']);
  });

  test('a document without definitions is refused with its name', () => {
    const specFile = path.join(scratch(), 'other.json');
    fs.writeFileSync(specFile, '{"openapi": "3.0.0"}');
    expect(() => loadOpenApiDefinitions({ specFile })).toThrow(
      `${specFile}: not an OpenAPI v2 document (it has no "definitions")`,
    );
  });
});
