import * as path from 'path';
import { App } from 'cdk8s';
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
   * Prints each file written.
   * @default console.log
   */
  readonly log?: (line: string) => void;
}

/**
 * Synthesizes every chart of the app into one `.yml` file each and replaces
 * the output folder with them only when all of them were rendered; on error
 * the folder is left as it was.
 *
 * @returns the paths written
 */
export function synthesize(app: App, options: SynthesizeOptions = {}): string[] {
  const outdir = options.outdir ?? app.outdir;
  const log = options.log ?? console.log;
  const written = publishManifests(outdir, renderCharts(app));
  for (const file of written) {
    log(path.relative(process.cwd(), path.resolve(file)));
  }
  return written;
}
