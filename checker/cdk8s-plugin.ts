import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Validation, ValidationContext } from 'cdk8s-cli/lib/plugins/validation';
import { isCustomResourceDefinition } from './custom-resources';
import { type Finding, formatFinding } from './findings';
import { kubernetesRelease } from './kubernetes-release';
import { readManifestFile } from './load';
import { expandInputs } from './manifest-inputs';
import type { ManifestDocument } from './manifest-model';
import { ruleNamed } from './rules';
import { compileSchema } from './schema';
import type { WholeNumberRange } from './syntax';
import { ManifestChecker } from './validate';

/** The `properties:` of the plugin's entry under `validations:` in cdk8s.yaml. */
export interface CheckerPluginProperties {
  /**
   * Markdown lesson whose kubectl commands must work on the manifests, relative to the app.
   * @default - none
   */
  readonly lesson?: string;
  /**
   * Replica counts that workloads may ask for.
   * @default - what the API server accepts
   */
  readonly replicas?: WholeNumberRange;
  /**
   * The Kubernetes release whose API objects are checked against, `1.N` (as `--kubernetes-version`).
   * @default '1.27'
   */
  readonly kubernetesVersion?: string;
  /**
   * That release's OpenAPI v2 document, read instead of the committed or fetched one (as `--openapi`).
   * @default - none
   */
  readonly openapi?: string;
  /**
   * Files or folders of CustomResourceDefinitions, relative to the app (as `--crd`).
   * @default - only those the app synthesizes
   */
  readonly crds?: readonly string[];
  /**
   * Severity of a kind that no schema describes (as `--missing-schemas`).
   * @default 'warning'
   */
  readonly missingSchemas?: Finding['severity'];
}

/** The name cdk8s keys its construct metadata by: the object's `metadata.name`, from `Kind/name`. */
export const resourceNameOf = (finding: Finding) =>
  /^[^/\s]+\/.+/.test(finding.object)
    ? finding.object.slice(finding.object.indexOf('/') + 1)
    : finding.object || finding.file;

/**
 * The checker as a cdk8s validation plugin: `cdk8s synth` hands it the manifests it wrote, and
 * every finding becomes a violation of the report: named after its rule (`(warning)` added for a
 * warning, which does not fail the synth), with the message as recommendation, the rule's one-line
 * remediation as fix, and the object's name, whose construct path cdk8s adds from the construct
 * metadata it records, with the object and the field as location.
 */
export class ManifestCheckerValidation implements Validation {
  constructor(private readonly properties: CheckerPluginProperties = {}) {}

  private customResourceDefinitions(): ManifestDocument[] {
    const { inputs, problems } = expandInputs(this.properties.crds ?? [], process.cwd());
    if (problems.length > 0) {
      throw new Error(`manifest checker: crds: ${problems.join('; ')}`);
    }
    const definitions: ManifestDocument[] = [];
    for (const input of inputs) {
      readManifestFile(input.file, input.shownAs, {
        document: (doc) => {
          if (isCustomResourceDefinition(doc.object)) {
            definitions.push(doc);
          }
        },
        finding: (finding) => {
          throw new Error(`manifest checker: crds: ${formatFinding(finding)}`);
        },
      });
    }
    return definitions;
  }

  private checker(): ManifestChecker {
    const { lesson, kubernetesVersion, openapi } = this.properties;
    const release =
      kubernetesVersion !== undefined || openapi !== undefined
        ? kubernetesRelease(kubernetesVersion, { openApiFile: openapi })
        : undefined;
    return new ManifestChecker({
      replicas: this.properties.replicas,
      lesson: lesson === undefined ? undefined : { name: lesson, markdown: fs.readFileSync(lesson, 'utf8') },
      ...(release ? { schema: compileSchema(release.definitions, release.version) } : {}),
      customResourceDefinitions: this.customResourceDefinitions(),
      missingSchema: this.properties.missingSchemas ?? 'warning',
    });
  }

  async validate(context: ValidationContext): Promise<void> {
    const checker = this.checker();
    const files = new Map<string, string>();
    for (const manifest of context.manifests) {
      const shownAs = path.relative(process.cwd(), manifest) || manifest;
      files.set(shownAs, manifest);
      readManifestFile(manifest, shownAs, {
        document: (doc) => checker.check(doc),
        finding: (finding) => checker.addReadFinding(finding),
      });
    }
    const { findings } = checker.finish();
    for (const finding of findings) {
      context.logger.log(formatFinding(finding));
      const file = finding.file.replace(/:\d+$/, '');
      context.report.addViolation({
        ruleName: finding.severity === 'error' ? finding.rule : `${finding.rule} (warning)`,
        recommendation: finding.message,
        fix: ruleNamed(finding.rule).remediation,
        violatingResources: [
          {
            resourceName: resourceNameOf(finding),
            locations: [[finding.object, finding.path].filter((part) => part !== '').join(': ')],
            manifestPath: files.get(file) ?? file,
          },
        ],
      });
    }
    context.report.submit(findings.some((f) => f.severity === 'error') ? 'failure' : 'success');
  }
}
