import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where the Kubernetes API schema comes from: the OpenAPI v2 document that the
 * Kubernetes project publishes in its own repository (`api/openapi-spec/swagger.json`),
 * taken from the versioned `k8s.io/kubernetes` Go module that the Go module
 * proxy serves, through `go mod download`, Go's ordinary client, which checks
 * the module against the checksum database.
 *
 * Why this artifact: it is the primary source every other schema set (kubeconform's,
 * kubernetes-models', kubernetes-validate's) is generated from; it is versioned
 * and checksummed; and it is reachable from the package registries alone. No npm
 * package ships it. Stripped to what the checks read (201 kB of the document's 3.6 MB),
 * it is committed beside this file as `kubernetes-api/<module version>.json`, so checking
 * needs neither Go nor the network; `writeCommittedDefinitions` regenerates it from the module
 * (`npm run import`), and a test compares the two wherever Go is installed.
 */

/** The Kubernetes release whose API the checker validates against. */
export const KUBERNETES_VERSION = '1.27';
/** The module version the document is read from: the last patch release of 1.27. */
export const KUBERNETES_MODULE = 'k8s.io/kubernetes@v1.27.16';
/** Path of the OpenAPI v2 document inside the module. */
export const SPEC_IN_MODULE = path.join('api', 'openapi-spec', 'swagger.json');
/** The committed definitions: the module's document, stripped (see `stripDocument`). */
export const COMMITTED_DEFINITIONS = path.join(
  __dirname,
  'kubernetes-api',
  `${KUBERNETES_MODULE.slice(KUBERNETES_MODULE.indexOf('@') + 1)}.json`,
);

/** A schema of the OpenAPI v2 document, reduced to the keywords the checks use. */
export interface OpenApiSchema {
  readonly $ref?: string;
  readonly type?: string;
  readonly format?: string;
  readonly properties?: Readonly<Record<string, OpenApiSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: OpenApiSchema | boolean;
  readonly items?: OpenApiSchema;
  readonly 'x-kubernetes-group-version-kind'?: ReadonlyArray<{ group: string; version: string; kind: string }>;
}

/** The definitions of the API, by name such as `io.k8s.api.apps.v1.Deployment`. */
export interface OpenApiDefinitions {
  readonly module: string;
  readonly definitions: Readonly<Record<string, OpenApiSchema>>;
}

/** Settings of `loadOpenApiDefinitions`. */
export interface OpenApiSource {
  /**
   * A local copy of an OpenAPI v2 document to read instead of the committed definitions.
   * @default - $CHECKER_OPENAPI_SPEC, else the committed Kubernetes 1.27 definitions
   */
  readonly specFile?: string;
}

/**
 * The error of a `go` command that could not fetch what a release's schema needs: the command, its
 * cause, and what to do, which depends on whether Go is missing or cannot reach the module proxy.
 */
function cannotFetch(release: string, command: string, cause: string, goMissing: boolean): Error {
  const remedy = goMissing
    ? 'Install Go (it fetches the module from the Go module proxy)'
    : 'Check that Go can reach the Go module proxy (GOPROXY)';
  return new Error(
    `the Kubernetes ${release} API schema is not cached and cannot be fetched: ${command}: ${cause}. ` +
      `${remedy}, or give --openapi FILE, a copy of its api/openapi-spec/swagger.json`,
  );
}

/**
 * Runs `go ARGS` outside any Go module, so that no go.mod around decides what is fetched.
 * @param release - the release whose schema is wanted, for the error
 * @returns stdout, when the command succeeded or `acceptFailure` is set; stderr in the thrown error
 * @throws Error (see `cannotFetch`) when Go is missing, or the command fails and `acceptFailure` is unset
 */
export function runGo(args: readonly string[], release: string, acceptFailure = false): string {
  const run = spawnSync('go', args, {
    cwd: os.tmpdir(),
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const command = `go ${args.join(' ')}`;
  if (run.error) {
    const goMissing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw cannotFetch(release, command, goMissing ? 'the `go` command is not installed' : run.error.message, goMissing);
  }
  if (run.status !== 0 && !acceptFailure) {
    throw cannotFetch(release, command, run.stderr.trim().split('\n')[0], false);
  }
  return run.stdout;
}

/**
 * The folder of the downloaded module, fetching it through `go mod download` when Go has not cached it.
 * @param module - `k8s.io/kubernetes@vX.Y.Z`
 */
export function downloadKubernetesModule(module = KUBERNETES_MODULE): string {
  const release = module.replace(/^.*@v(\d+\.\d+).*$/, '$1');
  // `go mod download -json` reports its own failures in its JSON reply, read below.
  const stdout = runGo(['mod', 'download', '-json', module], release, true);
  let reply: { Dir?: string; Error?: string } = {};
  try {
    reply = JSON.parse(stdout);
  } catch {
    // Reported below.
  }
  if (!reply.Dir) {
    throw cannotFetch(release, `go mod download ${module}`, (reply.Error ?? 'no module folder').split('\n')[0], false);
  }
  return reply.Dir;
}

// Descriptions make up most of the document and no check reads them.
const KEPT_KEYWORDS = new Set([
  '$ref',
  'type',
  'format',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'x-kubernetes-group-version-kind',
]);

function strip(schema: Record<string, unknown>): OpenApiSchema {
  const kept: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (!KEPT_KEYWORDS.has(keyword)) {
      continue;
    }
    if (keyword === 'properties') {
      kept.properties = Object.fromEntries(
        Object.entries(value as Record<string, Record<string, unknown>>).map(([name, property]) => [
          name,
          strip(property),
        ]),
      );
    } else if ((keyword === 'items' || keyword === 'additionalProperties') && typeof value === 'object') {
      kept[keyword] = strip(value as Record<string, unknown>);
    } else {
      kept[keyword] = value;
    }
  }
  return kept as OpenApiSchema;
}

/**
 * An OpenAPI v2 document reduced to the definitions and keywords the checks read.
 * @param name - shown in the error when the document has no `definitions`
 * @param module - the module the document comes from, as the result records it
 * @throws Error `NAME: not an OpenAPI v2 document (it has no "definitions")`
 */
export function stripDocument(
  document: { definitions?: Record<string, Record<string, unknown>> },
  name: string,
  module = KUBERNETES_MODULE,
) {
  if (!document.definitions) {
    throw new Error(`${name}: not an OpenAPI v2 document (it has no "definitions")`);
  }
  return {
    module,
    definitions: Object.fromEntries(
      Object.entries(document.definitions).map(([definition, schema]) => [definition, strip(schema)]),
    ),
  } satisfies OpenApiDefinitions;
}

/** The committed definitions as they should read, from the module (fetched through Go when not cached). */
export function definitionsFromModule(): string {
  const documentFile = path.join(downloadKubernetesModule(), SPEC_IN_MODULE);
  // One definition per line: small diffs when the module version moves.
  const { module, definitions } = stripDocument(JSON.parse(fs.readFileSync(documentFile, 'utf8')), documentFile);
  const lines = Object.entries(definitions).map(
    ([name, schema]) => `  ${JSON.stringify(name)}: ${JSON.stringify(schema)}`,
  );
  return `{"module": ${JSON.stringify(module)}, "definitions": {\n${lines.join(',\n')}\n}}\n`;
}

/**
 * The definitions of the Kubernetes 1.27 API: the committed file, or the given OpenAPI document.
 * @throws Error naming the document when it cannot be read or is not an OpenAPI v2 document
 */
export function loadOpenApiDefinitions(source: OpenApiSource = {}): OpenApiDefinitions {
  const specFile = source.specFile ?? process.env.CHECKER_OPENAPI_SPEC;
  if (!specFile) {
    // A literal require, so that a bundle of the checker carries the definitions with it.
    return require('./kubernetes-api/v1.27.16.json');
  }
  return stripDocument(JSON.parse(fs.readFileSync(specFile, 'utf8')), specFile);
}
