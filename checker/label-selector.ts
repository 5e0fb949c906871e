import { arrayOf, type JsonValue, type Labels, plainObject } from './manifest-model';

/** A Kubernetes label selector requirement (`matchExpressions` entry). */
export interface SelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** A `matchExpressions` entry as read from a manifest; undefined when it is not one. */
export function selectorRequirementOf(value: JsonValue): SelectorRequirement | undefined {
  const fields = plainObject(value);
  if (typeof fields?.key !== 'string' || typeof fields.operator !== 'string' || !OPERATORS.has(fields.operator)) {
    return undefined;
  }
  const values = arrayOf(fields.values).filter((v): v is string => typeof v === 'string');
  return { key: fields.key, operator: fields.operator as SelectorRequirement['operator'], values };
}

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

/** Whether a set-based requirement holds for a set of labels. */
export function requirementMatches(requirement: SelectorRequirement, labels: Labels | undefined): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, requirement.key);
  const value = labels?.[requirement.key];
  switch (requirement.operator) {
    case 'In':
      return has && (requirement.values ?? []).includes(value!);
    case 'NotIn':
      return !has || !(requirement.values ?? []).includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

/** `app=signup,component=homepage`, the form `kubectl -l` takes. */
export function formatSelector(selector: Labels | undefined): string {
  return Object.entries(selector ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
