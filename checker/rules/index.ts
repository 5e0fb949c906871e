import type { RuleName } from '../rule-names';
import { duplicateRule } from './duplicate';
import { ingressBackendRule } from './ingress-backend';
import { labelsRule } from './labels';
import { lessonRule } from './lesson';
import { namesRule } from './names';
import { podSelectorRule } from './pod-selector';
import { portsRule } from './ports';
import type { RuleDefinition } from './rule';
import { scaleTargetRule } from './scale-target';
import { schemaRule } from './schema';
import { valuesRule } from './values';
import { wiringRule } from './wiring';
import { yamlRule } from './yaml';

export type { RuleDefinition, RuleScope } from './rule';

/**
 * Every rule of the checker, in the order its findings are printed, whatever order the objects
 * come in: the output of a set does not depend on how it is split into files or read. Adding a
 * rule is adding its module here.
 */
export const RULE_REGISTRY: readonly RuleDefinition[] = [
  yamlRule,
  schemaRule,
  namesRule,
  labelsRule,
  portsRule,
  valuesRule,
  duplicateRule,
  wiringRule,
  ingressBackendRule,
  scaleTargetRule,
  podSelectorRule,
  lessonRule,
];

/** The rule of this name. */
export function ruleNamed(name: RuleName): RuleDefinition {
  return RULE_REGISTRY.find((rule) => rule.name === name)!;
}

/** The README's rule table, written from the registry. */
export function ruleTable(): string {
  const rows = RULE_REGISTRY.map(
    (rule) => `| \`${rule.name}\` | ${rule.scope} | ${rule.checks} | ${rule.remediation} |`,
  );
  return ['| rule | looks at | what it checks | how to fix |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
