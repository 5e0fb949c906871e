import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { MAX_REPLICAS, WALKTHROUGH_DOCUMENT } from '../constants';
import { formatFinding } from '../../checker/findings';
import { assertValid, validateManifests, Walkthrough } from '../../checker/validate';
import { publishManifests } from './publish';
import { renderCharts } from './render';

/** Options of `synthesize`. */
export interface SynthesizeOptions {
  /**
   * Folder that receives the manifests; it ends up holding exactly them.
   * @default - the app's outdir: `$CDK8S_OUTDIR` when `cdk8s synth` runs the app, else `dist`
   */
  readonly outdir?: string;
  /**
   * Markdown walkthrough whose kubectl commands must work on the manifests.
   * @default - README.md of the working directory, when there is one
   */
  readonly walkthroughFile?: string;
  /**
   * Prints each file written, and any warning.
   * @default console.log
   */
  readonly log?: (line: string) => void;
}

function readWalkthrough(file: string | undefined): Walkthrough | undefined {
  const chosen = file ?? (fs.existsSync(WALKTHROUGH_DOCUMENT) ? WALKTHROUGH_DOCUMENT : undefined);
  return chosen === undefined ? undefined : { name: chosen, markdown: fs.readFileSync(chosen, 'utf8') };
}

/**
 * Synthesizes every chart of the app into one `.yml` file each, validates
 * them with every rule of `npm run validate`, and only then replaces the
 * output folder with them. On any error the folder is left as it was and
 * the error, listing every problem found, is thrown.
 *
 * @returns the paths written
 */
export function synthesize(app: App, options: SynthesizeOptions = {}): string[] {
  const outdir = options.outdir ?? app.outdir;
  const log = options.log ?? console.log;
  const walkthrough = readWalkthrough(options.walkthroughFile);
  const manifests = renderCharts(app);
  const shownDir = path.relative(process.cwd(), path.resolve(outdir)) || '.';
  const docs = manifests.flatMap((m) => m.objects.map((object, index) => ({ file: path.join(shownDir, m.file), index, object })));
  const warnings = assertValid(validateManifests(docs, { walkthrough, replicas: { min: 0, max: MAX_REPLICAS } }));
  const written = publishManifests(outdir, manifests);
  warnings.forEach((w) => log(formatFinding(w)));
  written.forEach((file) => log(path.relative(process.cwd(), path.resolve(file))));
  return written;
}
