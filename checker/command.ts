import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCustomResourceDefinition } from './custom-resources';
import type { Finding } from './findings';
import { kubernetesRelease } from './kubernetes-release';
import type { DocumentSink } from './load';
import { expandInputs, readInput } from './manifest-inputs';
import type { ManifestDocument } from './manifest-model';
import { EXIT_CODES, findingsOutput, OUTPUT_FORMATS, type OutputFormat } from './output-formats';
import { RULE_REGISTRY, ruleNamed } from './rules';
import { type CompiledSchema, compileSchema } from './schema';
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
  /**
   * How the command is run, for its usage text.
   * @default 'manifest-checker'
   */
  readonly commandName?: string;
}

const usage = (command: string, defaultDir: string, defaultLesson: string | undefined) =>
  [
    `usage: ${command} [PATH...] [options]`,
    `       ${command} --rules   (each rule: what it looks at, and how to fix what it finds)`,
    `  PATH                       a manifest file, a folder (its .yaml, .yml and .json files, subfolders`,
    `                             included), or - for standard input; several may be given (default: ${defaultDir})`,
    '  -o, --output FORMAT        text (default), json or junit',
    '  --kubernetes-version 1.N   the Kubernetes release whose API the objects are checked against (default: 1.27)',
    "  --openapi FILE             that release's OpenAPI v2 document (api/openapi-spec/swagger.json), read instead",
    '  --crd PATH                 CustomResourceDefinitions to check custom resources against (repeatable)',
    '  --missing-schemas error    a kind that no schema describes is an error (default: a warning)',
    '  --lesson FILE.md           also check that the kubectl commands of FILE.md work on the manifests' +
      (defaultLesson ? `\n                             (default: ${defaultLesson} when PATH is ${defaultDir})` : ''),
    'exit codes: 0 no error (warnings allowed), 1 errors found, 2 bad usage or input that cannot be read',
  ].join('\n');

/** The command line, read. */
interface CommandArguments {
  readonly paths: string[];
  readonly format: OutputFormat;
  readonly lesson?: string;
  readonly kubernetesVersion?: string;
  readonly openApiFile?: string;
  readonly crds: string[];
  readonly missingSchema: Finding['severity'];
}

const OPTIONS_WITH_VALUES = new Set([
  '-o',
  '--output',
  '--lesson',
  '--kubernetes-version',
  '--openapi',
  '--crd',
  '--missing-schemas',
]);

/** Reads the arguments; a string is what is wrong with them. */
function parseArguments(args: readonly string[]): CommandArguments | string {
  const paths: string[] = [];
  const crds: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith('--') ? args[i].split(/=(.*)/s, 2) : [args[i], undefined];
    if (OPTIONS_WITH_VALUES.has(flag)) {
      const value = inline ?? args[++i];
      if (value === undefined) {
        return `${flag} needs a value`;
      }
      if (flag === '--crd') {
        crds.push(value);
      } else {
        values.set(flag === '-o' ? '--output' : flag, value);
      }
    } else if (args[i] === '-' || !args[i].startsWith('-')) {
      paths.push(args[i]);
    } else {
      return `unknown option ${args[i]}`;
    }
  }
  const format = values.get('--output') ?? 'text';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    return `--output ${format}: not one of ${OUTPUT_FORMATS.join(', ')}`;
  }
  const missing = values.get('--missing-schemas') ?? 'warning';
  if (missing !== 'warning' && missing !== 'error') {
    return `--missing-schemas ${missing}: not one of error, warning`;
  }
  return {
    paths,
    format: format as OutputFormat,
    lesson: values.get('--lesson'),
    kubernetesVersion: values.get('--kubernetes-version'),
    openApiFile: values.get('--openapi'),
    crds,
    missingSchema: missing,
  };
}

/** The CustomResourceDefinitions of the `--crd` paths; problems as messages. */
function readDefinitions(crds: readonly string[], cwd: string, problems: string[]): ManifestDocument[] {
  const { inputs, problems: missing } = expandInputs(crds, cwd);
  problems.push(...missing.map((message) => `--crd ${message}`));
  const definitions: ManifestDocument[] = [];
  for (const input of inputs) {
    readInput(input, {
      document: (doc) => {
        if (isCustomResourceDefinition(doc.object)) {
          definitions.push(doc);
        }
      },
      finding: (finding) => problems.push(`--crd ${finding.file}: ${finding.message}`),
    });
  }
  return definitions;
}

/** The schema the arguments ask for; undefined for the default (committed 1.27) one. */
function schemaOf(parsed: CommandArguments): CompiledSchema | undefined {
  if (parsed.kubernetesVersion === undefined && parsed.openApiFile === undefined) {
    return undefined;
  }
  const release = kubernetesRelease(parsed.kubernetesVersion, { openApiFile: parsed.openApiFile });
  return compileSchema(release.definitions, release.version);
}

/**
 * `manifest-checker [PATH...]` (`npm run validate -- [PATH...]` in this project): checks manifests,
 * hand-written or synthesized, with every rule, reading one document at a time.
 *
 * @returns the exit code: 0 no error (warnings allowed), 1 errors found, 2 bad usage or input that cannot be read
 */
export function runValidateCommand(
  args: readonly string[],
  output: CommandOutput,
  settings: CommandSettings = {},
): number {
  const cwd = settings.cwd ?? process.cwd();
  const defaultDir = settings.defaultDir ?? 'dist';
  if (args.length === 1 && args[0] === '--rules') {
    for (const rule of RULE_REGISTRY) {
      output.out(`${rule.name} (${rule.scope}): ${rule.remediation}`);
    }
    return EXIT_CODES.clean;
  }
  if (args.includes('--help') || args.includes('-h')) {
    output.out(usage(settings.commandName ?? 'manifest-checker', defaultDir, settings.defaultLesson));
    return EXIT_CODES.clean;
  }
  const parsed = parseArguments(args);
  if (typeof parsed === 'string') {
    output.err(
      (parsed ? `${parsed}\n` : '') +
        usage(settings.commandName ?? 'manifest-checker', defaultDir, settings.defaultLesson),
    );
    return EXIT_CODES.usage;
  }
  const paths = parsed.paths.length ? parsed.paths : [defaultDir];
  // The project's own rules (its lesson, its replica range; an object written twice is two
  // constructs writing one) apply to its own folder only: any other input is checked as
  // Kubernetes checks it.
  const ownFolder = paths.length === 1 && path.resolve(cwd, paths[0]) === path.resolve(cwd, defaultDir);
  let lessonFile = parsed.lesson;
  if (lessonFile === undefined && settings.defaultLesson !== undefined && ownFolder) {
    lessonFile = fs.existsSync(path.resolve(cwd, settings.defaultLesson)) ? settings.defaultLesson : undefined;
  }
  const problems: string[] = [];
  let lesson: Lesson | undefined;
  if (lessonFile !== undefined) {
    const file = path.resolve(cwd, lessonFile);
    if (fs.existsSync(file)) {
      lesson = { name: lessonFile, markdown: fs.readFileSync(file, 'utf8') };
    } else {
      problems.push(`${lessonFile}: no such file`);
    }
  }
  const { inputs, problems: unreadable } = expandInputs(paths, cwd);
  problems.push(...unreadable);
  const customResourceDefinitions = readDefinitions(parsed.crds, cwd, problems);
  let schema: CompiledSchema | undefined;
  try {
    schema = schemaOf(parsed);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) {
    for (const problem of problems) {
      output.err(problem);
    }
    return EXIT_CODES.usage;
  }
  return checkInputs(inputs, output, parsed.format, {
    checked: paths.join(', '),
    checker: new ManifestChecker({
      lesson,
      ...(ownFolder ? { replicas: settings.replicas } : {}),
      duplicatesAcrossFiles: ownFolder ? 'error' : 'warning',
      ...(schema ? { schema } : {}),
      customResourceDefinitions,
      missingSchema: parsed.missingSchema,
    }),
    lesson,
  });
}

/** Reads and checks the inputs, writes the findings in the format asked for, and gives the exit code. */
function checkInputs(
  inputs: ReturnType<typeof expandInputs>['inputs'],
  output: CommandOutput,
  format: OutputFormat,
  run: { checked: string; checker: ManifestChecker; lesson?: Lesson },
): number {
  const { checker } = run;
  const sink: DocumentSink = {
    document: (doc) => checker.check(doc),
    finding: (finding) => checker.addReadFinding(finding),
  };
  for (const input of inputs) {
    readInput(input, sink);
  }
  const { findings, wiring, objects } = checker.finish();
  const writer = findingsOutput(format, output, (rule) => ruleNamed(rule as Finding['rule'])?.remediation);
  for (const finding of findings) {
    writer.write(finding);
  }
  writer.flush({
    checked: run.checked,
    files: inputs.length,
    objects,
    wiring,
    rules: RULE_REGISTRY.map((rule) => rule.name),
    ...(run.lesson ? { also: `the kubectl commands of ${run.lesson.name}` } : {}),
  });
  return findings.some((f) => f.severity === 'error') ? EXIT_CODES.findings : EXIT_CODES.clean;
}
