import * as fs from 'node:fs';
import * as path from 'node:path';
import { capLine, formatFinding, plural } from './findings';
import { type DocumentSink, manifestFilesOf, readManifestFile } from './load';
import { RULE_REGISTRY } from './rules';
import type { WholeNumberRange } from './syntax';
import { type Lesson, ManifestChecker } from './validate';

/** Where the command writes. */
export interface CommandOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** What the project around the checker sets for its command. */
export interface CommandSettings {
  /**
   * Folder checked when none is given.
   * @default 'dist'
   */
  readonly defaultDir?: string;
  /**
   * Lesson checked when the default folder is: its kubectl commands must work on the manifests.
   * @default - none
   */
  readonly defaultLesson?: string;
  /**
   * Replica counts that workloads may ask for, in the default folder (the project's own rule;
   * any other folder gets what the API server accepts).
   * @default - what the API server accepts
   */
  readonly replicas?: WholeNumberRange;
  /**
   * Folder that relative arguments are read from.
   * @default process.cwd()
   */
  readonly cwd?: string;
}

const usage = (defaultDir: string, defaultLesson: string | undefined) =>
  'usage: npm run validate -- [DIR] [--lesson FILE.md]\n' +
  '       npm run validate -- --rules   (each rule: what it looks at, and how to fix what it finds)\n' +
  `  DIR               folder of .yml/.yaml/.json manifests (default: ${defaultDir})\n` +
  '  --lesson FILE.md  also check that the kubectl commands of FILE.md work on them\n' +
  (defaultLesson ? `                    (default: ${defaultLesson} when DIR is ${defaultDir})` : '');

/**
 * `npm run validate -- [DIR]`: checks a folder of manifests, hand-written or
 * synthesized, with every rule, reading one document at a time.
 *
 * @returns the exit code: 0 valid (warnings allowed), 1 errors found, 2 bad usage
 */
export function runValidateCommand(
  args: readonly string[],
  output: CommandOutput,
  settings: CommandSettings = {},
): number {
  const cwd = settings.cwd ?? process.cwd();
  const defaultDir = settings.defaultDir ?? 'dist';
  const positional: string[] = [];
  let lessonFile: string | undefined;
  if (args.length === 1 && args[0] === '--rules') {
    for (const rule of RULE_REGISTRY) {
      output.out(`${rule.name} (${rule.scope}): ${rule.remediation}`);
    }
    return 0;
  }
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--lesson' && args[i + 1]) {
      lessonFile = args[++i];
    } else if (args[i] === '--help' || args[i].startsWith('-') || positional.length === 1) {
      output.err(usage(defaultDir, settings.defaultLesson));
      return 2;
    } else {
      positional.push(args[i]);
    }
  }
  const dir = positional[0] ?? defaultDir;
  const absoluteDir = path.resolve(cwd, dir);
  if (!fs.existsSync(absoluteDir) || !fs.statSync(absoluteDir).isDirectory()) {
    output.err(`${dir}: no such folder`);
    return 2;
  }
  // The project's own rules (its lesson, its replica range; an object written twice is two
  // constructs writing one) apply to its own folder only: any other folder is checked as
  // Kubernetes checks it.
  const ownFolder = path.resolve(cwd, defaultDir) === absoluteDir;
  if (
    lessonFile === undefined &&
    settings.defaultLesson !== undefined &&
    ownFolder &&
    fs.existsSync(path.resolve(cwd, settings.defaultLesson))
  ) {
    lessonFile = settings.defaultLesson;
  }
  let lesson: Lesson | undefined;
  if (lessonFile !== undefined) {
    const file = path.resolve(cwd, lessonFile);
    if (!fs.existsSync(file)) {
      output.err(`${lessonFile}: no such file`);
      return 2;
    }
    lesson = { name: lessonFile, markdown: fs.readFileSync(file, 'utf8') };
  }

  const files = manifestFilesOf(absoluteDir);
  if (files.length === 0) {
    output.err(`${dir}: no .yml, .yaml or .json files`);
    return 1;
  }
  const checker = new ManifestChecker({
    lesson,
    ...(ownFolder ? { replicas: settings.replicas } : {}),
    duplicatesAcrossFiles: ownFolder ? 'error' : 'warning',
  });
  const sink: DocumentSink = {
    document: (doc) => checker.check(doc),
    finding: (finding) => checker.addReadFinding(finding),
  };
  for (const name of files) {
    readManifestFile(path.join(absoluteDir, name), path.join(dir, name), sink);
  }
  const { findings, wiring, objects } = checker.finish();

  for (const f of findings) {
    (f.severity === 'error' ? output.err : output.out)(formatFinding(f));
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  for (const line of wiring) {
    output.out(capLine(line));
  }
  const checked =
    `${dir}: ${plural(files.length, 'file')}, ${plural(objects, 'object')}` +
    (lesson ? `, the kubectl commands of ${lesson.name}` : '');
  (errors ? output.err : output.out)(`${checked}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  return errors ? 1 : 0;
}
