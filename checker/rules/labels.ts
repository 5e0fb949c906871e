import { checkLabelSyntax } from '../names';
import type { RuleDefinition } from './rule';

export const labelsRule: RuleDefinition = {
  name: 'labels',
  scope: 'object',
  checks:
    'label and selector keys and values in Kubernetes syntax: labels, the label maps of Services and ReplicationControllers, `matchLabels` and `matchExpressions`',
  remediation:
    'keys as [prefix/]name and values of at most 63 letters, digits, "-", "_" and ".", starting and ending alphanumeric',
  checkObject: (doc) => checkLabelSyntax(doc),
};
