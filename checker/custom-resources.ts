import type AjvClass from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { childPath, type Finding, findingAt } from './findings';
import {
  arrayOf,
  type JsonObject,
  type JsonValue,
  type ManifestDocument,
  plainObject,
  stringAt,
} from './manifest-model';
import type { CompiledSchema } from './schema';

/**
 * Custom resources checked against the `openAPIV3Schema` of their CustomResourceDefinition, as
 * the API server validates them: unknown fields (kept where `x-kubernetes-preserve-unknown-fields`
 * says so), types, required fields, enums, and the other JSON Schema keywords a structural schema
 * may use. The schema is checked by ajv, a JSON Schema validator, after the few translations
 * Kubernetes' dialect needs (see `toJsonSchema`); `x-kubernetes-validations` (CEL) and formats are
 * not checked. Source: "Validation" and "Specifying a structural schema" in the Kubernetes docs
 * (tasks/extend-kubernetes/custom-resources/custom-resource-definitions).
 */

/** apiVersion of the CustomResourceDefinitions read (v1beta1 was removed in Kubernetes 1.22). */
export const CRD_API_VERSION = 'apiextensions.k8s.io/v1';
export const CRD_KIND = 'CustomResourceDefinition';

/** Whether an object is a CustomResourceDefinition the checker reads. */
export const isCustomResourceDefinition = (object: JsonObject) =>
  object.apiVersion === CRD_API_VERSION && object.kind === CRD_KIND;

type Schema = { [keyword: string]: unknown };

// Keywords of Kubernetes' dialect ajv does not know; ajv is told they exist, and they are read here.
const KUBERNETES_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
];

// Annotations no check reads (formats are not checked), and `nullable`: nulls are pruned before checking.
const DROPPED_KEYWORDS = new Set(['format', 'default', 'description', 'nullable', 'example', 'externalDocs']);

const OBJECT_META_FIELDS = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };

/**
 * A structural schema in plain JSON Schema (draft 7, as ajv reads it):
 * - an object node with `properties` and no `additionalProperties` gets `additionalProperties: false`
 *   (the API server prunes or, with `--validate=strict`, refuses unknown fields), unless it has
 *   `x-kubernetes-preserve-unknown-fields: true`; nodes inside `allOf`/`anyOf`/`oneOf`/`not` are
 *   left open, since a structural schema repeats their fields at the node itself;
 * - `x-kubernetes-int-or-string: true` takes an integer or a string;
 * - `x-kubernetes-embedded-resource: true` and the root take apiVersion, kind and metadata, whose
 *   own fields the names and labels rules check.
 */
export function toJsonSchema(schema: Schema, root = true, inJunctor = false): Schema {
  const out: Schema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'properties' || keyword === 'patternProperties' || keyword === 'definitions') {
      out[keyword] = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([name, sub]) => [name, toJsonSchema(sub, false)]),
      );
    } else if (keyword === 'items' || keyword === 'additionalProperties' || keyword === 'not') {
      out[keyword] =
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? toJsonSchema(value as Schema, false, keyword === 'not')
          : value;
    } else if (keyword === 'allOf' || keyword === 'anyOf' || keyword === 'oneOf') {
      out[keyword] = (value as Schema[]).map((sub) => toJsonSchema(sub, false, true));
    } else if (!DROPPED_KEYWORDS.has(keyword)) {
      out[keyword] = value;
    }
  }
  if (schema['x-kubernetes-int-or-string'] === true) {
    out.type = ['integer', 'string'];
  }
  if (root || schema['x-kubernetes-embedded-resource'] === true) {
    out.type ??= 'object';
    out.properties = { ...OBJECT_META_FIELDS, ...((out.properties as object) ?? {}) };
    if (root) {
      // The root's metadata is ObjectMeta whatever the schema says of it.
      (out.properties as Schema).metadata = OBJECT_META_FIELDS.metadata;
    }
  }
  const open = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.properties !== undefined && out.additionalProperties === undefined && !open && !inJunctor) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * A copy of the object without null values in mappings: the API server prunes a null field
 * before validating (so null reads as unset), except where the schema says `nullable: true`.
 */
function withoutNulls(value: JsonValue): JsonValue {
  if (Array.isArray(value)) {
    return value.map(withoutNulls);
  }
  const object = plainObject(value);
  if (!object) {
    return value;
  }
  const out: Record<string, JsonValue> = {};
  for (const [key, field] of Object.entries(object)) {
    if (field !== null && field !== undefined) {
      out[key] = withoutNulls(field);
    }
  }
  return out;
}

/** A field path from ajv's JSON Pointer (`/spec/ports/0/name` → `spec.ports[0].name`). */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>((parent, key) => childPath(parent, /^\d+$/.test(key) ? Number(key) : key), '');
}

const describe = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

/** One ajv error in the checker's words: a field path and a message. */
function problemOf(error: ErrorObject): { path: string; message: string } {
  const at = fieldPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return {
        path: childPath(at, params.additionalProperty as string),
        message: 'is not a field of this object (unknown field)',
      };
    case 'required':
      return { path: childPath(at, params.missingProperty as string), message: 'is required' };
    case 'type':
      return {
        path: at,
        message: `must be ${[params.type].flat().join(' or ')}, got ${describe(error.data)} ${JSON.stringify(error.data)}`,
      };
    case 'enum':
      return {
        path: at,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(error.data)}`,
      };
    default:
      return { path: at, message: `${error.message ?? error.keyword}, got ${JSON.stringify(error.data)}` };
  }
}

/** The API group of an apiVersion: `apps` of `apps/v1`, `''` (the core group) of `v1`. */
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** How a kind found in no schema is reported. */
export type MissingSchemaSeverity = Finding['severity'];

// ajv takes longer to load than a small set takes to check, and most sets hold no CRD.
let ajvClass: typeof AjvClass | undefined;
const newAjv = (): AjvClass => {
  ajvClass ??= (require('ajv') as { default: typeof AjvClass }).default;
  const ajv = new ajvClass({ allErrors: true, verbose: true, strict: false, validateFormats: false });
  ajv.addVocabulary(KUBERNETES_KEYWORDS);
  return ajv;
};

/** A served version of a custom resource kind, with its validator (none when it declares no schema). */
interface ServedKind {
  readonly crd: string;
  readonly validate?: ValidateFunction;
}

/**
 * The custom resource kinds of the CRDs seen, by `group/version|Kind`, and the checks of their
 * objects. CRDs may come after their resources: a resource of a kind not yet defined is kept
 * (a copy, a small share of most sets) and checked when the set is finished.
 */
export class CustomResourceSchemas {
  private readonly kinds = new Map<string, ServedKind>();
  /** Groups and kinds the CRDs define, for messages on versions that are not served. */
  private readonly definedKinds = new Map<string, { crd: string; versions: string[] }>();
  private readonly pending: ManifestDocument[] = [];
  private readonly reported = new Set<string>();
  private ajv?: AjvClass;

  /**
   * The API groups of the built-in schema (`''` for the core group): a kind of these that the
   * schema lacks is an error whatever the setting, as no CRD can add kinds to them.
   */
  private readonly builtInGroups: ReadonlySet<string>;

  /**
   * @param schema - the built-in API
   * @param missingSchema - severity of a kind found in no schema
   */
  constructor(
    private readonly schema: CompiledSchema,
    private readonly missingSchema: MissingSchemaSeverity = 'warning',
  ) {
    this.builtInGroups = new Set([...schema.kinds.keys()].map((key) => groupOf(key.split('|')[0])));
  }

  /** Whether the built-in API has this apiVersion and kind. */
  isBuiltIn(object: JsonObject): boolean {
    return this.schema.kinds.has(`${object.apiVersion}|${object.kind}`);
  }

  /**
   * Whether no CRD can define the object's kind: its group is one of the built-in API's (so the
   * kind is no kind of it), or its apiVersion or kind is no string.
   */
  cannotBeCustom(object: JsonObject): boolean {
    const { apiVersion, kind } = object;
    return typeof apiVersion !== 'string' || typeof kind !== 'string' || this.builtInGroups.has(groupOf(apiVersion));
  }

  /**
   * Takes in a CustomResourceDefinition: each served version's schema is compiled.
   * @returns findings on schemas that cannot be compiled
   */
  define(doc: ManifestDocument): Finding[] {
    const spec = plainObject(doc.object.spec);
    const group = stringAt(doc.object, 'spec.group');
    const kind = stringAt(doc.object, 'spec.names.kind');
    const crd = stringAt(doc.object, 'metadata.name') ?? '<no name>';
    if (!spec || group === undefined || kind === undefined) {
      return [];
    }
    const findings: Finding[] = [];
    const versions: string[] = [];
    arrayOf(spec.versions).forEach((entry, index) => {
      const version = plainObject(entry);
      if (typeof version?.name !== 'string' || version.served === false) {
        return;
      }
      versions.push(version.name);
      const schema = plainObject(plainObject(version.schema)?.openAPIV3Schema);
      let validate: ValidateFunction | undefined;
      if (schema) {
        try {
          this.ajv ??= newAjv();
          validate = this.ajv.compile(toJsonSchema(schema as Schema));
        } catch (error) {
          findings.push(
            findingAt(
              doc,
              'schema',
              `spec.versions[${index}].schema.openAPIV3Schema`,
              `cannot be read as a JSON Schema: ${(error as Error).message}`,
            ),
          );
        }
      }
      this.kinds.set(`${group}/${version.name}|${kind}`, { crd, ...(validate ? { validate } : {}) });
    });
    this.definedKinds.set(`${group}|${kind}`, { crd, versions });
    return findings;
  }

  /** Whether a CRD seen so far defines this apiVersion and kind. */
  defines(object: JsonObject): boolean {
    return this.kinds.has(`${object.apiVersion}|${object.kind}`);
  }

  /** Schema findings of a custom resource whose CRD has been seen. */
  check(doc: ManifestDocument): Finding[] {
    const served = this.kinds.get(`${doc.object.apiVersion}|${doc.object.kind}`);
    if (!served) {
      return [];
    }
    if (!served.validate) {
      return this.notChecked(doc, `its CustomResourceDefinition ${served.crd} declares no openAPIV3Schema`);
    }
    if (served.validate(withoutNulls(doc.object as JsonValue))) {
      return [];
    }
    const seen = new Set<string>();
    const findings: Finding[] = [];
    for (const error of served.validate.errors ?? []) {
      // A failed anyOf or oneOf adds an error per branch and one for itself, which says it all.
      if (/\/(?:anyOf|oneOf|not)\//.test(error.schemaPath)) {
        continue;
      }
      const { path, message } = problemOf(error);
      const line = `${path}\n${message}`;
      if (!seen.has(line)) {
        seen.add(line);
        findings.push(findingAt(doc, 'schema', path, message));
      }
    }
    return findings;
  }

  /** Keeps a resource of a kind no schema knows yet, to check once every CRD of the set is seen. */
  defer(doc: ManifestDocument): void {
    this.pending.push({ file: doc.file, index: doc.index, object: JSON.parse(JSON.stringify(doc.object)) });
  }

  /** The findings of the kept resources: checked, or reported as not checked (once per kind). */
  finish(): Finding[] {
    const findings: Finding[] = [];
    for (const doc of this.pending) {
      if (this.defines(doc.object)) {
        findings.push(...this.check(doc));
        continue;
      }
      const { apiVersion, kind } = doc.object;
      const defined = this.definedKinds.get(`${groupOf(String(apiVersion))}|${kind}`);
      if (defined) {
        findings.push(
          findingAt(
            doc,
            'schema',
            'apiVersion',
            `${JSON.stringify(apiVersion)} is not a served version of ${kind} (its CustomResourceDefinition ${defined.crd} serves ${defined.versions.join(', ') || 'none'})`,
          ),
        );
      } else {
        findings.push(...this.notChecked(doc, 'no CustomResourceDefinition in the set or given with --crd defines it'));
      }
    }
    this.pending.length = 0;
    return findings;
  }

  /** The finding, once per kind, that a kind was not checked against any schema. */
  private notChecked(doc: ManifestDocument, why: string): Finding[] {
    const key = `${doc.object.apiVersion}|${doc.object.kind}`;
    if (this.reported.has(key)) {
      return [];
    }
    this.reported.add(key);
    return [
      findingAt(
        doc,
        'schema',
        'kind',
        `${doc.object.kind} in ${JSON.stringify(doc.object.apiVersion)} was not checked against a schema: ${why}`,
        this.missingSchema,
      ),
    ];
  }
}
