import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JsonObject } from '@k8s-101/manifest-checker';
import { ApiObject, type App, YamlOutputType } from 'cdk8s';

/** One file `App.synth()` writes: its name within the output folder and its text. */
export interface RenderedManifest {
  /** File name, e.g. `homepage-pod.yml`: as `App.synth()` names it for the app's settings. */
  readonly file: string;
  /** The YAML text, byte for byte. */
  readonly yaml: string;
}

/** An API object as its construct rendered it, before any YAML was written. */
export interface RenderedObject {
  /** Path of the ApiObject construct, e.g. `homepage-pod/homepage/Resource`. */
  readonly constructPath: string;
  readonly object: JsonObject;
}

/** What rendering an app gives: the files `App.synth()` writes, and the objects they should hold. */
export interface RenderedApp {
  readonly manifests: RenderedManifest[];
  readonly objects: RenderedObject[];
}

/** An App setting that synthesis does not support; its message names the setting and what to use. */
export class UnsupportedAppSettingError extends Error {
  constructor(problem: string) {
    super(`cannot synthesize this App: ${problem}`);
    this.name = 'UnsupportedAppSettingError';
  }
}

/**
 * App settings a flat manifests folder cannot hold, with the reason. Everything else
 * (`outputFileExtension`, `FILE_PER_CHART`, `FILE_PER_APP`, `FILE_PER_RESOURCE`, `resolvers`)
 * is honoured because `App.synth()` itself does the writing.
 */
function unsupportedSetting(app: App): string | undefined {
  if (app.yamlOutputType === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE) {
    return 'yamlOutputType FOLDER_PER_CHART_FILE_PER_RESOURCE is not supported: synth publishes one flat folder of manifests; use FILE_PER_CHART, FILE_PER_APP or FILE_PER_RESOURCE';
  }
  // Private in cdk8s's types, and read by App.synth() when it writes.
  if ((app as unknown as { recordConstructMetadata: boolean }).recordConstructMetadata) {
    return 'recordConstructMetadata is not supported: synth publishes manifests only, and construct-metadata.json is not one; leave it unset (and CDK8S_RECORD_CONSTRUCT_METADATA too)';
  }
  return undefined;
}

/** Scratch folders are named `cdk8s-render-<pid>-<random>` in the system's temporary folder. */
const RENDER_PREFIX = 'cdk8s-render-';
const RENDER_FOLDER = /^cdk8s-render-(\d+)-/;

/** Whether a process with this ID exists (it may be another program that reused the ID). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the scratch folders of synths that were killed while rendering (`kill -9` leaves them):
 * those whose process no longer exists. A folder whose ID a live process holds is left alone.
 */
function removeDeadRenders(): void {
  for (const entry of fs.readdirSync(os.tmpdir())) {
    const owner = RENDER_FOLDER.exec(entry);
    if (owner && !isAlive(Number(owner[1]))) {
      fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
    }
  }
}

/**
 * Renders the app with cdk8s's own `App.synth()` into a private scratch folder and reads back
 * what it wrote, so that the files are exactly the ones `app.synth()` would write, for every
 * setting of the app, and nothing reaches the real output folder before it is validated.
 * The scratch folder is removed before this returns, also on error; those of killed synths are
 * removed by the next render.
 *
 * @returns the files in name order, and every ApiObject of the app rendered to JSON
 * @throws UnsupportedAppSettingError naming the setting, for app settings a flat manifests folder cannot hold;
 *   whatever `App.synth()` throws (construct validation, for one)
 */
export function renderApp(app: App): RenderedApp {
  const unsupported = unsupportedSetting(app);
  if (unsupported) {
    throw new UnsupportedAppSettingError(unsupported);
  }
  removeDeadRenders();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `${RENDER_PREFIX}${process.pid}-`));
  const outdir = app.outdir;
  try {
    // `outdir` is read-only in cdk8s's types only: App.synth() reads it when it writes.
    (app as { outdir: string }).outdir = scratch;
    app.synth();
    const manifests = fs
      .readdirSync(scratch)
      .sort()
      .map((file) => ({ file, yaml: fs.readFileSync(path.join(scratch, file), 'utf8') }));
    const objects = app.node
      .findAll()
      .filter((construct): construct is ApiObject => construct instanceof ApiObject)
      .map((apiObject) => ({ constructPath: apiObject.node.path, object: apiObject.toJson() as JsonObject }));
    return { manifests, objects };
  } finally {
    (app as { outdir: string }).outdir = outdir;
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
