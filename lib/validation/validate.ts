import { ManifestDocument } from '../manifest-model';
import { Finding, formatFinding } from './findings';
import { checkWalkthrough, extractKubectlCommands } from './lesson';
import { checkDuplicates, checkLabelSyntax, checkObjectNames } from './names';
import { checkSchema } from './schema';
import { checkWiring } from './wiring';

/** A Markdown document whose kubectl commands must work on the manifests. */
export interface Walkthrough {
  /** Name shown in findings, e.g. `README.md`. */
  readonly name: string;
  readonly markdown: string;
}

/** Every rule over a set of manifests: schema, names, labels, duplicates, wiring and, given a walkthrough, the lesson. */
export function validateManifests(docs: readonly ManifestDocument[], walkthrough?: Walkthrough): Finding[] {
  return [
    ...checkSchema(docs),
    ...checkObjectNames(docs),
    ...checkLabelSyntax(docs),
    ...checkDuplicates(docs),
    ...checkWiring(docs),
    ...(walkthrough ? checkWalkthrough(extractKubectlCommands(walkthrough.markdown, walkthrough.name), docs) : []),
  ];
}

/** Manifests that must not be published: carries every finding, errors first. */
export class ManifestValidationError extends Error {
  constructor(public readonly findings: readonly Finding[]) {
    const errors = findings.filter((f) => f.severity === 'error');
    super(`${errors.length} problem${errors.length === 1 ? '' : 's'} in the manifests:\n`
      + findings.map((f) => `  ${formatFinding(f)}`).join('\n'));
    this.name = 'ManifestValidationError';
  }
}

/** Throws ManifestValidationError when any finding is an error; returns the warnings otherwise. */
export function assertValid(findings: readonly Finding[]): Finding[] {
  if (findings.some((f) => f.severity === 'error')) {
    throw new ManifestValidationError(findings);
  }
  return [...findings];
}
