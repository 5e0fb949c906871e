import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  assertValid,
  formatFinding,
  type Lesson,
  parseManifestText,
  validateManifests,
} from '@k8s-101/manifest-checker';
import type { App } from 'cdk8s';
import { MAX_REPLICAS } from '../constants';
import { publishManifests } from './publish';
import { renderApp } from './render-app';
import { roundTripFindings } from './round-trip';

/**
 * Environment variable naming the folder to publish into when it is not the
 * app's outdir. `cdk8s synth` removes its output folder (the app's outdir,
 * `$CDK8S_OUTDIR`) before it runs the app, so cdk8s.yaml points the CLI at a
 * scratch folder and names the real output folder here.
 */
export const PUBLISH_DIR_VARIABLE = 'SYNTH_PUBLISH_DIR';

/** Options of `synthesize`. */
export interface SynthesizeOptions {
  /**
   * Folder the manifests are published into; it ends up holding exactly them.
   * It must be missing, empty or hold only `.yml`/`.yaml` manifests.
   * @default - `$SYNTH_PUBLISH_DIR` when set, else the app's outdir (`$CDK8S_OUTDIR`, else `dist`)
   */
  readonly outdir?: string;
  /**
   * Markdown lesson whose kubectl commands must work on the manifests.
   * @default - none: no lesson is checked
   */
  readonly lessonFile?: string;
  /**
   * Prints each file written, and any warning.
   * @default console.log
   */
  readonly log?: (line: string) => void;
}

/**
 * Synthesizes the app with its own `App.synth()` (so every App setting is
 * honoured, see `renderApp`), reads the files back as kubectl reads them,
 * checks that each object reads back as its construct rendered it, validates
 * them with every rule of `npm run validate`, and only then publishes them
 * into the output folder
 * (see `publishManifests` for how that stays safe when interrupted). On any
 * error the folder is left as it was and the error, listing every problem
 * found, is thrown.
 *
 * When `$SYNTH_PUBLISH_DIR` names a folder other than the app's outdir (as
 * under `cdk8s synth`), the app's outdir receives the same files, so that the
 * CLI finds its output folder.
 *
 * @returns the paths written
 */
export function synthesize(app: App, options: SynthesizeOptions = {}): string[] {
  const publishDir = process.env[PUBLISH_DIR_VARIABLE] || undefined;
  const outdir = options.outdir ?? publishDir ?? app.outdir;
  const log = options.log ?? console.log;
  const lesson = readLesson(options.lessonFile);
  const { manifests, objects } = renderApp(app);
  const shownDir = shown(outdir);
  // The bytes to be published are read back as kubectl will read them, and those objects are validated.
  const read = manifests.map((m) => parseManifestText(path.join(shownDir, m.file), m.yaml));
  const docs = read.flatMap((r) => r.docs);
  const findings = [
    ...read.flatMap((r) => r.findings),
    ...roundTripFindings(objects, docs),
    ...validateManifests(docs, { lesson, replicas: { min: 0, max: MAX_REPLICAS } }),
  ];
  const warnings = assertValid(findings);
  const written = publishManifests(outdir, manifests);
  if (options.outdir === undefined && publishDir !== undefined && path.resolve(app.outdir) !== path.resolve(outdir)) {
    publishManifests(app.outdir, manifests);
  }
  for (const warning of warnings) {
    log(formatFinding(warning));
  }
  for (const file of written) {
    log(shown(file));
  }
  return written;
}

function readLesson(file: string | undefined): Lesson | undefined {
  if (file === undefined) {
    return undefined;
  }
  try {
    return { name: shown(file), markdown: fs.readFileSync(file, 'utf8') };
  } catch (error) {
    throw new Error(`cannot read the lesson ${shown(file)}: ${(error as Error).message}`);
  }
}

/** A path as the user would type it from the working directory. */
function shown(file: string): string {
  return path.relative(process.cwd(), path.resolve(file)) || '.';
}
