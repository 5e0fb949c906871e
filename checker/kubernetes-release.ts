import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  downloadKubernetesModule,
  KUBERNETES_VERSION,
  loadOpenApiDefinitions,
  type OpenApiDefinitions,
  runGo,
  SPEC_IN_MODULE,
  stripDocument,
} from './openapi-artifact';

/**
 * The API definitions of any Kubernetes release `1.N` that the `k8s.io/kubernetes` Go module provides.
 *
 * 1.27 is the committed file (openapi-artifact.ts) and needs neither Go nor the network. Any other
 * minor release is read from the latest patch release of it that `go list -m -versions
 * k8s.io/kubernetes` lists, fetched once through `go mod download` (the Go module proxy, checked
 * against the checksum database), stripped as the committed file is, and kept in
 * `node_modules/.cache/kubernetes-api/vX.Y.Z.json`; later runs read that file and need no Go.
 */

/** A release as `--kubernetes-version` takes it: `1.N` (a patch, `1.N.P`, names its minor). */
export const RELEASE_PATTERN = /^v?1\.(\d+)(?:\.\d+)?$/;

/**
 * Where the definitions of releases other than the committed one are kept once fetched:
 * `node_modules/.cache/kubernetes-api` of the project the checker is installed in (or, in its own
 * repository, of the workspace around it).
 */
export const RELEASE_CACHE = (() => {
  const marker = `${path.sep}node_modules${path.sep}`;
  const installed = __dirname.lastIndexOf(marker);
  const nodeModules =
    installed >= 0 ? __dirname.slice(0, installed + marker.length - 1) : path.join(__dirname, '..', 'node_modules');
  return path.join(nodeModules, '.cache', 'kubernetes-api');
})();

/** How to find the definitions of a release. */
export interface ReleaseSource {
  /**
   * An OpenAPI v2 document (a release's `api/openapi-spec/swagger.json`) to read instead.
   * @default - the committed 1.27 definitions, or the module of the release
   */
  readonly openApiFile?: string;
  /**
   * Folder the fetched definitions are kept in.
   * @default RELEASE_CACHE
   */
  readonly cacheDir?: string;
}

/** The API of one release: its `1.N` name and its definitions. */
export interface KubernetesRelease {
  /** `1.N`, as messages name it. */
  readonly version: string;
  readonly definitions: OpenApiDefinitions;
}

/**
 * `1.N` of a release as the user wrote it.
 * @throws Error `--kubernetes-version "X": not a Kubernetes release such as 1.27`
 */
export function releaseName(written: string): string {
  const match = RELEASE_PATTERN.exec(written.trim());
  if (!match) {
    throw new Error(`--kubernetes-version ${JSON.stringify(written)}: not a Kubernetes release such as 1.27`);
  }
  return `1.${Number(match[1])}`;
}

/**
 * The module version of the latest patch release of a minor release, from `go list -m -versions`.
 * Pre-releases (`-alpha`, `-beta`, `-rc`) are left out.
 * @throws Error naming the release and the versions the module provides when it has none of it
 */
export function latestPatchModule(version: string): string {
  const listed = runGo(['list', '-m', '-versions', 'k8s.io/kubernetes'], version);
  const releases = listed.trim().split(/\s+/).slice(1);
  const patches = releases
    .filter((release) => release.startsWith(`v${version}.`) && !release.includes('-'))
    .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  if (patches.length === 0) {
    const minors = [...new Set(releases.filter((r) => !r.includes('-')).map((r) => r.slice(1, r.lastIndexOf('.'))))];
    throw new Error(
      `Kubernetes ${version}: the k8s.io/kubernetes module provides no such release (it provides ${minors.join(', ')})`,
    );
  }
  return `k8s.io/kubernetes@${patches[patches.length - 1]}`;
}

/** Reads a whole OpenAPI v2 document and strips it as the committed definitions are. */
function definitionsOfDocument(file: string, module: string): OpenApiDefinitions {
  let document: unknown;
  try {
    document = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot be read as an OpenAPI v2 document: ${(error as Error).message}`);
  }
  return stripDocument(document as Parameters<typeof stripDocument>[0], file, module);
}

/** Writes aside and renames, so that a concurrent run never reads half a file. */
function writeCached(file: string, definitions: OpenApiDefinitions): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify(definitions));
    fs.renameSync(`${file}.${process.pid}`, file);
  } catch {
    // A cache that cannot be written is no error: the next run fetches again.
  }
}

/**
 * The definitions of a Kubernetes release: 1.27 from the repository, any other from the module
 * of its latest patch release (fetched once and cached), or from `openApiFile`.
 *
 * @param written - `1.N` as the user wrote it (`1.N.P` and a leading `v` are taken too)
 * @throws Error naming what is wrong: the release, the document, or why Go could not fetch it
 */
export function kubernetesRelease(written: string = KUBERNETES_VERSION, source: ReleaseSource = {}): KubernetesRelease {
  const version = releaseName(written);
  if (source.openApiFile !== undefined) {
    return { version, definitions: definitionsOfDocument(source.openApiFile, `${source.openApiFile} (${version})`) };
  }
  if (version === KUBERNETES_VERSION) {
    return { version, definitions: loadOpenApiDefinitions() };
  }
  const cacheDir = source.cacheDir ?? RELEASE_CACHE;
  const cachedLatest = path.join(cacheDir, `latest-v${version}`);
  const cachedModule = fs.existsSync(cachedLatest) ? fs.readFileSync(cachedLatest, 'utf8').trim() : undefined;
  if (cachedModule) {
    const file = path.join(cacheDir, `${cachedModule.slice(cachedModule.indexOf('@') + 1)}.json`);
    if (fs.existsSync(file)) {
      return { version, definitions: JSON.parse(fs.readFileSync(file, 'utf8')) };
    }
  }
  const module = latestPatchModule(version);
  const definitions = definitionsOfDocument(path.join(downloadKubernetesModule(module), SPEC_IN_MODULE), module);
  writeCached(path.join(cacheDir, `${module.slice(module.indexOf('@') + 1)}.json`), definitions);
  try {
    fs.writeFileSync(cachedLatest, module);
  } catch {
    // As above.
  }
  return { version, definitions };
}
