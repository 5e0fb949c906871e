import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadOpenApiDefinitions } from '../checker/openapi-artifact';
import { compileSchema, schemaProblems } from '../checker/schema';
import { scratchFolderPerTest } from './scratch';

describe('the Kubernetes API schema artifact', () => {
  const scratch = scratchFolderPerTest('openapi-');

  test('without a cache and without Go, the error names what is missing and how to get it', () => {
    const pathBefore = process.env.PATH;
    process.env.PATH = scratch();
    try {
      expect(() => loadOpenApiDefinitions({ cacheDir: scratch() })).toThrow(
        /^the Kubernetes 1\.27 API schema is not cached and cannot be fetched: the `go` command is not installed\. Install Go .*CHECKER_OPENAPI_SPEC/,
      );
    } finally {
      process.env.PATH = pathBefore;
    }
  });

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
    const api = loadOpenApiDefinitions({ specFile, cacheDir: scratch() });
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
    expect(() => loadOpenApiDefinitions({ specFile, cacheDir: scratch() })).toThrow(
      `${specFile}: not an OpenAPI v2 document (it has no "definitions")`,
    );
  });
});
