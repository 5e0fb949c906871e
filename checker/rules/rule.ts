import type { Finding } from '../findings';
import type { CrossObjectView, Lesson } from '../lesson';
import type { JsonValue, ManifestDocument } from '../manifest-model';
import type { RuleName } from '../rule-names';
import type { CompiledSchema } from '../schema';
import type { WholeNumberRange } from '../syntax';

/** What a rule looks at: a file as it is read, one object alone, or the whole set. */
export type RuleScope = 'file' | 'object' | 'set';

/** What the object rules are given besides the object. */
export interface ObjectContext {
  readonly schema: CompiledSchema;
  /** Whether the schema rule found nothing: rules reading values trust their types only then. */
  readonly wellTyped: boolean;
  /** The replica range the caller allows; absent, what the API server accepts. */
  readonly replicas?: WholeNumberRange;
}

/** What the checker keeps of each object for the set rules (the object itself is dropped). */
export interface KeptObject {
  readonly file: string;
  readonly index: number;
  readonly kind: JsonValue | undefined;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
}

/** What the set rules are given: the options of the check. */
export interface SetOptions {
  readonly lesson?: Lesson;
  readonly duplicatesAcrossFiles?: Finding['severity'];
}

/** A set rule's state over one check: it sees each object as it is read, then the whole set. */
export interface SetCheck {
  /** Findings about this object against those before it. */
  add?(object: KeptObject): Finding[];
  /** Findings about the whole set once every object is read. */
  finish?(view: CrossObjectView): Finding[];
}

/**
 * One rule of the checker, as its registry (rules/index.ts) lists it: the command, the cdk8s
 * plugin's report, the README's rule table and the order of findings all come from these.
 * After kube-linter's and kube-score's check registries.
 */
export interface RuleDefinition {
  /** The name findings carry, e.g. `ports`. */
  readonly name: RuleName;
  /** What it checks, in Markdown, as the README's rule table shows it. */
  readonly checks: string;
  /** How to fix what it finds, in one line. */
  readonly remediation: string;
  readonly scope: RuleScope;
  /** Findings about one object alone (object rules, and set rules with a part of their own per object). */
  readonly checkObject?: (doc: ManifestDocument, context: ObjectContext) => readonly Finding[];
  /** A new check of a whole set (set rules). */
  readonly startSet?: (options: SetOptions) => SetCheck;
}
