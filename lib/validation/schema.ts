import * as fs from 'fs';
import * as path from 'path';
import { K8sObject, ManifestDocument } from '../manifest-model';
import { childPath, Finding, findingAt } from './findings';

/**
 * Strict schema check against the Kubernetes 1.27 API, the version
 * cdk8s-plus-27 targets. The schemas are those the `kubernetes-models`
 * package generated from the Kubernetes v1.27.1 OpenAPI document; they are
 * walked here directly, like `kubectl --validate=strict`: wrong types, values
 * outside an enum, missing required fields and unknown fields are all errors.
 *
 * Walking them is cheap; compiling them with ajv, as `kubernetes-models`
 * itself does, costs about 0.4 s per run, which synthesis cannot afford.
 * The rules the API server adds to the OpenAPI document (containers need an
 * image) are checked after the walk.
 */

interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string;
  readonly nullable?: boolean;
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly oneOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
}

type Problems = Array<{ path: string; message: string }>;

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const QUANTITY = /^[+-]?(?:\d+|\d+\.\d*|\.\d+)(?:[KMGTPE]i|[YZEPTGMkhdcmunpfazy]|da|[eE][+-]?\d+)?$/;

const schemas = new Map<string, JsonSchema>();
const rootSchemaIds = new Map<string, string | undefined>();

// Loading the schemas from the package takes ~0.1 s (mostly ajv, which is not used here), so what
// was loaded once is kept as JSON under node_modules/.cache, keyed by the package's version.
interface SchemaCache {
  readonly roots: Record<string, string>;
  readonly schemas: Record<string, JsonSchema>;
}
let cacheFile: string | undefined | null = null;

function schemaCacheFile(): string | undefined {
  if (cacheFile === null) {
    try {
      const packageDir = path.dirname(require.resolve('kubernetes-models'));
      const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
      cacheFile = path.join(packageDir, '..', '.cache', 'k8s-101-networking', `kubernetes-models-${version}.json`);
      const cached: SchemaCache = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
      Object.entries(cached.schemas).forEach(([id, schema]) => schemas.set(id, schema));
      Object.entries(cached.roots).forEach(([key, id]) => rootSchemaIds.set(key, id));
    } catch {
      cacheFile ??= undefined;
    }
  }
  return cacheFile;
}

function saveSchemaCache(): void {
  const file = schemaCacheFile();
  if (!file) {
    return;
  }
  const roots = Object.fromEntries([...rootSchemaIds].filter((entry): entry is [string, string] => entry[1] !== undefined));
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const staging = `${file}.${process.pid}`;
    fs.writeFileSync(staging, JSON.stringify({ roots, schemas: Object.fromEntries(schemas) }));
    fs.renameSync(staging, file);
  } catch {
    // A read-only node_modules only costs the next run the slower load.
  }
}

/** The schema id of a kind, loading its schemas on first use; undefined when the API has no such kind. */
function rootSchemaId(apiVersion: unknown, kind: unknown): string | undefined {
  const key = `${apiVersion}|${kind}`;
  schemaCacheFile();
  if (!rootSchemaIds.has(key)) {
    const id = loadSchemas(apiVersion, kind);
    rootSchemaIds.set(key, id);
    if (id) {
      saveSchemaCache();
    }
  }
  return rootSchemaIds.get(key);
}

function loadSchemas(apiVersion: unknown, kind: unknown): string | undefined {
  const modulePath = modelModulePath(apiVersion, kind);
  if (!modulePath) {
    return undefined;
  }
  let model: any;
  try {
    model = require(modulePath)[kind as string];
  } catch {
    return undefined;
  }
  const hidden = (name: string) => {
    const symbol = Object.getOwnPropertySymbols(model?.prototype ?? {}).find((s) => s.description === name);
    return symbol && model.prototype[symbol];
  };
  const id: string | undefined = hidden('SCHEMA_ID');
  const addSchemas: (() => void) | undefined = hidden('ADD_SCHEMA');
  if (!id || !addSchemas) {
    return undefined;
  }
  // The package only hands its schemas to its own registry; catch them on the way.
  const mutableRegistry: { register: (id: string, schema: JsonSchema) => void } = require('@kubernetes-models/validate');
  const register = mutableRegistry.register;
  mutableRegistry.register = (schemaId, schema) => { schemas.set(schemaId, schema); };
  try {
    addSchemas();
  } finally {
    mutableRegistry.register = register;
  }
  return id;
}

/** `kubernetes-models/apps/v1/Deployment` for apps/v1 Deployment; undefined for values that cannot name a model. */
function modelModulePath(apiVersion: unknown, kind: unknown): string | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    return undefined;
  }
  const match = /^(?:([a-z0-9.-]+)\/)?(v\d+(?:(?:alpha|beta)\d+)?)$/.exec(apiVersion);
  if (!match) {
    return undefined;
  }
  const [, group, version] = match;
  return ['kubernetes-models', group, version, kind].filter(Boolean).join('/');
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
    case 'object': return describeType(value) === 'object';
    case 'array': return Array.isArray(value);
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    default: return typeof value === type;
  }
}

function check(value: unknown, schema: JsonSchema, path: string, problems: Problems): void {
  if (schema.$ref !== undefined) {
    const target = schemas.get(schema.$ref.replace(/#$/, ''));
    if (target) {
      check(value, target, path, problems);
    }
    return;
  }
  if (value === null && (schema.nullable || schema.type === 'null')) {
    return;
  }
  if (schema.oneOf) {
    checkOneOf(value, schema.oneOf, path, problems);
    return;
  }
  if (schema.type !== undefined && !hasType(value, schema.type)) {
    problems.push({ path, message: `must be ${schema.type}, got ${describeType(value)} ${JSON.stringify(value)}` });
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    problems.push({ path, message: `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}` });
  }
  checkFormat(value, schema.format, path, problems);
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, index) => check(item, schema.items!, childPath(path, index), problems));
  }
  if (describeType(value) === 'object' && (schema.properties || schema.additionalProperties !== undefined)) {
    checkObject(value as K8sObject, schema, path, problems);
  }
}

function checkOneOf(value: unknown, choices: readonly JsonSchema[], path: string, problems: Problems): void {
  const attempts = choices.map((choice) => {
    const found: Problems = [];
    check(value, choice, path, found);
    return found;
  });
  if (attempts.some((found) => found.length === 0)) {
    return;
  }
  // Report the problems of the choice the value was evidently meant for: the only non-null one
  // (null-or-object fields), or the one of the value's own type (a quantity given as a string).
  const nonNull = choices.filter((choice) => choice.type !== 'null');
  const meant = nonNull.length === 1 ? nonNull[0] : nonNull.find((choice) => choice.type && hasType(value, choice.type));
  if (meant) {
    problems.push(...attempts[choices.indexOf(meant)]);
    return;
  }
  const types = nonNull.map((choice) => choice.type ?? choice.$ref?.replace(/#$/, '').split('.').pop());
  problems.push({ path, message: `must be ${types.join(' or ')}, got ${describeType(value)} ${JSON.stringify(value)}` });
}

function checkFormat(value: unknown, format: string | undefined, path: string, problems: Problems): void {
  if (format === 'int32' && typeof value === 'number' && (value < INT32.min || value > INT32.max)) {
    problems.push({ path, message: `must fit in 32 bits, got ${value}` });
  }
  if (format === 'quantity' && typeof value === 'string' && !QUANTITY.test(value)) {
    problems.push({ path, message: `must be a quantity such as 250m or 64Mi, got ${JSON.stringify(value)}` });
  }
}

function checkObject(value: K8sObject, schema: JsonSchema, path: string, problems: Problems): void {
  for (const field of schema.required ?? []) {
    if (value[field] === undefined) {
      problems.push({ path: childPath(path, field), message: 'is required' });
    }
  }
  for (const [field, fieldValue] of Object.entries(value)) {
    const fieldSchema = schema.properties?.[field];
    if (fieldSchema) {
      check(fieldValue, fieldSchema, childPath(path, field), problems);
    } else if (typeof schema.additionalProperties === 'object') {
      check(fieldValue, schema.additionalProperties, childPath(path, field), problems);
    } else if (schema.additionalProperties !== true) {
      problems.push({ path: childPath(path, field), message: 'is not a field of this object (unknown field)' });
    }
  }
}

// Required by the API server's own validation although the OpenAPI document leaves them optional.
function apiServerRequirements(object: K8sObject, problems: Problems): void {
  const podSpecPath = object.kind === 'Pod' ? 'spec' : 'spec.template.spec';
  const podSpec = podSpecPath.split('.').reduce<any>((node, key) => node?.[key], object);
  for (const group of ['initContainers', 'containers'] as const) {
    const containers = podSpec?.[group];
    if (!Array.isArray(containers)) {
      continue;
    }
    containers.forEach((container: K8sObject, index: number) => {
      if (container && typeof container === 'object' && (container.image === undefined || container.image === '')) {
        problems.push({ path: `${podSpecPath}.${group}[${index}].image`, message: 'is required' });
      }
    });
  }
}

/** Schema findings for each document. */
export function checkSchema(docs: readonly ManifestDocument[]): Finding[] {
  return docs.flatMap((doc) => {
    const id = rootSchemaId(doc.object.apiVersion, doc.object.kind);
    if (!id) {
      return [findingAt(doc, 'schema', 'kind',
        `${JSON.stringify(doc.object.kind)} in ${JSON.stringify(doc.object.apiVersion)} is not a kind of the Kubernetes 1.27 API`)];
    }
    const problems: Problems = [];
    check(doc.object, { $ref: id }, '', problems);
    if (problems.length === 0) {
      apiServerRequirements(doc.object, problems);
    }
    return problems.map((problem) => findingAt(doc, 'schema', problem.path, problem.message));
  });
}
