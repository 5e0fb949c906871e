import * as fs from 'fs';
import * as path from 'path';
import { MANIFEST_DIR, WALKTHROUGH_DOCUMENT } from '../constants';
import { formatFinding } from './findings';
import { loadManifestDirectory } from './load';
import { validateManifests, Walkthrough } from './validate';
import { describeWiring } from './wiring';

const USAGE = 'usage: npm run validate -- [DIR] [--walkthrough FILE.md]\n'
  + '  DIR          folder of .yml/.yaml manifests (default: dist)\n'
  + '  --walkthrough also check that the kubectl commands of FILE.md work on them\n'
  + '               (default: README.md when DIR is dist)';

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** Where the command writes. */
export interface CommandOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/**
 * `npm run validate -- [DIR]`: checks a folder of manifests, hand-written or
 * synthesized, with every rule synthesis applies.
 *
 * @returns the exit code: 0 valid (warnings allowed), 1 errors found, 2 bad usage
 */
export function runValidateCommand(args: readonly string[], output: CommandOutput, cwd = process.cwd()): number {
  const positional: string[] = [];
  let walkthroughFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--walkthrough' && args[i + 1]) {
      walkthroughFile = args[++i];
    } else if (args[i] === '--help' || args[i].startsWith('-') || positional.length === 1) {
      output.err(USAGE);
      return 2;
    } else {
      positional.push(args[i]);
    }
  }
  const dir = positional[0] ?? MANIFEST_DIR;
  const absoluteDir = path.resolve(cwd, dir);
  if (!fs.existsSync(absoluteDir) || !fs.statSync(absoluteDir).isDirectory()) {
    output.err(`${dir}: no such folder`);
    return 2;
  }
  if (walkthroughFile === undefined && path.resolve(cwd, MANIFEST_DIR) === absoluteDir
    && fs.existsSync(path.resolve(cwd, WALKTHROUGH_DOCUMENT))) {
    walkthroughFile = WALKTHROUGH_DOCUMENT;
  }
  let walkthrough: Walkthrough | undefined;
  if (walkthroughFile !== undefined) {
    const file = path.resolve(cwd, walkthroughFile);
    if (!fs.existsSync(file)) {
      output.err(`${walkthroughFile}: no such file`);
      return 2;
    }
    walkthrough = { name: walkthroughFile, markdown: fs.readFileSync(file, 'utf8') };
  }

  const loaded = loadManifestDirectory(absoluteDir, dir);
  const findings = [...loaded.findings, ...validateManifests(loaded.docs, walkthrough)];
  findings.forEach((f) => (f.severity === 'error' ? output.err : output.out)(formatFinding(f)));
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const checked = `${dir}: ${plural(loaded.files.length, 'file')}, ${plural(loaded.docs.length, 'object')}`
    + (walkthrough ? `, the kubectl commands of ${walkthrough.name}` : '');
  if (loaded.files.length === 0) {
    output.err(`${dir}: no .yml or .yaml files`);
    return 1;
  }
  describeWiring(loaded.docs).forEach((line) => output.out(line));
  (errors ? output.err : output.out)(`${checked}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  return errors ? 1 : 0;
}
