import { findingAt } from '../findings';
import { formatSelector, requirementMatches, selectorRequirementOf } from '../label-selector';
import {
  arrayOf,
  detached,
  type JsonObject,
  type Labels,
  labelsOf,
  type ManifestDocument,
  objectRef,
  plainObject,
  valueAt,
} from '../manifest-model';
import { referenceRule } from './rule';

/** A label selector of a PodDisruptionBudget or a NetworkPolicy, where it is. */
export interface KeptSelector {
  readonly file: string;
  readonly ref: string;
  readonly path: string;
  readonly selector: JsonObject;
}

/** Whether a LabelSelector (matchLabels and matchExpressions) selects Pods with these labels. */
export function labelSelectorMatches(selector: JsonObject, labels: Labels): boolean {
  const matchLabels = labelsOf(selector.matchLabels);
  return (
    Object.entries(matchLabels).every(([key, value]) => labels[key] === value) &&
    arrayOf(selector.matchExpressions).every((expression) => {
      const requirement = selectorRequirementOf(expression);
      return requirement !== undefined && requirementMatches(requirement, labels);
    })
  );
}

const isEmpty = (selector: JsonObject) =>
  Object.keys(plainObject(selector.matchLabels) ?? {}).length === 0 && arrayOf(selector.matchExpressions).length === 0;

/** The Pod selectors of a NetworkPolicy: its own, and those of its peers within its namespace. */
function networkPolicySelectors(object: JsonObject): Array<{ path: string; selector: JsonObject }> {
  const found: Array<{ path: string; selector: JsonObject }> = [];
  const own = plainObject(valueAt(object, 'spec.podSelector'));
  if (own) {
    found.push({ path: 'spec.podSelector', selector: own });
  }
  for (const [direction, peers] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    arrayOf(valueAt(object, `spec.${direction}`)).forEach((rule, ruleIndex) => {
      arrayOf(plainObject(rule)?.[peers]).forEach((entry, peerIndex) => {
        const peer = plainObject(entry);
        const selector = plainObject(peer?.podSelector);
        // With a namespaceSelector the peer's Pods live in other namespaces, out of the set's reach.
        if (selector && peer?.namespaceSelector === undefined) {
          found.push({ path: `spec.${direction}[${ruleIndex}].${peers}[${peerIndex}].podSelector`, selector });
        }
      });
    });
  }
  return found;
}

/**
 * The selectors of PodDisruptionBudgets and NetworkPolicies (and of a policy's
 * peers in its own namespace) select the Pods of some workload of the set. An empty selector
 * selects every Pod and is not looked at. Nothing selected is a warning: the Pods may be created
 * by something outside the set. Source: policy/v1 PodDisruptionBudgetSpec.selector,
 * networking.k8s.io/v1 NetworkPolicySpec.podSelector and NetworkPolicyPeer; kube-linter's
 * `dangling-networkpolicy` and `dangling-networkpolicypeer-podselector`.
 */
export const podSelectorRule = referenceRule<KeptSelector>({
  name: 'pod-selector',
  checks:
    'the selectors of PodDisruptionBudgets and NetworkPolicies, and of the Pod peers of a NetworkPolicy in its own namespace, select the Pods of some workload of the set (a warning: the Pods may come from outside the set); an empty selector selects every Pod and is not looked at',
  remediation: "make the selector's labels those of the Pod template of the workload it is meant for",
  keep(doc: ManifestDocument) {
    const { object } = doc;
    let selectors: Array<{ path: string; selector: JsonObject }>;
    if (object.kind === 'PodDisruptionBudget') {
      const selector = plainObject(valueAt(object, 'spec.selector'));
      selectors = selector ? [{ path: 'spec.selector', selector }] : [];
    } else if (object.kind === 'NetworkPolicy') {
      selectors = networkPolicySelectors(object);
    } else {
      return [];
    }
    const ref = objectRef(object);
    return detached(selectors.filter(({ selector }) => !isEmpty(selector)).map((s) => ({ file: doc.file, ref, ...s })));
  },
  check(kept, templates) {
    return kept.flatMap((kept) => {
      if (templates.some((template) => labelSelectorMatches(kept.selector, template.labels))) {
        return [];
      }
      const labels = formatSelector(labelsOf(kept.selector.matchLabels));
      const expressions = arrayOf(kept.selector.matchExpressions).length;
      const wanted = [labels, expressions ? `${expressions} matchExpressions` : ''].filter(Boolean).join(' and ');
      return [
        findingAt(
          { file: kept.file, object: kept.ref },
          'pod-selector',
          kept.path,
          `selects no Pods of the set (${wanted}): it takes effect only if Pods from outside the set carry these labels`,
          'warning',
        ),
      ];
    });
  },
});
