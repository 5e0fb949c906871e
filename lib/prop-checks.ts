import type { Construct } from 'constructs';
import { imageReferenceProblem, labelKeyProblem, labelValueProblem, replicasProblem } from '../checker/syntax';
import { type Labels, MAX_REPLICAS } from './constants';

/** A construct prop whose value cannot produce a working manifest. */
export class InvalidPropError extends Error {
  constructor(scope: Construct, prop: string, value: unknown, problem: string) {
    super(`${scope.constructor.name} '${scope.node.path}': prop '${prop}' ${problem}, got ${describe(value)}`);
    this.name = 'InvalidPropError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value) ?? String(value);
}

/** A replica count: a whole number from 0 to MAX_REPLICAS. */
export function checkReplicas(scope: Construct, value: number, prop = 'replicas'): number {
  const problem = replicasProblem(value, { min: 0, max: MAX_REPLICAS });
  if (problem) {
    throw new InvalidPropError(scope, prop, value, problem);
  }
  return value;
}

/** A container image reference. */
export function checkImage(scope: Construct, value: string, prop = 'image'): string {
  const problem = imageReferenceProblem(value);
  if (problem) {
    throw new InvalidPropError(scope, prop, value, problem);
  }
  return value;
}

/** A non-empty set of labels whose keys and values Kubernetes accepts. */
export function checkLabels(scope: Construct, labels: Labels, prop: string): Labels {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) {
    throw new InvalidPropError(scope, prop, labels, 'must hold at least one label');
  }
  for (const [key, value] of entries) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) {
      throw new InvalidPropError(scope, prop, key, `has an invalid label key: ${keyProblem}`);
    }
    const valueProblem = labelValueProblem(value);
    if (valueProblem) {
      throw new InvalidPropError(scope, `${prop}.${key}`, value, valueProblem);
    }
  }
  return labels;
}
