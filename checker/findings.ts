import { type JsonObject, objectRef } from './manifest-model';
import type { RuleName } from './rule-names';

/** The rule a finding comes from: a name of the registry (rules/index.ts). */
export type Rule = RuleName;

/** Something wrong with a set of manifests, located as precisely as possible. */
export interface Finding {
  readonly rule: Rule;
  /** Errors stop synthesis and fail `npm run validate`; warnings are printed only. */
  readonly severity: 'error' | 'warning';
  /** File (and line, for documents) the finding is about. */
  readonly file: string;
  /** The object as Kind/name, or for the lesson rule the command. */
  readonly object: string;
  /** Field path within the object, e.g. `spec.template.spec.containers[0].image`. */
  readonly path: string;
  readonly message: string;
}

/** An object and its file: a document, or what a rule kept of one (its `Kind/name`). */
export interface ObjectPlace {
  readonly file: string;
  readonly object: JsonObject | string;
}

/** Builds findings about one object. */
export function findingAt(
  place: ObjectPlace,
  rule: Rule,
  path: string,
  message: string,
  severity: Finding['severity'] = 'error',
): Finding {
  const object = typeof place.object === 'string' ? place.object : objectRef(place.object);
  return { rule, severity, file: place.file, object, path, message };
}

/**
 * Longest line a finding prints as: a value quoted from a binary or generated
 * file could otherwise fill a terminal with one line.
 */
export const MAX_FINDING_LINE = 500;

/** The line, cut to MAX_FINDING_LINE characters with a note of its full length. */
export function capLine(line: string): string {
  if (line.length <= MAX_FINDING_LINE) {
    return line;
  }
  const cut = `… (${line.length} characters in all)`;
  return line.slice(0, MAX_FINDING_LINE - cut.length) + cut;
}

/** One line per finding: `file: Kind/name: path: [rule] message`, cut to MAX_FINDING_LINE characters. */
export function formatFinding(finding: Finding): string {
  const where = [finding.file, finding.object, finding.path].filter((part) => part !== '').join(': ');
  return capLine(`${finding.severity}: ${where}: [${finding.rule}] ${finding.message}`);
}

/** Appends a property or index to a field path. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${parent}[${key}]`;
  }
  return parent === '' ? key : `${parent}.${key}`;
}

/** The number and the noun, in the plural unless the number is 1. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
