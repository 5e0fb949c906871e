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
 * package ships it. The document is never part of this project: it is fetched on
 * first use and kept, stripped to what the checks read, in a cache keyed by version.
 */

/** The Kubernetes release whose API the checker validates against. */
export const KUBERNETES_VERSION = '1.27';
/** The module version the document is read from: the last patch release of 1.27. */
export const KUBERNETES_MODULE = 'k8s.io/kubernetes@v1.27.16';
/** Path of the OpenAPI v2 document inside the module. */
const SPEC_IN_MODULE = path.join('api', 'openapi-spec', 'swagger.json');

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
   * A local copy of the OpenAPI v2 document to read instead of fetching the module.
   * @default - $CHECKER_OPENAPI_SPEC, else the document from the Go module
   */
  readonly specFile?: string;
  /**
   * Folder of the stripped, per-version cache.
   * @default - node_modules/.cache/k8s-checker beside the checker, else the system's temporary folder
   */
  readonly cacheDir?: string;
}

/** The cache folder: node_modules/.cache of the project the checker is installed in. */
export function defaultCacheDir(): string {
  let dir = __dirname;
  while (path.dirname(dir) !== dir) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) {
      return path.join(dir, 'node_modules', '.cache', 'k8s-checker');
    }
    dir = path.dirname(dir);
  }
  return path.join(os.tmpdir(), 'k8s-checker');
}

/** The folder of the downloaded module, fetching it through `go mod download` when Go has not cached it. */
export function downloadKubernetesModule(): string {
  const download = spawnSync('go', ['mod', 'download', '-json', KUBERNETES_MODULE], {
    // Outside any Go module, so that no go.mod around decides what is fetched.
    cwd: os.tmpdir(),
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (download.error) {
    const cause =
      (download.error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'the `go` command is not installed'
        : download.error.message;
    throw new Error(
      `the Kubernetes ${KUBERNETES_VERSION} API schema is not cached and cannot be fetched: ${cause}. ` +
        `Install Go (it fetches ${KUBERNETES_MODULE} from the Go module proxy), ` +
        'or set CHECKER_OPENAPI_SPEC to a copy of its api/openapi-spec/swagger.json',
    );
  }
  let reply: { Dir?: string; Error?: string } = {};
  try {
    reply = JSON.parse(download.stdout);
  } catch {
    // Reported below with what go printed.
  }
  if (download.status !== 0 || !reply.Dir) {
    const said = (reply.Error ?? download.stderr ?? '').trim().split('\n')[0];
    throw new Error(
      `the Kubernetes ${KUBERNETES_VERSION} API schema could not be fetched: go mod download ${KUBERNETES_MODULE} failed: ${said}. ` +
        'Check that the Go module proxy is reachable, or set CHECKER_OPENAPI_SPEC to a copy of its api/openapi-spec/swagger.json',
    );
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
 * The definitions of the Kubernetes 1.27 API, from the cache, or else read from
 * the OpenAPI document (fetched when needed) and cached for the next run.
 */
export function loadOpenApiDefinitions(source: OpenApiSource = {}): OpenApiDefinitions {
  const specFile = source.specFile ?? process.env.CHECKER_OPENAPI_SPEC;
  const cacheDir = source.cacheDir ?? defaultCacheDir();
  const cacheFile = path.join(cacheDir, `${KUBERNETES_MODULE.replace(/[/@]/g, '_')}.json`);
  if (!specFile) {
    try {
      return JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
    } catch {
      // Not cached yet (or cut short by a crash): read the document below.
    }
  }
  const documentFile = specFile ?? path.join(downloadKubernetesModule(), SPEC_IN_MODULE);
  const document = JSON.parse(fs.readFileSync(documentFile, 'utf8')) as {
    definitions?: Record<string, Record<string, unknown>>;
  };
  if (!document.definitions) {
    throw new Error(`${documentFile}: not an OpenAPI v2 document (it has no "definitions")`);
  }
  const definitions: OpenApiDefinitions = {
    module: KUBERNETES_MODULE,
    definitions: Object.fromEntries(
      Object.entries(document.definitions).map(([name, schema]) => [name, strip(schema)]),
    ),
  };
  if (!specFile) {
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      // Written aside and renamed, so that a concurrent run never reads half a file.
      const staging = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(staging, JSON.stringify(definitions));
      fs.renameSync(staging, cacheFile);
    } catch {
      // A read-only cache only costs the next run the slower load.
    }
  }
  return definitions;
}
