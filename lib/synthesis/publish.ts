import * as fs from 'fs';
import * as path from 'path';
import { RenderedManifest } from './render';

/**
 * Writes manifests into `outdir` so that it holds exactly these files, or, on
 * any error, is left byte-identical to before.
 *
 * The files are written into a staging folder beside `outdir`; only when all
 * are written does a rename put the staging folder in place of `outdir`,
 * which also drops files no chart writes any more.
 *
 * @returns the paths written, joined to `outdir` as given
 */
export function publishManifests(outdir: string, manifests: readonly RenderedManifest[]): string[] {
  const parent = path.dirname(path.resolve(outdir));
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(outdir)}.staging-`));
  try {
    for (const manifest of manifests) {
      fs.writeFileSync(path.join(staging, manifest.file), manifest.yaml, { encoding: 'utf8' });
    }
    replaceDirectory(staging, outdir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return manifests.map((manifest) => path.join(outdir, manifest.file));
}

function replaceDirectory(replacement: string, target: string): void {
  if (!fs.existsSync(target)) {
    fs.renameSync(replacement, target);
    return;
  }
  const retired = `${replacement}.previous`;
  fs.renameSync(target, retired);
  try {
    fs.renameSync(replacement, target);
  } catch (error) {
    fs.renameSync(retired, target);
    throw error;
  }
  fs.rmSync(retired, { recursive: true, force: true });
}
