// `npm run import`: regenerates the two committed copies of the Kubernetes 1.27 API.
// - imports/k8s.ts, the typed constructs, with `cdk8s import k8s@1.27.0` (arguments after `--`
//   go to it; the schema is read from a local copy when one exists, see offline-k8s-schema.cjs);
// - checker/kubernetes-api/, the definitions the checker reads, from the k8s.io/kubernetes Go
//   module (needs Go); skipped when `--output` sends the constructs elsewhere.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMITTED_DEFINITIONS, definitionsFromModule } from '@k8s-101/manifest-checker';

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const cli = path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
const offline = path.join(root, 'scripts', 'offline-k8s-schema.cjs');
const imported = spawnSync(
  process.execPath,
  ['-r', offline, cli, 'import', '--language', 'typescript', '--check-upgrade', 'false', ...args],
  { cwd: root, stdio: 'inherit' },
);
if (imported.status !== 0) {
  process.exit(imported.status ?? 1);
}
if (!args.includes('--output') && !args.includes('-o')) {
  fs.writeFileSync(COMMITTED_DEFINITIONS, definitionsFromModule());
  console.log(`${path.relative(root, COMMITTED_DEFINITIONS)}: written from the k8s.io/kubernetes module`);
}
