import type * as Yaml from 'yaml';

/**
 * YAML read as kubectl reads it. kubectl decodes manifests with `sigs.k8s.io/yaml`, which parses
 * with go-yaml v2 (YAML 1.1 scalars, Go's number parsing) and converts the result to JSON. This
 * module gives the same JSON value for a document:
 *
 * - plain scalars resolve by go-yaml v2's `resolve` (goyaml.v2/resolve.go): `y`, `Yes`, `on`,
 *   `OFF` are booleans; `0755`, `0o22`, `0x_1F`, `0b101`, `1_000`, `+12`, `.5` are numbers;
 *   `~` is null; `12:30` and `2001-12-14` stay strings;
 * - merge keys (`<<`) merge as go-yaml v2 merges: in document order, each write replacing what
 *   was there, a list of mappings from its last to its first;
 * - aliases are expanded, with go-yaml v2's limit on how much of a document they may make;
 * - a key written twice keeps its last value, as kubectl does; each such key is reported so the
 *   checker can warn;
 * - keys become strings as `sigs.k8s.io/yaml` makes them (`yes:` is `"true"`, `1.5:` is `"1.5"`),
 *   and what it cannot convert fails as it fails: a null key, a non-finite number (`.inf`).
 *
 * The `yaml` package does the parsing (syntax and its error messages, with lines); only its
 * syntax tree is used, never its schema. test/yaml-reading.test.ts compares this reading with
 * the real one, built from `sigs.k8s.io/yaml` and apimachinery, on thousands of generated documents.
 */

/** A document kubectl cannot decode: the message, and the line (from 1) where known. */
export class YamlDecodeError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'YamlDecodeError';
  }
}

/** A key written twice in one mapping: kubectl keeps the last value. */
export interface DuplicateKey {
  readonly key: string;
  /** Lines of the first and the second writing, from 1. */
  readonly firstLine: number;
  readonly line: number;
  /** Whether both writings give the same value. */
  readonly sameValue: boolean;
}

/** A scalar resolved by go-yaml v2: its Go kind and its value. */
export type GoScalar =
  | { readonly kind: 'null'; readonly value: null }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int' | 'uint'; readonly value: number; readonly exact: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string };

const STR_TAG = 'tag:yaml.org,2002:str';
const MERGE_TAG = 'tag:yaml.org,2002:merge';
const SHORT_TAG = 'tag:yaml.org,2002:';
const RESOLVABLE_TAGS = new Set([
  '',
  STR_TAG,
  ...['bool', 'null', 'int', 'float', 'timestamp'].map((t) => SHORT_TAG + t),
]);

// goyaml.v2/resolve.go: the spellings looked up in a map before any number parsing.
const RESOLVE_MAP = new Map<string, GoScalar>();
const spellings: Array<[GoScalar, string[]]> = [
  [{ kind: 'bool', value: true }, ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']],
  [{ kind: 'bool', value: false }, ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']],
  [{ kind: 'null', value: null }, ['', '~', 'null', 'Null', 'NULL']],
  [{ kind: 'float', value: Number.NaN }, ['.nan', '.NaN', '.NAN']],
  [{ kind: 'float', value: Number.POSITIVE_INFINITY }, ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']],
  [{ kind: 'float', value: Number.NEGATIVE_INFINITY }, ['-.inf', '-.Inf', '-.INF']],
];
for (const [scalar, words] of spellings) {
  for (const word of words) {
    RESOLVE_MAP.set(word, scalar);
  }
}
// First characters of scalars that may resolve to anything but a string (resolve.go's resolveTable).
const HINTED = /^[-+0-9yYnNtTfFoO~.]/;
// resolve.go's yamlStyleFloat, tried on the text without its underscores.
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// What strconv.ParseFloat accepts of a text starting with ".": underscores only between digits.
const DOT_FLOAT = /^\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?$/;
// What strconv.ParseInt(s, 0, 64) accepts once underscores are gone: sign, base prefix, digits.
const GO_INTEGER = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|(0|[1-9][0-9]*))$/;
// Go's parseTimestamp first looks for four digits and a dash; such texts stay strings.
const TIMESTAMP_START = /^[0-9]{4}-/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseInt(s, 0, 64) then ParseUint(s, 0, 64), as resolve.go tries them. */
function goInteger(plain: string): GoScalar | undefined {
  const match = GO_INTEGER.exec(plain);
  if (!match) {
    return undefined;
  }
  const [, sign, hex, octal, binary, legacyOctal, decimal] = match;
  const magnitude =
    hex !== undefined
      ? BigInt(`0x${hex}`)
      : octal !== undefined
        ? BigInt(`0o${octal}`)
        : binary !== undefined
          ? BigInt(`0b${binary}`)
          : legacyOctal !== undefined
            ? BigInt(`0o${legacyOctal}`)
            : BigInt(decimal);
  const value = sign === '-' ? -magnitude : magnitude;
  if (value >= INT64_MIN && value <= INT64_MAX) {
    return { kind: 'int', value: Number(value), exact: value };
  }
  // ParseUint takes no sign.
  return sign === '' && value <= UINT64_MAX ? { kind: 'uint', value: Number(value), exact: value } : undefined;
}

/** resolve.go's last try: `0b` followed by what strconv.ParseInt(s, 2, 64) takes, a sign included. */
function goBinaryAfterPrefix(plain: string): GoScalar | undefined {
  const match = /^0b([-+]?)([01]+)$/.exec(plain);
  if (!match) {
    return undefined;
  }
  const magnitude = BigInt(`0b${match[2]}`);
  const value = match[1] === '-' ? -magnitude : magnitude;
  if (value >= INT64_MIN && value <= INT64_MAX) {
    return { kind: 'int', value: Number(value), exact: value };
  }
  return match[1] === '' && value <= UINT64_MAX ? { kind: 'uint', value: Number(value), exact: value } : undefined;
}

/**
 * A plain (unquoted, untagged) scalar as go-yaml v2 resolves it (goyaml.v2/resolve.go `resolve`).
 * Integers beyond 2^53 are given as the nearest double, as JSON.parse gives them from kubectl's JSON.
 */
export function resolvePlainScalar(text: string): GoScalar {
  const mapped = RESOLVE_MAP.get(text);
  if (mapped !== undefined) {
    return mapped;
  }
  if (!HINTED.test(text)) {
    return { kind: 'str', value: text };
  }
  const first = text.charCodeAt(0);
  if (first === 0x2e /* . */) {
    if (DOT_FLOAT.test(text)) {
      const value = Number(text.replaceAll('_', ''));
      if (Number.isFinite(value)) {
        return { kind: 'float', value };
      }
    }
    return { kind: 'str', value: text };
  }
  const isDigit = first >= 0x30 && first <= 0x39;
  if (!isDigit && first !== 0x2b && first !== 0x2d) {
    // The 'M' hint: only the spellings of the map.
    return { kind: 'str', value: text };
  }
  if (TIMESTAMP_START.test(text)) {
    // A timestamp, or nothing a number could be: go-yaml gives an interface{} the text.
    return { kind: 'str', value: text };
  }
  const plain = text.replaceAll('_', '');
  const integer = goInteger(plain);
  if (integer) {
    return integer;
  }
  if (YAML_STYLE_FLOAT.test(plain)) {
    const value = Number(plain);
    if (Number.isFinite(value)) {
      return { kind: 'float', value };
    }
  }
  return goBinaryAfterPrefix(plain) ?? { kind: 'str', value: text };
}

/** A scalar with an explicit tag (`!!int "12"`), as resolve.go resolves it or refuses it. */
function resolveTagged(tag: string, text: string, line: () => number | undefined): GoScalar {
  if (!RESOLVABLE_TAGS.has(tag) || tag === STR_TAG) {
    return { kind: 'str', value: text };
  }
  const resolved = resolvePlainScalar(text);
  const wanted = tag.slice(SHORT_TAG.length);
  // A uint64 resolves as an !!int too; an !!float takes an int or int64, not a uint64 (resolve.go's deferred check).
  const resolvedTag = resolved.kind === 'uint' ? 'int' : resolved.kind;
  if (resolvedTag === wanted) {
    return resolved;
  }
  if (wanted === 'float' && resolved.kind === 'int') {
    return { kind: 'float', value: resolved.value };
  }
  if (wanted === 'timestamp' && resolved.kind === 'str' && TIMESTAMP_START.test(text)) {
    return resolved;
  }
  throw new YamlDecodeError(`cannot decode !!${resolvedTag} \`${text}\` as a !!${wanted}`, line());
}

/**
 * A map key as sigs.k8s.io/yaml turns it into a JSON key (yaml.go `convertToJSONableObject`):
 * strings as they are, integers in decimal, booleans as words, floats as Go's
 * strconv.FormatFloat(f, 'g', -1, 32); anything else fails.
 */
function jsonKey(key: GoScalar, line: () => number | undefined): string {
  switch (key.kind) {
    case 'str':
      return key.value;
    case 'bool':
      return String(key.value);
    case 'int':
      return String(key.exact);
    case 'float':
      return formatFloat32(key.value);
    default:
      throw new YamlDecodeError(`unsupported map key of type ${key.kind === 'uint' ? 'uint64' : '<nil>'}`, line());
  }
}

/** Go's strconv.FormatFloat(f, 'g', -1, 32): the shortest decimal that reads back as the same float32. */
export function formatFloat32(value: number): string {
  if (Number.isNaN(value)) {
    return '.nan';
  }
  if (!Number.isFinite(Math.fround(value))) {
    return value > 0 ? '.inf' : '-.inf';
  }
  const single = Math.fround(value);
  if (single === 0) {
    return Object.is(single, -0) ? '-0' : '0';
  }
  let digits = '';
  let exponent = 0;
  for (let precision = 1; precision <= 9; precision++) {
    const [mantissa, power] = Math.abs(single)
      .toExponential(precision - 1)
      .split('e');
    if (Math.fround(Number(`${mantissa}e${power}`)) === Math.abs(single)) {
      digits = mantissa.replace('.', '');
      exponent = Number(power);
      break;
    }
  }
  const sign = single < 0 ? '-' : '';
  // %e when the exponent is below -4 or at least 6 (the shortest form's eprec), else %f.
  if (exponent < -4 || exponent >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const power = Math.abs(exponent).toString().padStart(2, '0');
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${power}`;
  }
  if (exponent < 0) {
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  const whole = digits.padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole.slice(0, exponent + 1)}${fraction ? `.${fraction}` : ''}`;
}

// goyaml.v2/decode.go: how much of a document aliases may make before it is refused.
const ALIAS_RATIO_LOW = 400_000;
const ALIAS_RATIO_HIGH = 4_000_000;
function allowedAliasRatio(decodes: number): number {
  if (decodes <= ALIAS_RATIO_LOW) {
    return 0.99;
  }
  if (decodes >= ALIAS_RATIO_HIGH) {
    return 0.1;
  }
  return 0.99 - (0.89 * (decodes - ALIAS_RATIO_LOW)) / (ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW);
}

type Node = Yaml.Node;
type JsonLike = null | boolean | number | string | JsonLike[] | { [key: string]: JsonLike };

/** Sets a key, `__proto__` included, as an own property. */
function setKey(object: Record<string, JsonLike>, key: string, value: JsonLike): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

/** Decodes one parsed document as go-yaml v2 decodes into an interface{}, then as sigs.k8s.io/yaml makes JSON. */
class GoDecoder {
  private decodes = 0;
  private aliasExpansions = 0;
  private aliasDepth = 0;
  private readonly expanding = new Set<Node>();
  /** Each alias's node: the latest anchor of its name before it, in document order. */
  private readonly targets = new Map<Node, Node>();
  readonly duplicates: DuplicateKey[] = [];
  /** Whether a value was .inf or .nan, which JSON cannot hold. */
  nonFinite = false;

  constructor(
    private readonly yaml: typeof Yaml,
    private readonly lineOf: (offset: number) => number,
  ) {}

  /** Links every alias to its anchor, as go-yaml's parser does while it reads. */
  link(root: Node | null): void {
    const anchors = new Map<string, Node>();
    const visit = (node: unknown): void => {
      const { yaml } = this;
      if (yaml.isAlias(node)) {
        const target = anchors.get(node.source);
        if (target === undefined) {
          throw new YamlDecodeError(`unknown anchor '${node.source}' referenced`, this.line(node));
        }
        this.targets.set(node, target);
        return;
      }
      if (!yaml.isNode(node)) {
        return;
      }
      if (node.anchor) {
        anchors.set(node.anchor, node);
      }
      if (yaml.isMap(node)) {
        for (const pair of node.items) {
          visit(pair.key);
          visit(pair.value);
        }
      } else if (yaml.isSeq(node)) {
        for (const item of node.items) {
          visit(item);
        }
      }
    };
    visit(root);
  }

  private line(node: unknown): number | undefined {
    const range = (node as Node | undefined)?.range;
    return range ? this.lineOf(range[0]) : undefined;
  }

  /** decode.go `unmarshal`: counts every node it makes, for the alias limit. */
  private count(node: unknown): void {
    this.decodes++;
    if (this.aliasDepth > 0) {
      this.aliasExpansions++;
    }
    if (
      this.aliasExpansions > 100 &&
      this.decodes > 1000 &&
      this.aliasExpansions / this.decodes > allowedAliasRatio(this.decodes)
    ) {
      throw new YamlDecodeError('document contains excessive aliasing', this.line(node));
    }
  }

  /** The node an alias stands for, expanded once more; an alias inside its own anchor fails. */
  private throughAlias<T>(node: Yaml.Alias, decode: (target: Node) => T): T {
    if (this.expanding.has(node)) {
      throw new YamlDecodeError(`anchor '${node.source}' value contains itself`, this.line(node));
    }
    this.expanding.add(node);
    this.aliasDepth++;
    try {
      return decode(this.targets.get(node)!);
    } finally {
      this.aliasDepth--;
      this.expanding.delete(node);
    }
  }

  /** A scalar's Go value. */
  scalar(node: Yaml.Scalar): GoScalar {
    const text = String(node.value);
    if (node.tag) {
      return resolveTagged(node.tag, text, () => this.line(node));
    }
    return node.type === 'PLAIN' ? resolvePlainScalar(text) : { kind: 'str', value: text };
  }

  /** Any node (null for an empty one) as its JSON value. */
  value(node: unknown): JsonLike {
    const { yaml } = this;
    this.count(node);
    if (node === null || node === undefined) {
      return null;
    }
    if (yaml.isAlias(node)) {
      return this.throughAlias(node, (target) => this.value(target));
    }
    if (yaml.isScalar(node)) {
      const scalar = this.scalar(node);
      if (typeof scalar.value === 'number' && !Number.isFinite(scalar.value)) {
        // Refused only if it is still there when the document becomes JSON: a later key may replace it.
        this.nonFinite = true;
      }
      return scalar.value;
    }
    if (yaml.isSeq(node)) {
      return node.items.map((item) => this.value(item));
    }
    if (yaml.isMap(node)) {
      const object: Record<string, JsonLike> = {};
      this.mapping(node, object, new Map());
      return object;
    }
    throw new YamlDecodeError('is not a YAML node', this.line(node));
  }

  /**
   * decode.go `mapping` into a map that may already hold keys (of a merge): each pair in order,
   * a merge key's mappings merged in place. `written` holds the lines of keys written in this
   * mapping itself (the node each was written at), for the duplicate report.
   */
  private mapping(
    node: Yaml.YAMLMap,
    object: Record<string, JsonLike>,
    written: Map<string, unknown> | undefined,
  ): void {
    const { yaml } = this;
    for (const pair of node.items) {
      const keyNode = pair.key;
      // decode.go `isMerge`: a plain `<<`, or one tagged !!merge.
      if (
        yaml.isScalar(keyNode) &&
        keyNode.value === '<<' &&
        ((keyNode.type === 'PLAIN' && !keyNode.tag) || keyNode.tag === MERGE_TAG)
      ) {
        this.merge(pair.value, object);
        continue;
      }
      this.count(keyNode);
      let key: GoScalar;
      if (yaml.isAlias(keyNode)) {
        key = this.throughAlias(keyNode, (target) => {
          this.count(target);
          return this.keyScalar(target);
        });
      } else {
        key = this.keyScalar(keyNode);
      }
      const place = (keyNode as Node | null)?.range ? keyNode : pair.value;
      const name = jsonKey(key, () => this.line(place));
      const value = this.value(pair.value);
      const before = written?.get(name);
      if (written !== undefined && before !== undefined) {
        this.duplicates.push({
          key: name,
          firstLine: this.line(before) ?? 0,
          line: this.line(place) ?? 0,
          sameValue: JSON.stringify(object[name]) === JSON.stringify(value),
        });
      }
      written?.set(name, place);
      setKey(object, name, value);
    }
  }

  private keyScalar(node: unknown): GoScalar {
    const { yaml } = this;
    if (node === null || node === undefined) {
      return { kind: 'null', value: null };
    }
    if (yaml.isScalar(node)) {
      return this.scalar(node);
    }
    throw new YamlDecodeError('invalid map key: a mapping or sequence', this.line(node));
  }

  /** decode.go `merge`: a mapping, an alias of one, or a list of them, the earlier ones winning. */
  private merge(node: unknown, object: Record<string, JsonLike>): void {
    const { yaml } = this;
    const refuse = () =>
      new YamlDecodeError('map merge requires map or sequence of maps as the value', this.line(node));
    const mergeOne = (item: unknown) => {
      this.count(item);
      if (yaml.isMap(item)) {
        this.mapping(item, object, undefined);
      } else if (yaml.isAlias(item)) {
        this.throughAlias(item, (target) => {
          if (!yaml.isMap(target)) {
            throw refuse();
          }
          this.count(target);
          this.mapping(target, object, undefined);
        });
      } else {
        throw refuse();
      }
    };
    if (yaml.isSeq(node)) {
      for (const item of node.items) {
        if (!yaml.isMap(item) && !(yaml.isAlias(item) && yaml.isMap(this.targets.get(item)))) {
          throw refuse();
        }
      }
      for (let index = node.items.length - 1; index >= 0; index--) {
        mergeOne(node.items[index]);
      }
    } else {
      mergeOne(node);
    }
  }
}

/** The first .inf or .nan left in a decoded value, as json.Marshal meets it. */
function firstNonFinite(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : value;
  }
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) {
      const found = firstNonFinite(inner);
      if (found !== undefined) {
        return found;
      }
    }
  }
  return undefined;
}

const formatNonFinite = (value: number) => (Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf');

/** What decoding one document gives: its value (null for an empty one) and the keys written twice. */
export interface DecodedDocument {
  readonly value: unknown;
  readonly duplicates: readonly DuplicateKey[];
}

/**
 * Decodes a parsed document as kubectl does.
 *
 * @param lineOf the line (from 1) of an offset into the parsed text
 * @throws YamlDecodeError where kubectl fails to decode the document
 */
export function decodeParsedDocument(
  yaml: typeof Yaml,
  document: Yaml.Document.Parsed,
  lineOf: (offset: number) => number,
): DecodedDocument {
  const decoder = new GoDecoder(yaml, lineOf);
  decoder.link(document.contents);
  const value = decoder.value(document.contents);
  const nonFinite = decoder.nonFinite ? firstNonFinite(value) : undefined;
  if (nonFinite !== undefined) {
    throw new YamlDecodeError(`json: unsupported value: ${formatNonFinite(nonFinite)}`);
  }
  return { value, duplicates: decoder.duplicates };
}

/**
 * The characters go-yaml's reader accepts (goyaml.v2/readerc.go): tab, line feed, carriage return,
 * printable ASCII, NEL and Unicode but surrogates and U+FFFE/U+FFFF. Any other refuses the document.
 */
export const NOT_ALLOWED_IN_YAML = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/**
 * Reads the text of one document (as cut at `---` lines) as kubectl reads it, with the `yaml`
 * package's parser and the rules above: for callers that need the value and no findings.
 *
 * @throws YamlDecodeError where kubectl fails to decode the document
 */
export function decodeYamlText(text: string): DecodedDocument {
  const yaml = require('yaml') as typeof Yaml;
  // kubectl reads lines without the carriage returns of CRLF, and not the `---` line itself.
  let source = text.includes('\r') ? text.replaceAll('\r\n', '\n') : text;
  if (source.startsWith('---')) {
    const end = source.indexOf('\n');
    source = end === -1 ? '' : source.slice(end);
  }
  const lineOf = (offset: number) => 1 + (source.slice(0, offset).match(/\n/g)?.length ?? 0);
  const outside = NOT_ALLOWED_IN_YAML.exec(source);
  if (outside !== null) {
    throw new YamlDecodeError('control characters are not allowed', lineOf(outside.index));
  }
  const [document] = yaml.parseAllDocuments(source, YAML_PARSE_OPTIONS);
  if (document === undefined) {
    return { value: null, duplicates: [] };
  }
  const [error] = document.errors;
  if (error !== undefined) {
    throw new YamlDecodeError(error.message.split('\n')[0], error.linePos?.[0].line);
  }
  return decodeParsedDocument(yaml, document, lineOf);
}

/** The `yaml` package's options for kubectl's reading: YAML 1.1 syntax, every scalar kept as text (failsafe) for the rules above to resolve. */
export const YAML_PARSE_OPTIONS = {
  version: '1.1',
  schema: 'failsafe',
  merge: false,
  uniqueKeys: false,
  prettyErrors: true,
} as const;
