import { ManifestDocument, objectRef } from '../manifest-model';

/** The checks a finding can come from. */
export type Rule = 'yaml' | 'schema' | 'names' | 'labels' | 'duplicate' | 'wiring' | 'lesson';

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

/** Builds findings about one document. */
export function findingAt(doc: ManifestDocument, rule: Rule, path: string, message: string,
  severity: Finding['severity'] = 'error'): Finding {
  return { rule, severity, file: doc.file, object: objectRef(doc.object), path, message };
}

/** One line per finding: `file: Kind/name: path: [rule] message`. */
export function formatFinding(finding: Finding): string {
  const where = [finding.file, finding.object, finding.path].filter((part) => part !== '').join(': ');
  return `${finding.severity}: ${where}: [${finding.rule}] ${finding.message}`;
}

/** Appends a property or index to a field path. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${parent}[${key}]`;
  }
  return parent === '' ? key : `${parent}.${key}`;
}
