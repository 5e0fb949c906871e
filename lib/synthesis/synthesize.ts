import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { MANIFEST_DIR, MAX_REPLICAS, WALKTHROUGH_DOCUMENT } from '../constants';
import { ManifestDocument } from '../../checker/manifest-model';
import { formatFinding } from '../../checker/findings';
import { renderWiringDiagram, withDiagram } from '../wiring-diagram';
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
   * Markdown document whose wiring diagram (between its markers) is redrawn from the manifests.
   * @default - README.md of the working directory when writing to its `dist` folder, else none
   */
  readonly diagramFile?: string;
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
  const diagramFile = options.diagramFile
    ?? (path.resolve(outdir) === path.resolve(MANIFEST_DIR) && fs.existsSync(WALKTHROUGH_DOCUMENT) ? WALKTHROUGH_DOCUMENT : undefined);
  const diagramMarkdown = diagramFile === walkthrough?.name ? walkthrough?.markdown : undefined;
  if (diagramFile !== undefined && redrawDiagram(diagramFile, docs, diagramMarkdown)) {
    written.push(diagramFile);
  }
  warnings.forEach((w) => log(formatFinding(w)));
  written.forEach((file) => log(path.relative(process.cwd(), path.resolve(file))));
  return written;
}

/** Rewrites the diagram between the document's markers; true when the document changed. */
function redrawDiagram(file: string, docs: readonly ManifestDocument[], alreadyRead?: string): boolean {
  const markdown = alreadyRead ?? fs.readFileSync(file, 'utf8');
  const redrawn = withDiagram(markdown, renderWiringDiagram(docs));
  if (redrawn === undefined || redrawn === markdown) {
    return false;
  }
  const staging = `${file}.staging-${process.pid}`;
  fs.writeFileSync(staging, redrawn, 'utf8');
  fs.renameSync(staging, file);
  return true;
}
