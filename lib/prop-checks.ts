import { imageReferenceProblem, labelKeyProblem, labelValueProblem, replicasProblem } from '@k8s-101/manifest-checker';
import type { Construct } from 'constructs';
import { type Labels, MAX_REPLICAS } from './constants';

/** `HomepageDeployment 'homepage-pod/homepage'`, or `App` for the root. */
function constructName(scope: Construct): string {
  return scope.node.path === '' ? scope.constructor.name : `${scope.constructor.name} '${scope.node.path}'`;
}

/** A construct prop whose value cannot produce a working manifest. */
export class InvalidPropError extends Error {
  constructor(scope: Construct, prop: string, value: unknown, problem: string) {
    super(`${constructName(scope)}: prop '${prop}' ${problem}, got ${describe(value)}`);
    this.name = 'InvalidPropError';
  }
}

/** A prop the construct does not have: a typo that would otherwise be ignored without a word. */
export class UnknownPropError extends Error {
  constructor(scope: Construct, prop: string, known: readonly string[]) {
    const nearest = nearestName(prop, known);
    const hint = nearest === undefined ? '' : ` (did you mean '${nearest}'?)`;
    super(`${constructName(scope)}: unknown prop '${prop}'${hint}; its props are ${known.join(', ')}`);
    this.name = 'UnknownPropError';
  }
}

/** The Levenshtein distance of two short strings: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known name closest to `name`, case aside, if it is within a third of its length; else undefined. */
function nearestName(name: string, known: readonly string[]): string | undefined {
  const scored = known.map((candidate) => ({
    candidate,
    distance: editDistance(name.toLowerCase(), candidate.toLowerCase()),
  }));
  const best = scored.sort((x, y) => x.distance - y.distance)[0];
  return best && best.distance <= Math.max(1, Math.floor(best.candidate.length / 3)) ? best.candidate : undefined;
}

/**
 * Refuses props the construct does not have. TypeScript refuses them at type-check time only, and
 * the synth strips types without checking them, so `{ replica: 3 }` would otherwise be ignored.
 *
 * @param known every prop of the construct's props interface, as a record so that the compiler
 *   checks that it lists each of them exactly (`Record<keyof XProps, true>`)
 * @throws UnknownPropError naming the construct, the prop and the nearest known prop
 */
export function checkKnownProps(scope: Construct, props: object | undefined, known: Record<string, true>): void {
  const names = Object.keys(known);
  for (const prop of Object.keys(props ?? {})) {
    if (!Object.hasOwn(known, prop)) {
      throw new UnknownPropError(scope, prop, names);
    }
  }
}

function describe(value: unknown): string {
  if (Object.is(value, -0)) {
    return '-0';
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value) ?? String(value);
}

/**
 * The prop as given, or its default when it was left out. Only `undefined` means "left out":
 * a `null` from untyped code reaches the checks and is refused like any other wrong value.
 */
export function propOrDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
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
