import { childPath } from './findings';
import { containersOf, type JsonObject, type JsonValue, plainObject } from './manifest-model';
import {
  KUBERNETES_VERSION,
  loadOpenApiDefinitions,
  type OpenApiDefinitions,
  type OpenApiSchema,
  type OpenApiSource,
} from './openapi-artifact';

/**
 * Strict schema check against the Kubernetes 1.27 API, walked directly like
 * `kubectl --validate=strict`: wrong types, missing required fields and unknown
 * fields are all errors. The OpenAPI definitions are compiled once into a graph
 * whose references are already resolved, with one entry per apiVersion and kind,
 * so checking an object costs one map lookup and one walk.
 *
 * Walking is hand-written rather than done by a JSON Schema library because the
 * OpenAPI v2 dialect needs Kubernetes' own readings (int-or-string, quantities,
 * null as "unset") and because the messages name the field in the user's terms.
 */

/** A problem found by the schema walk, at a field path. */
export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
}

type Problems = SchemaProblem[];

/** A compiled schema: references resolved, special formats recognised. */
interface SchemaNode {
  readonly type?: string;
  readonly format?: string;
  /** How values of this node are read beyond their JSON type. */
  readonly reading: 'json' | 'int-or-string' | 'quantity';
  readonly properties?: Map<string, SchemaNode>;
  readonly required: readonly string[];
  /** Schema of the values of a map; `true` when any field goes, `false` when only the properties do. */
  readonly additional: SchemaNode | boolean;
  /** Whether the node describes the fields of an object (else any mapping goes). */
  readonly hasFields: boolean;
  readonly items?: SchemaNode;
  /** Values the API server's validation allows for some string properties. */
  readonly allowedValues?: ReadonlyMap<string, readonly string[]>;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const QUANTITY = /^[+-]?(?:\d+|\d+\.\d*|\.\d+)(?:[KMGTPE]i|[YZEPTGMkhdcmunpfazy]|da|[eE][+-]?\d+)?$/;
const QUANTITY_DEFINITION = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/**
 * Fixed sets of values the API server's validation accepts for fields of Pods,
 * workloads and Services. The 1.27 OpenAPI document lists them only in prose
 * (its `enum` keywords were dropped again before 1.27), so they are stated here.
 */
const ALLOWED_VALUES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'io.k8s.api.core.v1.ServiceSpec': {
    externalTrafficPolicy: ['Cluster', 'Local'],
    internalTrafficPolicy: ['Cluster', 'Local'],
    ipFamilyPolicy: ['PreferDualStack', 'RequireDualStack', 'SingleStack'],
    sessionAffinity: ['ClientIP', 'None'],
    type: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
  },
  'io.k8s.api.core.v1.ServicePort': { protocol: ['SCTP', 'TCP', 'UDP'] },
  'io.k8s.api.core.v1.ContainerPort': { protocol: ['SCTP', 'TCP', 'UDP'] },
  'io.k8s.api.core.v1.Container': {
    imagePullPolicy: ['Always', 'IfNotPresent', 'Never'],
    terminationMessagePolicy: ['FallbackToLogsOnError', 'File'],
  },
  'io.k8s.api.core.v1.PodSpec': {
    dnsPolicy: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
    preemptionPolicy: ['Never', 'PreemptLowerPriority'],
    restartPolicy: ['Always', 'Never', 'OnFailure'],
  },
  'io.k8s.api.apps.v1.DeploymentStrategy': { type: ['Recreate', 'RollingUpdate'] },
};

/** The API's kinds, ready to check objects against. */
export interface CompiledSchema {
  /** The root schema of a kind, by `apiVersion|kind`. */
  readonly kinds: ReadonlyMap<string, SchemaNode>;
  /** The Kubernetes release the definitions are of, `1.N`. */
  readonly version: string;
}

/**
 * Compiles OpenAPI definitions into a graph of nodes with references resolved.
 * @param release - the Kubernetes release they are of, `1.N`, as messages name it
 */
export function compileSchema(api: OpenApiDefinitions, release = KUBERNETES_VERSION): CompiledSchema {
  const byName = new Map<string, SchemaNode>();
  // Nodes are created empty first and filled after, because definitions refer to each other in cycles.
  for (const name of Object.keys(api.definitions)) {
    byName.set(name, { reading: 'json', required: [], additional: true, hasFields: false });
  }
  const compile = (schema: OpenApiSchema, definitionName?: string): SchemaNode => {
    if (schema.$ref !== undefined) {
      return byName.get(schema.$ref.replace(/^#\/definitions\//, '')) ?? compile({});
    }
    const properties = schema.properties
      ? new Map(Object.entries(schema.properties).map(([field, property]) => [field, compile(property)]))
      : undefined;
    const allowed = definitionName ? ALLOWED_VALUES[definitionName] : undefined;
    return {
      type: schema.type,
      format: schema.format,
      reading:
        schema.format === 'int-or-string'
          ? 'int-or-string'
          : definitionName === QUANTITY_DEFINITION
            ? 'quantity'
            : 'json',
      properties,
      required: schema.required ?? [],
      additional:
        typeof schema.additionalProperties === 'object'
          ? compile(schema.additionalProperties)
          : (schema.additionalProperties ?? false),
      hasFields: properties !== undefined || schema.additionalProperties !== undefined,
      items: schema.items ? compile(schema.items) : undefined,
      allowedValues: allowed ? new Map(Object.entries(allowed)) : undefined,
    };
  };
  const kinds = new Map<string, SchemaNode>();
  for (const [name, schema] of Object.entries(api.definitions)) {
    Object.assign(byName.get(name)!, compile(schema, name));
    for (const { group, version, kind } of schema['x-kubernetes-group-version-kind'] ?? []) {
      kinds.set(`${group ? `${group}/` : ''}${version}|${kind}`, byName.get(name)!);
    }
  }
  return { kinds, version: release };
}

let loaded: CompiledSchema | undefined;

/** The compiled Kubernetes 1.27 schema, loaded once per process. */
export function kubernetesSchema(source?: OpenApiSource): CompiledSchema {
  loaded ??= compileSchema(loadOpenApiDefinitions(source));
  return loaded;
}

function describeType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    return 'integer';
  }
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return plainObject(value) !== undefined;
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === type;
  }
}

// What Go's encoding/json decodes into []byte: standard base64 with padding (line breaks are skipped).
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const got = (value: unknown) => `got ${describeType(value)} ${JSON.stringify(value)}`;

/** Where text was wanted: a boolean or number came from an unquoted YAML scalar (`no`, `on`, `0o22`), which kubectl reads so too. */
const unquotedHint = (value: unknown) =>
  typeof value === 'boolean' || typeof value === 'number'
    ? ' (kubectl reads YAML 1.1: unquoted, words such as yes, no, on and off are booleans and 0o22 or 0x1F are numbers; quote the value to keep it text)'
    : '';

/**
 * A walk of one object: the field path is kept as a stack of keys and written out only for a
 * problem, since nearly every field of nearly every object has none.
 */
class SchemaWalk {
  readonly problems: Problems = [];
  private readonly keys: Array<string | number> = [];

  private report(message: string, key?: string): void {
    let path = this.keys.reduce<string>((parent, at) => childPath(parent, at), '');
    if (key !== undefined) {
      path = childPath(path, key);
    }
    this.problems.push({ path, message });
  }

  check(value: JsonValue, node: SchemaNode): void {
    if (node.reading === 'int-or-string') {
      if (typeof value !== 'string' && !hasType(value, 'integer')) {
        this.report(`must be string or integer, ${got(value)}`);
      }
      return;
    }
    if (node.reading === 'quantity') {
      if (typeof value === 'string' ? !QUANTITY.test(value) : typeof value !== 'number') {
        this.report(
          typeof value === 'string'
            ? `must be a quantity such as 250m or 64Mi, got ${JSON.stringify(value)}`
            : `must be string or number, ${got(value)}`,
        );
      }
      return;
    }
    if (node.type !== undefined && !hasType(value, node.type)) {
      this.report(`must be ${node.type}, ${got(value)}${node.type === 'string' ? unquotedHint(value) : ''}`);
      return;
    }
    if (node.format === 'byte' && typeof value === 'string' && !BASE64.test(value.replace(/[\r\n]/g, ''))) {
      this.report("must be base64 data (a Secret's `data`; `stringData` takes plain text)");
    }
    if (node.format === 'int32' && typeof value === 'number' && (value < INT32.min || value > INT32.max)) {
      this.report(`must fit in 32 bits, got ${value}`);
    }
    if (Array.isArray(value)) {
      if (node.items) {
        for (let index = 0; index < value.length; index++) {
          this.keys.push(index);
          this.check(value[index], node.items);
          this.keys.pop();
        }
      }
      return;
    }
    const object = plainObject(value);
    if (object && node.hasFields) {
      this.checkFields(object, node);
    }
  }

  private checkFields(object: JsonObject, node: SchemaNode): void {
    for (const field of node.required) {
      if (object[field] === undefined) {
        this.report('is required', field);
      }
    }
    for (const field in object) {
      const value = object[field];
      const property = node.properties?.get(field);
      if (property) {
        // An optional field set to null is unset, as the API server reads it.
        if (value === undefined || (value === null && !node.required.includes(field))) {
          continue;
        }
        this.keys.push(field);
        this.check(value, property);
        this.keys.pop();
        const allowed = node.allowedValues?.get(field);
        if (allowed && typeof value === 'string' && !allowed.includes(value)) {
          this.report(
            `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`,
            field,
          );
        }
      } else if (typeof node.additional === 'object') {
        // A map value of null decodes to the value type's zero value (`app: null` is the label app=""), as in Go.
        if (value !== undefined && value !== null) {
          this.keys.push(field);
          this.check(value, node.additional);
          this.keys.pop();
        }
      } else if (!node.additional) {
        this.report('is not a field of this object (unknown field)', field);
      }
    }
  }
}

// Required by the API server's own validation although the OpenAPI document leaves them optional.
function apiServerRequirements(object: JsonObject, problems: Problems): void {
  for (const { path, container } of containersOf(object)) {
    if (container.image === undefined || container.image === '') {
      problems.push({ path: `${path}.image`, message: 'is required' });
    }
  }
}

/** Schema problems of one object: an unknown kind, or every field the API would reject. */
export function schemaProblems(object: JsonObject, schema: CompiledSchema = kubernetesSchema()): Problems {
  const root = schema.kinds.get(`${object.apiVersion}|${object.kind}`);
  if (!root) {
    return [
      {
        path: 'kind',
        message: `${JSON.stringify(object.kind)} in ${JSON.stringify(object.apiVersion)} is not a kind of the Kubernetes ${schema.version} API`,
      },
    ];
  }
  const walk = new SchemaWalk();
  walk.check(object, root);
  // Whatever else is wrong: every finding at once.
  apiServerRequirements(object, walk.problems);
  return walk.problems;
}
