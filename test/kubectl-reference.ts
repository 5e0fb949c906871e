import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The real Kubernetes readers the differential tests compare the checker with. They need Go
 * (and, for the API server test, the local plane); without it a test is skipped with the reason,
 * so `npm test` runs on Node alone. CI sets CHECKER_REFERENCE_TESTS=required, and there a
 * missing reference fails the test instead.
 */
export const REFERENCE_REQUIRED = process.env.CHECKER_REFERENCE_TESTS === 'required';

const root = path.resolve(__dirname, '..');
const READER_SOURCE = path.join(root, 'test/kubectl-yaml');

/** Why the reference cannot run here, or undefined when it can. Throws when CI requires it. */
export function referenceMissing(what: string, available: boolean, reason: string): string | undefined {
  if (available) {
    return undefined;
  }
  if (REFERENCE_REQUIRED) {
    throw new Error(`${what} is required (CHECKER_REFERENCE_TESTS=required) but ${reason}`);
  }
  return `${what}: skipped, ${reason}`;
}

export const hasGo = () => spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;

/**
 * Builds test/kubectl-yaml (kubectl's own decoding, from apimachinery and sigs.k8s.io/yaml through
 * the Go module proxy) once per version of its source, into node_modules/.cache.
 *
 * @returns the path of the binary
 */
export function kubectlYamlReader(): string {
  const hash = createHash('sha256');
  for (const file of ['main.go', 'go.mod', 'go.sum']) {
    hash.update(fs.readFileSync(path.join(READER_SOURCE, file)));
  }
  const binary = path.join(root, 'node_modules/.cache/k8s-checker', `kubectl-yaml-${hash.digest('hex').slice(0, 12)}`);
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    execFileSync('go', ['build', '-o', `${binary}.tmp`, '.'], { cwd: READER_SOURCE, stdio: 'pipe' });
    fs.renameSync(`${binary}.tmp`, binary);
  }
  return binary;
}

/** What kubectl reads of a file: its documents as JSON values, or that it cannot decode it. */
export type KubectlReading = { readonly documents: unknown[] } | { readonly error: string };

/** kubectl's reading of each file, in one run of the reader. */
export function kubectlReads(binary: string, files: readonly Buffer[]): KubectlReading[] {
  const input = JSON.stringify(files.map((file) => file.toString('base64')));
  const output = execFileSync(binary, { input, maxBuffer: 1 << 30 });
  return (JSON.parse(output.toString('utf8')) as Array<{ documents?: unknown[]; error?: string }>).map((result) =>
    result.error !== undefined ? { error: result.error } : { documents: result.documents ?? [] },
  );
}

export const hasKubectl = () => spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

/**
 * What kubectl itself reads of each file, offline: `kubectl label --local -f DIR x=y -o json`
 * decodes every file with kubectl's own reader and prints each object (or names the file it
 * cannot decode). Each file must hold one object named after its place in `files`, `c-0`, `c-1`, ….
 */
export function kubectlLabelReads(dir: string, files: readonly string[]): Map<string, unknown> {
  const run = spawnSync('kubectl', ['label', '--local', '-f', dir, 'x=y', '-o', 'json'], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: '/dev/null' },
    maxBuffer: 1 << 28,
  });
  const read = new Map<string, unknown>();
  for (const text of run.stdout.split(/\n(?=\{)/)) {
    if (text.trim() === '') {
      continue;
    }
    const object = JSON.parse(text) as { metadata: { name: string; labels?: Record<string, string> } };
    read.set(object.metadata.name, object);
  }
  for (const file of files) {
    if (run.stderr.includes(`${path.join(dir, file)}:`)) {
      read.set(path.basename(file, '.yaml'), 'error');
    }
  }
  return read;
}
