import { Labels } from './constants';

/**
 * Whether an equality-based selector (a Service's `selector`, a Deployment's
 * `matchLabels`) matches a set of labels: every selector pair must be present.
 * An empty selector matches nothing here, as a Service without selector
 * selects no Pods.
 */
export function selectorMatches(selector: Labels | undefined, labels: Labels | undefined): boolean {
  const pairs = Object.entries(selector ?? {});
  return pairs.length > 0 && pairs.every(([key, value]) => labels?.[key] === value);
}
