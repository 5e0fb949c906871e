import { capLine, type Finding, formatFinding, plural } from './findings';

/**
 * The ways a check's findings are written, behind one small interface, after kubeconform's
 * `output` package: each finding is written as it is handed over, and `flush` ends the output
 * with the summary. `text` is for people; `json` and `junit` are for CI.
 */

/** The formats `-o` takes. */
export const OUTPUT_FORMATS = ['text', 'json', 'junit'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Exit codes of the command. */
export const EXIT_CODES = {
  /** No error (warnings allowed). */
  clean: 0,
  /** At least one finding is an error. */
  findings: 1,
  /** Bad usage, or input that cannot be read: a path that does not exist or names no manifest file. */
  usage: 2,
} as const;

/** Where the output goes, line by line. */
export interface OutputStreams {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** What was checked, for the last line (text) or the summary object (json, junit). */
export interface RunSummary {
  /** What was checked, as the user named it: `dist`, `a.yaml, b/`. */
  readonly checked: string;
  readonly files: number;
  readonly objects: number;
  /** Lines on the wiring found (a Service and the Pods it selects), printed by text only. */
  readonly wiring?: readonly string[];
  /** Every rule, in order: junit writes a suite for each, passing when it found nothing. */
  readonly rules: readonly string[];
  /** What else was checked, for the text summary: `the kubectl commands of README.md`. */
  readonly also?: string;
}

/** A format: findings are written as they come, the summary ends the output. */
export interface FindingsOutput {
  write(finding: Finding): void;
  flush(summary: RunSummary): void;
}

/** The one-line remediation of a rule, where the caller knows it. */
export type Remediation = (rule: string) => string | undefined;

const countErrors = (findings: readonly Finding[]) => findings.filter((f) => f.severity === 'error').length;

/** Today's lines: errors to stderr, warnings and the wiring to stdout, and a summary line. */
class TextOutput implements FindingsOutput {
  private errors = 0;
  private warnings = 0;

  constructor(private readonly streams: OutputStreams) {}

  write(finding: Finding): void {
    if (finding.severity === 'error') {
      this.errors++;
      this.streams.err(formatFinding(finding));
    } else {
      this.warnings++;
      this.streams.out(formatFinding(finding));
    }
  }

  flush(summary: RunSummary): void {
    for (const line of summary.wiring ?? []) {
      this.streams.out(capLine(line));
    }
    const line =
      `${summary.checked}: ${plural(summary.files, 'file')}, ${plural(summary.objects, 'object')}` +
      `${summary.also ? `, ${summary.also}` : ''}: ` +
      `${plural(this.errors, 'error')}, ${plural(this.warnings, 'warning')}`;
    (this.errors ? this.streams.err : this.streams.out)(line);
  }
}

/** A format that writes one document at the end: it collects the findings until then. */
abstract class DocumentOutput implements FindingsOutput {
  protected readonly findings: Finding[] = [];

  constructor(
    protected readonly streams: OutputStreams,
    protected readonly remediation: Remediation,
  ) {}

  write(finding: Finding): void {
    this.findings.push(finding);
  }

  abstract flush(summary: RunSummary): void;
}

/** One JSON document on stdout: `{"findings": [...], "summary": {...}}`, findings in rule order. */
class JsonOutput extends DocumentOutput {
  flush(summary: RunSummary): void {
    const errors = countErrors(this.findings);
    const document = {
      findings: this.findings.map((finding) => {
        const remediation = this.remediation(finding.rule);
        return { ...finding, ...(remediation ? { remediation } : {}) };
      }),
      summary: {
        checked: summary.checked,
        files: summary.files,
        objects: summary.objects,
        errors,
        warnings: this.findings.length - errors,
      },
    };
    this.streams.out(JSON.stringify(document, null, 2));
  }
}

/** Text as an XML attribute or element may hold it: markup escaped, characters XML 1.0 forbids dropped. */
export function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * JUnit XML, as CI systems read test reports: a test suite per rule, a test case per finding
 * (an error is a failure, a warning passes with its text as output), and one passing case for a
 * rule that found nothing, so that a clean run still counts its tests.
 */
class JunitOutput extends DocumentOutput {
  private testCase(finding: Finding): string {
    const name = xmlText([finding.object, finding.path].filter((part) => part !== '').join(' ') || finding.file);
    const open = `    <testcase name="${name}" classname="${xmlText(finding.file)}">`;
    const fix = this.remediation(finding.rule);
    const body = xmlText(formatFinding(finding) + (fix ? `\nhow to fix: ${fix}` : ''));
    if (finding.severity === 'error') {
      return `${open}\n      <failure message="${xmlText(finding.message)}" type="${finding.rule}">${body}</failure>\n    </testcase>`;
    }
    return `${open}\n      <system-out>${body}</system-out>\n    </testcase>`;
  }

  flush(summary: RunSummary): void {
    const suites = summary.rules.map((rule) => {
      const found = this.findings.filter((finding) => finding.rule === rule);
      const failures = countErrors(found);
      const cases = found.length
        ? found.map((finding) => this.testCase(finding))
        : [`    <testcase name="${plural(summary.objects, 'object')}" classname="${rule}"/>`];
      return [
        `  <testsuite name="${rule}" tests="${Math.max(found.length, 1)}" failures="${failures}" errors="0">`,
        ...cases,
        '  </testsuite>',
      ].join('\n');
    });
    const tests = summary.rules.reduce(
      (sum, rule) => sum + Math.max(this.findings.filter((f) => f.rule === rule).length, 1),
      0,
    );
    this.streams.out(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites name="${xmlText(summary.checked)}" tests="${tests}" failures="${countErrors(this.findings)}" errors="0">`,
        ...suites,
        '</testsuites>',
      ].join('\n'),
    );
  }
}

/**
 * The output of a format.
 * @param remediation - the one-line fix of a rule, written with each finding by json and junit
 */
export function findingsOutput(
  format: OutputFormat,
  streams: OutputStreams,
  remediation: Remediation = () => undefined,
): FindingsOutput {
  switch (format) {
    case 'json':
      return new JsonOutput(streams, remediation);
    case 'junit':
      return new JunitOutput(streams, remediation);
    default:
      return new TextOutput(streams);
  }
}
