import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type DocumentSink, MANIFEST_FILE, readManifestFile } from './load';

/**
 * The inputs of a check as kubeconform takes them: files, folders searched recursively for
 * `.yaml`, `.yml` and `.json` files, several of either, and `-` for standard input.
 */

/** `-`: the manifests are read from standard input. */
export const STDIN = '-';

/** One file to read, and how findings name it. */
export interface ManifestInput {
  /** Path to open; `-` for standard input. */
  readonly file: string;
  /** As findings name it: the path as the user wrote it, joined with the names found under a folder; `-` for stdin. */
  readonly shownAs: string;
}

/** What the paths given lead to: the files, and the paths that lead to nothing. */
export interface ExpandedInputs {
  readonly inputs: ManifestInput[];
  /** Messages such as `x.yaml: no such file or folder`, one per path that cannot be read. */
  readonly problems: string[];
}

/** What `cdk8s synth` writes beside the manifests when it records construct metadata: no manifest. */
export const CDK8S_METADATA_FILE = 'construct-metadata.json';

/**
 * Manifest files under a folder and its subfolders, in name order, each folder's files before its
 * subfolders'; cdk8s's `construct-metadata.json` is left out.
 */
export function manifestFilesUnder(dir: string): string[] {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  const files = entries
    .filter((entry) => entry.isFile() && MANIFEST_FILE.test(entry.name) && entry.name !== CDK8S_METADATA_FILE)
    .map((entry) => entry.name);
  const folders = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'));
  return [
    ...files,
    ...folders.flatMap((folder) =>
      manifestFilesUnder(path.join(dir, folder.name)).map((f) => path.join(folder.name, f)),
    ),
  ];
}

/**
 * The files the paths name, in the order given. A file is read whatever its name ends in; a
 * folder gives its `.yaml`, `.yml` and `.json` files, subfolders included (hidden ones left out).
 *
 * @param paths - as the user wrote them, relative to `cwd`
 */
export function expandInputs(paths: readonly string[], cwd: string): ExpandedInputs {
  const inputs: ManifestInput[] = [];
  const problems: string[] = [];
  for (const given of paths) {
    if (given === STDIN) {
      inputs.push({ file: STDIN, shownAs: STDIN });
      continue;
    }
    const absolute = path.resolve(cwd, given);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(`${given}: ${code === 'ENOENT' ? 'no such file or folder' : `cannot be read: ${code}`}`);
      continue;
    }
    if (!stat.isDirectory()) {
      inputs.push({ file: absolute, shownAs: given });
      continue;
    }
    const found = manifestFilesUnder(absolute);
    if (found.length === 0) {
      problems.push(`${given}: no .yaml, .yml or .json files in it or its subfolders`);
    }
    for (const name of found) {
      inputs.push({ file: path.join(absolute, name), shownAs: path.join(given, name) });
    }
  }
  return { inputs, problems };
}

/**
 * Reads one input into the sink. Standard input is read whole and written to a scratch file
 * first, so that it is decoded exactly as a file is (`/dev/stdin` cannot be opened when it is a
 * socket, as it is under some process supervisors).
 */
export function readInput(input: ManifestInput, sink: DocumentSink): void {
  if (input.file !== STDIN) {
    readManifestFile(input.file, input.shownAs, sink);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-checker-stdin-'));
  try {
    const file = path.join(dir, 'stdin.yaml');
    fs.writeFileSync(file, fs.readFileSync(0));
    readManifestFile(file, input.shownAs, sink);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
