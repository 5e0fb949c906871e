// The validation table of `npm run bench`: `npm run validate` against kubeconform -strict on
// the same generated manifests, run alternately, with wall time and peak memory.
//
// kubeconform is built from the Go module proxy into node_modules/.cache/bench; its schemas are
// converted at bench time from the same Kubernetes 1.27 OpenAPI document the checker reads, into
// kubeconform's per-kind layout, and it is pointed at that folder only, so it never fetches any.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBlockYaml } from '../checker/block-yaml';
import { decodeYamlText } from '../checker/go-yaml';
import { YamlDocumentStream } from '../checker/load';
import { downloadKubernetesModule, KUBERNETES_MODULE } from '../checker/openapi-artifact';
import { ms, summarize, table } from './stats';

const KUBECONFORM = 'github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0';

/** One generated input: a number of objects, in one file or in many small ones. */
interface InputSet {
  readonly objects: number;
  readonly layout: 'one file' | 'files of 10';
}

/** A measured run: wall time and the peak resident memory of the process tree. */
interface Measurement {
  readonly wallMs: number;
  readonly peakMb: number;
  readonly exitCode: number | null;
}

const configMap = (i: number) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-${i}
  labels:
    app: bench
    shard: s${i % 10}
data:
  greeting: hello world ${i}
  setting.conf: |
    key=value-${i}
    other=thing
`;

const deployment = (i: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
  labels:
    app: web-${i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web-${i}
  template:
    metadata:
      labels:
        app: web-${i}
    spec:
      containers:
        - name: web
          image: nginx:1.25
          ports:
            - containerPort: 80
              name: http
          resources:
            limits:
              cpu: 100m
              memory: 64Mi
`;

/** Ten ConfigMaps for every Deployment, as in a GitOps repository's configuration-heavy tree. */
export function writeInput(dir: string, input: InputSet): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const deployments = Math.round(input.objects / 11);
  const documents = (from: number, to: number) => {
    const docs: string[] = [];
    for (let i = from; i < to; i++) {
      docs.push(i < input.objects - deployments ? configMap(i) : deployment(i));
    }
    return docs.join('---\n');
  };
  const perFile = input.layout === 'one file' ? input.objects : 10;
  for (let start = 0, file = 0; start < input.objects; start += perFile, file++) {
    fs.writeFileSync(
      path.join(dir, `m-${String(file).padStart(5, '0')}.yaml`),
      documents(start, Math.min(start + perFile, input.objects)),
    );
  }
}

/** kubeconform, built once into the cache. */
function kubeconformBinary(cacheDir: string): string {
  const bin = path.join(cacheDir, 'bin');
  const binary = path.join(bin, 'kubeconform');
  if (!fs.existsSync(binary)) {
    const build = spawnSync('go', ['install', KUBECONFORM], { env: { ...process.env, GOBIN: bin }, encoding: 'utf8' });
    if (build.status !== 0) {
      throw new Error(`go install ${KUBECONFORM} failed: ${build.error?.message ?? build.stderr.trim()}`);
    }
  }
  return binary;
}

type Schema = Record<string, unknown>;

/**
 * The OpenAPI v2 definitions in kubeconform's strict layout, as openapi2jsonschema writes it:
 * references into one `_definitions.json`, no unknown fields, int-or-string as a choice of two
 * types, and null allowed where a field is optional.
 */
function toStrictJsonSchema(schema: Schema, required: readonly string[] = []): Schema {
  if (typeof schema.$ref === 'string') {
    return { $ref: schema.$ref.replace('#/definitions/', '_definitions.json#/definitions/') };
  }
  if (schema.format === 'int-or-string') {
    return { oneOf: [{ type: ['string', 'null'] }, { type: ['integer', 'null'] }] };
  }
  const converted: Schema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'description') {
      continue;
    }
    if (keyword === 'properties') {
      const own = (schema.required as string[] | undefined) ?? [];
      converted.properties = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([name, property]) => [
          name,
          toStrictJsonSchema(property, own.includes(name) ? [name] : []),
        ]),
      );
    } else if (keyword === 'items' || (keyword === 'additionalProperties' && typeof value === 'object')) {
      converted[keyword] = toStrictJsonSchema(value as Schema);
    } else if (keyword === 'type' && required.length === 0) {
      converted.type = [value, 'null'];
    } else {
      converted[keyword] = value;
    }
  }
  if (converted.properties && converted.additionalProperties === undefined) {
    converted.additionalProperties = false;
  }
  return converted;
}

/** Writes kubeconform's schemas for every kind of the API; returns the -schema-location template. */
function kubeconformSchemas(cacheDir: string): string {
  const dir = path.join(cacheDir, `kubeconform-schemas-${KUBERNETES_MODULE.replace(/[/@]/g, '_')}`);
  if (!fs.existsSync(path.join(dir, 'complete'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const swagger = JSON.parse(
      fs.readFileSync(path.join(downloadKubernetesModule(), 'api', 'openapi-spec', 'swagger.json'), 'utf8'),
    );
    const definitions = swagger.definitions as Record<string, Schema>;
    const converted = Object.fromEntries(
      Object.entries(definitions).map(([name, schema]) => [name, toStrictJsonSchema(schema)]),
    );
    fs.writeFileSync(path.join(dir, '_definitions.json'), JSON.stringify({ definitions: converted }));
    for (const [name, schema] of Object.entries(definitions)) {
      const kinds = (schema['x-kubernetes-group-version-kind'] ?? []) as Array<{
        group: string;
        version: string;
        kind: string;
      }>;
      for (const { group, version, kind } of kinds) {
        const suffix = group ? `-${group.split('.')[0]}-${version}` : `-${version}`;
        fs.writeFileSync(
          path.join(dir, `${kind.toLowerCase()}${suffix}.json`),
          JSON.stringify({ $ref: `_definitions.json#/definitions/${name}` }),
        );
      }
    }
    fs.writeFileSync(path.join(dir, 'complete'), '');
  }
  return `${dir}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
}

/** The peak resident memory of a process and its descendants so far, from /proc, in kB. */
function peakOfTree(pid: number, peaks: Map<number, number>): void {
  const children = (() => {
    try {
      return fs
        .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  })();
  try {
    const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (hwm) {
      peaks.set(pid, Math.max(peaks.get(pid) ?? 0, Number(hwm[1])));
    }
  } catch {
    // Gone between the listing and the read.
  }
  for (const child of children) {
    peakOfTree(child, peaks);
  }
}

/**
 * Runs a command, polling its process tree's peak memory (VmHWM, which only grows, so a poll
 * shortly before exit sees the peak). The largest single process is reported, as `time -v` does.
 */
function measure(command: string, args: readonly string[], cwd: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'ignore'] });
    const peaks = new Map<number, number>();
    const poll = setInterval(() => peakOfTree(child.pid!, peaks), 10);
    child.on('error', reject);
    child.on('exit', (exitCode) => {
      clearInterval(poll);
      resolve({ wallMs: performance.now() - started, peakMb: Math.max(0, ...peaks.values()) / 1024, exitCode });
    });
  });
}

/** The `validate` script of package.json as a command, run without npm in front of it. */
function validateCommand(root: string): string[] {
  const script: string = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.validate;
  return script.split(/\s+/);
}

/** Settings of the validation bench. */
export interface ValidationBenchPlan {
  /** Object counts to generate. @default [1000, 10000, 33000] */
  readonly sizes?: readonly number[];
  /** Alternated rounds per input. @default 5 */
  readonly rounds?: number;
}

/** Measures both validators on every input, alternately; returns the table. */
export async function compareValidators(
  root: string,
  plan: ValidationBenchPlan,
  progress: (line: string) => void,
): Promise<string> {
  const cacheDir = path.join(root, 'node_modules', '.cache', 'bench');
  progress(`building ${KUBECONFORM} and its schemas`);
  const kubeconform = kubeconformBinary(cacheDir);
  const schemaLocation = kubeconformSchemas(cacheDir);
  const [node, ...validateArgs] = validateCommand(root);
  const kubeconformArgs = ['-strict', '-summary', '-kubernetes-version', '1.27.0', '-schema-location', schemaLocation];
  const inputDir = path.join(cacheDir, 'validate-input');
  const rows: string[][] = [];
  const rounds = plan.rounds ?? 5;
  for (const objects of plan.sizes ?? [1000, 10000, 33000]) {
    for (const layout of ['one file', 'files of 10'] as const) {
      writeInput(inputDir, { objects, layout });
      // The new files are written back to disk before the first run, not while one runs.
      spawnSync('sync');
      const runOurs = () => measure(node, [...validateArgs, inputDir], root);
      const runTheirs = () => measure(kubeconform, [...kubeconformArgs, inputDir], root);
      // One round unmeasured, so that both start from the same warm file cache.
      progress(`${objects} objects, ${layout}: warm-up round`);
      await runOurs();
      await runTheirs();
      const ours: Measurement[] = [];
      const theirs: Measurement[] = [];
      for (let round = 0; round < rounds; round++) {
        progress(`${objects} objects, ${layout}: round ${round + 1} of ${rounds}`);
        ours.push(await runOurs());
        theirs.push(await runTheirs());
      }
      const failed = [...ours, ...theirs].find((m) => m.exitCode !== 0);
      if (failed) {
        throw new Error(
          `a validator rejected the generated input (${objects} objects, ${layout}): exit ${failed.exitCode}`,
        );
      }
      const wall = (runs: Measurement[]) => summarize(runs.map((m) => m.wallMs)).median;
      const peak = (runs: Measurement[]) => Math.max(...runs.map((m) => m.peakMb));
      rows.push([
        `${objects} objects, ${layout}`,
        ms(wall(ours)),
        `${peak(ours).toFixed(0)} MB`,
        ms(wall(theirs)),
        `${peak(theirs).toFixed(0)} MB`,
        `${(wall(ours) / wall(theirs)).toFixed(2)}×`,
      ]);
    }
  }
  fs.rmSync(inputDir, { recursive: true, force: true });
  return [
    `validation: npm run validate against kubeconform v0.8.0 -strict (Kubernetes 1.27 schemas), ` +
      `${rounds} alternated rounds each after a warm-up round, median wall time and highest peak memory`,
    table(
      ['input (ConfigMaps and Deployments, 10:1)', 'validate', 'peak', 'kubeconform', 'peak', 'validate / kubeconform'],
      rows,
    ),
    '',
    readerTable(Math.max(...(plan.sizes ?? [33000])), rounds, path.join(cacheDir, 'readers'), progress),
    '',
    await secondCoreTable(
      Math.max(...(plan.sizes ?? [33000])),
      rounds,
      (dir) => measure(node, [...validateArgs, dir], root),
      (dir, workers) => measure(kubeconform, [...kubeconformArgs, '-n', String(workers), dir], root),
      path.join(cacheDir, 'second-core'),
      progress,
    ),
  ].join('\n');
}

/**
 * Why the checker has a block reader of its own beside the general one (the `yaml` package's
 * parser and go-yaml.ts): the documents of the input, in files of 10, read in this process by
 * the block reader (which leaves what it does not model to the general reader) and by the
 * general reader alone, alternately.
 */
function readerTable(objects: number, rounds: number, workDir: string, progress: (line: string) => void): string {
  writeInput(workDir, { objects, layout: 'files of 10' });
  const texts: string[] = [];
  for (const file of fs.readdirSync(workDir).sort()) {
    const stream = new YamlDocumentStream(file, (doc) => texts.push(doc.text));
    stream.write(fs.readFileSync(path.join(workDir, file), 'utf8'));
    stream.end();
  }
  fs.rmSync(workDir, { recursive: true, force: true });
  const readers: Array<[string, (text: string) => unknown]> = [
    ['block reader, the rest by the general reader', (text) => readBlockYaml(text) ?? decodeYamlText(text)],
    ['general reader alone', (text) => decodeYamlText(text)],
  ];
  const walls: number[][] = readers.map(() => []);
  for (let round = 0; round <= rounds; round++) {
    progress(`readers, ${objects} objects: ${round === 0 ? 'warm-up round' : `round ${round} of ${rounds}`}`);
    for (const [index, [, read]] of readers.entries()) {
      const started = performance.now();
      for (const text of texts) {
        read(text);
      }
      if (round > 0) {
        walls[index].push(performance.now() - started);
      }
    }
  }
  return [
    `the readers: the ${texts.length} documents of ${objects} objects in files of 10, read in one process, ${rounds} alternated rounds after a warm-up round, median wall time`,
    table(
      ['reader', 'wall'],
      readers.map(([name], index) => [name, ms(summarize(walls[index]).median)]),
    ),
  ].join('\n');
}

/**
 * What the machine's second core gives each validator, on files of 10: validate on all files,
 * on half of them, and on both halves at once in two processes; kubeconform with one worker
 * and with its default four. Where two halves at once take as long as all files in one
 * process, a second process or thread cannot make validate faster.
 */
async function secondCoreTable(
  objects: number,
  rounds: number,
  validate: (dir: string) => Promise<Measurement>,
  kubeconform: (dir: string, workers: number) => Promise<Measurement>,
  workDir: string,
  progress: (line: string) => void,
): Promise<string> {
  const all = path.join(workDir, 'all');
  const halves = [path.join(workDir, 'half-1'), path.join(workDir, 'half-2')];
  writeInput(all, { objects, layout: 'files of 10' });
  const files = fs.readdirSync(all).sort();
  for (const [which, half] of halves.entries()) {
    fs.mkdirSync(half, { recursive: true });
    const share = which === 0 ? files.slice(0, files.length / 2) : files.slice(files.length / 2);
    for (const file of share) {
      fs.copyFileSync(path.join(all, file), path.join(half, file));
    }
  }
  spawnSync('sync');
  const runs: Array<[string, () => Promise<Measurement>]> = [
    ['validate, all files', () => validate(all)],
    ['validate, one half of the files', () => validate(halves[0])],
    [
      'validate, both halves at once (two processes)',
      async () => {
        const started = performance.now();
        const both = await Promise.all(halves.map((half) => validate(half)));
        return {
          ...both[0],
          wallMs: performance.now() - started,
          exitCode: both.find((m) => m.exitCode !== 0)?.exitCode ?? 0,
        };
      },
    ],
    ['kubeconform -n 1, all files', () => kubeconform(all, 1)],
    ['kubeconform (4 workers), all files', () => kubeconform(all, 4)],
  ];
  const walls: number[][] = runs.map(() => []);
  progress(`second core, ${objects} objects: warm-up round`);
  for (const [, run] of runs) {
    await run();
  }
  for (let round = 0; round < rounds; round++) {
    progress(`second core, ${objects} objects: round ${round + 1} of ${rounds}`);
    for (const [index, [name, run]] of runs.entries()) {
      const measured = await run();
      if (measured.exitCode !== 0) {
        throw new Error(`${name} rejected the generated input: exit ${measured.exitCode}`);
      }
      walls[index].push(measured.wallMs);
    }
  }
  fs.rmSync(workDir, { recursive: true, force: true });
  return [
    `the second core: ${objects} objects in files of 10, ${rounds} alternated rounds after a warm-up round, median wall time`,
    table(
      ['run', 'wall'],
      runs.map(([name], index) => [name, ms(summarize(walls[index]).median)]),
    ),
  ].join('\n');
}
