import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inScratchFolder } from './scratch';

const root = path.resolve(__dirname, '..');
// Where `npm run import` finds the 1.27 schema without network access (see scripts/offline-k8s-schema.cjs).
const schemaDir = process.env.K8S_SCHEMA_DIR ?? path.resolve(root, '..', 'shared', 'kubernetes-schemas');
const haveLocalSchema = fs.existsSync(path.join(schemaDir, 'v1.27.0', '_definitions.json'));

// Without a local copy the import would download the schema, which this test must not depend on:
// the skip then says so in the test's name.
(haveLocalSchema ? test : test.skip)(
  haveLocalSchema
    ? 'npm run import regenerates imports/ exactly, from the local schema'
    : `npm run import regenerates imports/ exactly (skipped: no local schema at ${schemaDir}/v1.27.0/_definitions.json; set K8S_SCHEMA_DIR)`,
  () => {
    inScratchFolder('imports-', (out) => {
      const run = spawnSync('npm', ['run', '--silent', 'import', '--', '--output', out], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, K8S_SCHEMA_DIR: schemaDir },
      });
      expect(run.status).toBe(0);
      expect(run.stderr).toContain(
        `Reading the v1.27.0 schema from ${path.join(schemaDir, 'v1.27.0', '_definitions.json')}`,
      );
      expect(fs.readFileSync(path.join(out, 'k8s.ts'), 'utf8')).toBe(
        fs.readFileSync(path.join(root, 'imports', 'k8s.ts'), 'utf8'),
      );
    });
  },
  60_000,
);
