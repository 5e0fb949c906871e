import type { CustomResourceSchemas } from '../custom-resources';
import type { Finding } from '../findings';
import type { CrossObjectView, Lesson } from '../lesson';
import type { JsonValue, ManifestDocument, PodTemplate } from '../manifest-model';
import type { RuleName } from '../rule-names';
import type { CompiledSchema } from '../schema';
import type { WholeNumberRange } from '../syntax';

/** What a rule looks at: a file as it is read, one object alone, or the whole set. */
export type RuleScope = 'file' | 'object' | 'set';

/** What the object rules are given besides the object. */
export interface ObjectContext {
  readonly schema: CompiledSchema;
  /**
   * The fields the schema rule found wrong: a rule reading a value leaves out what it would say of
   * a value at or under one of these, and says everything else (every finding at once).
   */
  readonly schemaProblemPaths: readonly string[];
  /** The CustomResourceDefinitions of the check, and the kinds they define. */
  readonly customResources: CustomResourceSchemas;
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
  /** What set rules with a `keep` kept of the object, by rule; absent when they kept nothing. */
  readonly kept?: Readonly<Partial<Record<RuleName, readonly unknown[]>>>;
}

/** What the set rules are given: the options of the check. */
export interface SetOptions {
  readonly lesson?: Lesson;
  readonly duplicatesAcrossFiles?: Finding['severity'];
  /** The CustomResourceDefinitions of the check (the schema rule's, shared with its object part). */
  readonly customResources?: CustomResourceSchemas;
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
  /**
   * What a set rule keeps of one object for its check of the set: nothing for most objects. It
   * reaches the rule's `SetCheck.add` as `object.kept[name]`, and must share no string with the
   * parsed text (copy it, as `detached` does).
   */
  readonly keep?: (doc: ManifestDocument) => readonly unknown[];
  /** A new check of a whole set (set rules). */
  readonly startSet?: (options: SetOptions) => SetCheck;
}

/** A rule about references between objects: what it keeps of each object, and its check of what it kept. */
export interface ReferenceRuleParts<Kept> extends Omit<RuleDefinition, 'scope' | 'keep' | 'startSet' | 'checkObject'> {
  readonly keep: (doc: ManifestDocument) => readonly Kept[];
  /** The findings once every object is read, given what was kept and every Pod template of the set. */
  readonly check: (kept: readonly Kept[], templates: readonly PodTemplate[]) => Finding[];
}

/**
 * A set rule about references between objects, after kube-linter's `dangling-*` checks: as the set
 * is read it keeps the little it needs of the objects it reads, and checks the references once the
 * whole set is read. A reference to an object that is not in the set may be to one that lives in
 * the cluster: that is a warning, never an error.
 */
export function referenceRule<Kept>(parts: ReferenceRuleParts<Kept>): RuleDefinition {
  const { check, ...rest } = parts;
  return {
    ...rest,
    scope: 'set',
    startSet: () => {
      const kept: Kept[] = [];
      return {
        add: (object) => {
          const mine = object.kept?.[parts.name] as readonly Kept[] | undefined;
          if (mine) {
            kept.push(...mine);
          }
          return [];
        },
        finish: (view) => check(kept, view.templates),
      };
    },
  };
}
