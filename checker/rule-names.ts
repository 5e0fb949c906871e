/**
 * The names of the checker's rules, in the order of their registry (rules/index.ts), which a test
 * holds equal: findings carry these names, and a name's type must not depend on the rules' code.
 */
export const RULE_NAMES = [
  'yaml',
  'schema',
  'names',
  'labels',
  'ports',
  'values',
  'duplicate',
  'wiring',
  'ingress-backend',
  'scale-target',
  'pod-selector',
  'lesson',
] as const;

/** The name of a rule, as findings carry it. */
export type RuleName = (typeof RULE_NAMES)[number];
