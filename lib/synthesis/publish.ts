import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describeError, isCode, lockPaths, type PublishLockOptions, removeLeftovers, withPublishLock } from './lock';
import { PublishError } from './publish-error';

/** A file to publish: its name within the output folder and its text. */
export interface ManifestFile {
  /** Plain file name ending in `.yml` or `.yaml`. */
  readonly file: string;
  readonly yaml: string;
}

const MANIFEST_NAME = /\.ya?ml$/;

/**
 * Publishes manifests into `outdir` so that it ends up holding exactly them.
 *
 * Why per-file renames: rename(2) replaces one file atomically, so at every
 * instant, a `kill -9` included, each file of the folder is complete, either
 * the earlier one or the new one. Swapping whole folders cannot do that with
 * the calls Node offers (there is no atomic exchange), and would replace the
 * folder itself, losing its mode or turning a symlinked folder into a plain one.
 * So the folder is never removed or replaced:
 *
 * 1. Under the publish lock (lock.ts), leftovers of interrupted synths are removed.
 * 2. The folder must be a manifests folder: missing, empty or holding only
 *    `.yml`/`.yaml` Kubernetes manifests, and must be neither `/`, `$HOME`,
 *    the working directory nor one of its parents. Anything else is refused
 *    before a byte is written, since stale files are deleted below.
 * 3. Every file is written and fsync'd in a staging folder beside the output
 *    folder (beside its real path when it is a symlink): the same file system,
 *    so renames stay atomic, and the output folder never holds a partial file,
 *    not even under a temporary name. (An output folder that is a mount point
 *    of its own fails the first rename with EXDEV, and nothing changes.)
 * 4. Each file is renamed over its namesake in the output folder.
 * 5. Only then are the `.yml`/`.yaml` files no manifest was written to deleted.
 *
 * A kill between 4 and 5 leaves stale but complete manifests, removed by the
 * next synth; a kill anywhere leaves at most a staging folder beside it, also
 * removed by the next synth.
 *
 * @returns the paths written, joined to `outdir` as given
 */
export function publishManifests(
  outdir: string,
  manifests: readonly ManifestFile[],
  options: PublishLockOptions = {},
): string[] {
  for (const manifest of manifests) {
    if (path.basename(manifest.file) !== manifest.file || !MANIFEST_NAME.test(manifest.file)) {
      throw new PublishError(
        `cannot publish '${manifest.file}': a manifest must be a plain file name ending in .yml or .yaml`,
      );
    }
  }
  const target = resolveOutputFolder(outdir);
  // Checked before the lock as well, so that a foreign folder gets no lock folder beside it.
  ownManifests(outdir, target, { parse: false });
  withPublishLock(
    target,
    () => {
      removeLeftovers(target);
      const stale = ownManifests(outdir, target, { parse: true }).filter(
        (file) => !manifests.some((m) => m.file === file),
      );
      try {
        fs.accessSync(target, fs.constants.W_OK | fs.constants.X_OK);
      } catch (error) {
        throw new PublishError(`cannot write ${outdir}: ${describeError(error)}; nothing in it changed`);
      }
      const staging = lockPaths(target).staging(process.pid, randomBytes(8).toString('hex'));
      let replaced = 0;
      try {
        fs.mkdirSync(staging);
        for (const manifest of manifests) {
          writeDurably(path.join(staging, manifest.file), manifest.yaml);
        }
        for (const manifest of manifests) {
          fs.renameSync(path.join(staging, manifest.file), path.join(target, manifest.file));
          replaced++;
        }
        syncFolder(target);
        for (const file of stale) {
          fs.rmSync(path.join(target, file), { force: true });
        }
        syncFolder(target);
      } catch (error) {
        const state =
          replaced === 0
            ? 'nothing in it changed'
            : `${replaced} of its ${manifests.length} files are new, the others as before, every one complete`;
        throw new PublishError(`cannot write ${outdir}: ${describeError(error)}; ${state}`);
      } finally {
        fs.rmSync(staging, { recursive: true, force: true });
      }
    },
    options,
  );
  return manifests.map((manifest) => path.join(outdir, manifest.file));
}

/**
 * The real path of the output folder, created when missing, after refusing
 * the folders whose files synth must never delete.
 */
function resolveOutputFolder(outdir: string): string {
  const absolute = path.resolve(outdir);
  let real: string;
  try {
    real = fs.realpathSync(absolute);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) {
      throw new PublishError(`cannot use ${outdir} as the output folder: ${describeError(error)}`);
    }
    if (fs.lstatSync(absolute, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new PublishError(
        `${outdir} is a symlink to a folder that does not exist: create ${fs.readlinkSync(absolute)} first`,
      );
    }
    real = absolute;
  }
  const protectedFolders = new Map<string, string>([
    [path.parse(real).root, 'the file system root'],
    [realOrSelf(os.homedir()), 'the home folder'],
  ]);
  const cwd = realOrSelf(process.cwd());
  if (protectedFolders.has(real) || cwd === real || cwd.startsWith(real.endsWith(path.sep) ? real : real + path.sep)) {
    const what =
      protectedFolders.get(real) ?? (cwd === real ? 'the working directory' : 'a parent of the working directory');
    throw new PublishError(
      `refusing to publish into ${outdir}: it is ${what}, and synth deletes the .yml/.yaml files of its output ` +
        'folder that no chart writes; give it a folder of its own, such as dist. Nothing was changed',
    );
  }
  const existing = fs.statSync(real, { throwIfNoEntry: false });
  if (existing !== undefined && !existing.isDirectory()) {
    throw new PublishError(`refusing to publish into ${outdir}: it is not a folder`);
  }
  try {
    fs.mkdirSync(real, { recursive: true });
  } catch (error) {
    throw new PublishError(`cannot create ${outdir}: ${describeError(error)}`);
  }
  return real;
}

/**
 * The manifest files of the output folder, after checking it holds nothing
 * else: every entry a `.yml`/`.yaml` file whose documents are all Kubernetes
 * objects (or empty). Anything else means the folder is not ours to clean.
 */
function ownManifests(outdir: string, target: string, check: { readonly parse: boolean }): string[] {
  const files: string[] = [];
  const foreign: string[] = [];
  for (const entry of fs.readdirSync(target, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = path.join(target, entry.name);
    if (!entry.isFile() || !MANIFEST_NAME.test(entry.name)) {
      foreign.push(entry.isDirectory() ? `${entry.name}/` : entry.name);
    } else if (check.parse && !isManifest(file)) {
      foreign.push(`${entry.name} (not a Kubernetes manifest)`);
    } else {
      files.push(entry.name);
    }
  }
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? ` and ${foreign.length - 5} more` : '');
    throw new PublishError(
      `refusing to publish into ${outdir}: it holds ${shown}; an output folder may hold only the ` +
        '.yml/.yaml manifests synth wrote, because synth deletes the ones it no longer writes. Nothing was changed',
    );
  }
  return files;
}

function isManifest(file: string): boolean {
  try {
    return parseAllDocuments(fs.readFileSync(file, 'utf8')).every((doc) => {
      if (doc.errors.length > 0) {
        return false;
      }
      const object: unknown = doc.toJS();
      return (
        object === null ||
        (typeof object === 'object' &&
          !Array.isArray(object) &&
          typeof (object as Record<string, unknown>).apiVersion === 'string' &&
          typeof (object as Record<string, unknown>).kind === 'string')
      );
    });
  } catch {
    return false;
  }
}

function writeDurably(file: string, text: string): void {
  const fd = fs.openSync(file, 'wx');
  try {
    fs.writeFileSync(fd, text, 'utf8');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes the renames themselves durable; file systems that cannot sync a folder are skipped. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch {
    // EISDIR/EINVAL/EPERM on some platforms: durability then rests on the file system.
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}

function realOrSelf(folder: string): string {
  try {
    return fs.realpathSync(folder);
  } catch {
    return path.resolve(folder);
  }
}
