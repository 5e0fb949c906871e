import { findingAt } from '../findings';
import { detached, type ManifestDocument, objectRef, plainObject, stringAt, valueAt } from '../manifest-model';
import { referenceRule } from './rule';

/** What the rule keeps of a HorizontalPodAutoscaler: its scale target. */
export interface KeptScaleTarget {
  readonly file: string;
  readonly ref: string;
  readonly kind: string;
  readonly name: string;
}

// The built-in kinds with a scale subresource (`/scale`), which a HorizontalPodAutoscaler can scale.
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);
// Built-in kinds with Pods but no scale subresource.
const NOT_SCALABLE = new Set(['DaemonSet', 'Job', 'Pod']);

/**
 * A HorizontalPodAutoscaler's `spec.scaleTargetRef` names a workload of the set that can be
 * scaled. Source: autoscaling/v2 CrossVersionObjectReference, and the `scale` subresource of
 * apps/v1 and core/v1; kube-linter's `dangling-horizontalpodautoscaler`.
 */
export const scaleTargetRule = referenceRule<KeptScaleTarget>({
  name: 'scale-target',
  checks:
    "a HorizontalPodAutoscaler's `spec.scaleTargetRef` names a workload of the set that has a scale subresource (a Deployment, StatefulSet, ReplicaSet or ReplicationController); one that is not in the set is a warning (it may live in the cluster), a DaemonSet, Job or Pod of the set is an error",
  remediation: 'make scaleTargetRef the kind and name of a Deployment, StatefulSet or ReplicaSet of the app',
  keep(doc: ManifestDocument) {
    if (doc.object.kind !== 'HorizontalPodAutoscaler') {
      return [];
    }
    const target = plainObject(valueAt(doc.object, 'spec.scaleTargetRef'));
    const kind = stringAt(target, 'kind');
    const name = stringAt(target, 'name');
    if (kind === undefined || name === undefined) {
      return [];
    }
    return [detached({ file: doc.file, ref: objectRef(doc.object), kind, name })];
  },
  check(kept, templates) {
    return kept.flatMap((hpa) => {
      const place = { file: hpa.file, object: hpa.ref };
      const target = `${hpa.kind}/${hpa.name}`;
      const found = templates.some((template) => template.owner === target);
      if (found && NOT_SCALABLE.has(hpa.kind)) {
        return [
          findingAt(
            place,
            'scale-target',
            'spec.scaleTargetRef.kind',
            `${target} cannot be scaled: a ${hpa.kind} has no scale subresource (scale a ${[...SCALABLE].join(', ')})`,
          ),
        ];
      }
      if (found) {
        return [];
      }
      const sameName = templates.filter((t) => t.owner.endsWith(`/${hpa.name}`)).map((t) => t.owner);
      return [
        findingAt(
          place,
          'scale-target',
          'spec.scaleTargetRef.name',
          `${target} is not in the set: it must exist in the cluster` +
            (sameName.length ? ` (the set has ${sameName.join(', ')})` : ''),
          'warning',
        ),
      ];
    });
  },
});
