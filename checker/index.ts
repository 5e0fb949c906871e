/**
 * The manifest checker's API: check Kubernetes manifests, in memory or on disk, with every rule of
 * its registry, and get typed findings back.
 *
 * ```ts
 * import { ManifestChecker, readManifestFile } from '@k8s-101/manifest-checker';
 * const checker = new ManifestChecker({ missingSchema: 'error' });
 * readManifestFile('dist/app.k8s.yaml', 'dist/app.k8s.yaml', {
 *   document: (doc) => checker.check(doc),
 *   finding: (finding) => checker.addReadFinding(finding),
 * });
 * const { findings } = checker.finish(); // Finding[]: rule, severity, file, object, path, message
 * ```
 */

export { type CheckerPluginProperties, ManifestCheckerValidation } from './cdk8s-plugin';
export { type CommandOutput, type CommandSettings, runValidateCommand } from './command';
export { CustomResourceSchemas, isCustomResourceDefinition } from './custom-resources';
export { childPath, type Finding, formatFinding, plural, type Rule } from './findings';
export { type KubernetesRelease, kubernetesRelease, type ReleaseSource } from './kubernetes-release';
export { formatSelector, selectorMatches } from './label-selector';
export { type DocumentSink, loadManifestDirectory, parseManifestText, readManifestFile } from './load';
export { expandInputs, type ManifestInput, readInput, STDIN } from './manifest-inputs';
export {
  arrayOf,
  type JsonObject,
  type JsonValue,
  labelsOf,
  type ManifestDocument,
  objectRef,
  type PodTemplate,
  plainObject,
  podTemplatesOf,
  stringAt,
  valueAt,
} from './manifest-model';
export {
  COMMITTED_DEFINITIONS,
  definitionsFromModule,
  downloadKubernetesModule,
  KUBERNETES_MODULE,
  KUBERNETES_VERSION,
} from './openapi-artifact';
export {
  EXIT_CODES,
  type FindingsOutput,
  findingsOutput,
  OUTPUT_FORMATS,
  type OutputFormat,
  type RunSummary,
} from './output-formats';
export { RULE_NAMES, type RuleName } from './rule-names';
export { RULE_REGISTRY, type RuleDefinition, ruleNamed, ruleTable } from './rules';
export { backendsOf } from './rules/ingress-backend';
export { type CompiledSchema, compileSchema, kubernetesSchema } from './schema';
export {
  imageReferenceProblem,
  labelKeyProblem,
  labelValueProblem,
  replicasProblem,
  type WholeNumberRange,
} from './syntax';
export {
  assertValid,
  type CheckOptions,
  type CheckResult,
  type Lesson,
  ManifestChecker,
  ManifestValidationError,
  validateManifests,
} from './validate';
export { serviceWiringOf } from './wiring';
