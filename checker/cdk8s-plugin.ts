import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Validation, ValidationContext } from 'cdk8s-cli/lib/plugins/validation';
import { formatFinding } from './findings';
import { readManifestFile } from './load';
import { ruleNamed } from './rules';
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
}

/**
 * The checker as a cdk8s validation plugin: `cdk8s synth` hands it the
 * manifests it wrote, and every finding becomes a violation of the report,
 * named after its rule, with the object, the field and the file.
 */
export class ManifestCheckerValidation implements Validation {
  constructor(private readonly properties: CheckerPluginProperties = {}) {}

  async validate(context: ValidationContext): Promise<void> {
    const lessonFile = this.properties.lesson;
    const checker = new ManifestChecker({
      replicas: this.properties.replicas,
      lesson:
        lessonFile === undefined ? undefined : { name: lessonFile, markdown: fs.readFileSync(lessonFile, 'utf8') },
    });
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
      if (finding.severity !== 'error') {
        continue;
      }
      const file = finding.file.replace(/:\d+$/, '');
      context.report.addViolation({
        ruleName: finding.rule,
        recommendation: finding.message,
        fix: ruleNamed(finding.rule).remediation,
        violatingResources: [
          { resourceName: finding.object, locations: [finding.path], manifestPath: files.get(file) ?? file },
        ],
      });
    }
    context.report.submit(findings.some((f) => f.severity === 'error') ? 'failure' : 'success');
  }
}
