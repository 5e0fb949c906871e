/**
 * Generated manifest files for the YAML reading differential test: every spelling of go-yaml v2's
 * scalar table and near misses of them, written plain, quoted, tagged, as block scalars and in
 * flow collections, as values and as keys; merge keys, anchors and aliases; keys written twice;
 * document separators; byte-order marks, UTF-16, CRLF and JSON. Seeded: a failure names a case
 * that can be generated again.
 */
import { resolvePlainScalar } from '../checker/go-yaml';

/** Scalars of go-yaml v2's resolve table, their near misses, and ordinary manifest strings. */
export const SCALARS = [
  // booleans and their near misses
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'yES', 'n', 'N', 'no', 'No', 'NO', 'nO', 'true', 'True', 'TRUE', 'tRUE'],
  ...['false', 'False', 'FALSE', 'on', 'On', 'ON', 'oN', 'off', 'Off', 'OFF', 'oFF', 'yess', 'o', 't', 'f'],
  // nulls
  ...['~', 'null', 'Null', 'NULL', 'nULL', 'nil', 'None'],
  // integers as Go's strconv.ParseInt(s, 0, 64) reads them, and near misses
  ...['0', '-0', '+0', '00', '07', '0755', '08', '09', '0o22', '0O22', '0o8', '0x1F', '0X1F', '0x_1F', '0x1G'],
  ...['0x', '0b101', '0B101', '0b2', '0b', '0b-101', '0b+11', '-0b11', '1_000', '1__0', '_1', '1_', '+12', '-12'],
  ...['9223372036854775807', '9223372036854775808', '18446744073709551615', '18446744073709551616'],
  ...['-9223372036854775808', '-9223372036854775809', '0x8000000000000000', '0x10000000000000000', '1,000'],
  // floats
  ...['.5', '+.5', '-.5', '1.', '1.5', '-1.5', '1e3', '1E3', '1e+3', '1.5e-3', '.5_0', '._5', '.5e_1', '1e3_0'],
  ...['1e400', '-1e400', '1e-400', '.5e400', '0.1', '3.14159265358979', '1.2.3', '0x1p-2', '1e', 'e3', '.'],
  ...['inf', 'Inf', '-inf', 'NaN', 'nan', '.iNf', 'Infinity', '-Infinity'],
  // sexagesimal and timestamps, strings in go-yaml v2
  ...[
    '12:30',
    '1:20:30',
    '190:20:30',
    '2001-12-14',
    '2001-12-14T21:59:43.10-05:00',
    '2001-12-14 21:59:43.10',
    '2001-1-2',
  ],
  ...['2001-13-45', '20011214', '2001-'],
  // ordinary strings of manifests
  ...['hello', 'web-1', 'nginx:1.25', 'a b', 'http://x:80/y', 'v1', 'app.kubernetes.io/name', '10Mi', '0.5Gi'],
  ...['100m', '25%', 'TCP', 'sh -c "echo hi"', 'x#y', '-x', '+x', '=', '<<', '@x', '`x`', 'é', '日本'],
];

/** Scalars kubectl refuses as values: JSON has no infinities and no NaN. */
export const NON_FINITE = ['.inf', '.Inf', '.INF', '+.inf', '-.inf', '-.Inf', '.nan', '.NaN', '.NAN'];

/** Keys worth trying: strings, and what go-yaml turns into other kinds of key. */
const KEYS = [
  'name',
  'value',
  'app',
  'data',
  'y',
  'yes',
  'on',
  'NO',
  'true',
  '1',
  '0x1F',
  '010',
  '1.5',
  '1e6',
  '3.14159265358979',
  '.inf',
  '-.inf',
  '0.0001',
  '1e-5',
  '9223372036854775808',
  '12:30',
  '-1',
  'x.y/z',
];
/** Keys that kubectl cannot turn into JSON keys. */
const BAD_KEYS = ['~', 'null', '18446744073709551615'];

/** A seeded generator, so that a failure names a case that can be run again. */
export function seeded(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((state / 2 ** 31) * below);
  };
}

type Random = (below: number) => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[random(items.length)];

/** A scalar of the table, now and then one kubectl refuses. */
const scalar = (random: Random) => (random(40) === 0 ? pick(random, NON_FINITE) : pick(random, SCALARS));

const doubleQuoted = (text: string) => JSON.stringify(text);
const singleQuoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** A scalar written in one of the styles YAML has for it, for a value on a `key: ` line. */
function scalarText(random: Random, text: string, indent: string): string {
  switch (random(14)) {
    case 0:
      return doubleQuoted(text);
    case 1:
      return singleQuoted(text);
    case 2:
      return `!!str ${text}`;
    case 3:
      // Mostly a tag that fits the text; now and then one that does not.
      return random(4) === 0
        ? `${pick(random, ['!!int', '!!float', '!!bool', '!!null', '!!str'])} ${doubleQuoted(text)}`
        : `${taggedAs(text)} ${doubleQuoted(text)}`;
    case 4:
      return `|\n${indent}  ${text}`;
    case 5:
      return `${pick(random, ['|-', '>', '>-', '|+'])}\n${indent}  ${text}\n${indent}  ${text}`;
    case 6:
      return `${text} # a comment`;
    default:
      return text;
  }
}

/** The tag of what go-yaml resolves a plain scalar to. */
function taggedAs(text: string): string {
  const value = resolvePlainScalar(text);
  return value.kind === 'uint' ? '!!int' : `!!${value.kind}`;
}

/** A flow collection of scalars. */
function flowText(random: Random): string {
  const items = Array.from({ length: 1 + random(3) }, () => scalar(random));
  const written = items.map((item) => (random(4) === 0 ? doubleQuoted(item) : item));
  if (random(2) === 0) {
    return `[${written.join(', ')}]`;
  }
  return `{${written.map((item, index) => `${pick(random, KEYS)}${index}: ${item}`).join(', ')}}`;
}

/** A block mapping at an indentation, some of whose values nest. */
function mappingText(random: Random, indent: string, depth: number): string {
  const lines: string[] = [];
  const keys = 1 + random(4);
  for (let index = 0; index < keys; index++) {
    const key = random(5) === 0 ? pick(random, random(10) === 0 ? BAD_KEYS : KEYS) : `k${depth}${index}`;
    const shape = random(depth > 1 ? 6 : 10);
    if (shape < 6) {
      lines.push(`${indent}${key}: ${scalarText(random, scalar(random), indent)}`);
    } else if (shape === 6) {
      lines.push(`${indent}${key}: ${flowText(random)}`);
    } else if (shape === 7) {
      lines.push(`${indent}${key}:`, mappingText(random, `${indent}  `, depth + 1));
    } else if (shape === 8) {
      lines.push(`${indent}${key}:`);
      for (let item = 0; item <= random(3); item++) {
        lines.push(`${indent}- ${scalarText(random, scalar(random), `${indent}  `)}`);
      }
    } else {
      lines.push(`${indent}${key}:`);
      for (let item = 0; item <= random(2); item++) {
        lines.push(`${indent}  - ${mappingText(random, `${indent}    `, depth + 1).trimStart()}`);
      }
    }
  }
  return lines.join('\n');
}

/** Documents with merge keys, anchors and aliases, as manifests share a container's settings. */
function anchorsText(random: Random): string {
  const base = `base: &base\n  name: first\n  image: ${scalar(random)}\n  port: ${scalar(random)}\n`;
  const other = `other: &other {name: other, tier: ${scalar(random)}}\n`;
  const merged = [
    '  <<: *base',
    `  <<: [*base, *other]`,
    `  <<: [*other, *base]`,
    `  <<: {name: inline, x: ${scalar(random)}}`,
    `  "<<": *base`,
    `  !!merge <<: *base`,
  ];
  const badMerges = ['  <<: *scalar', '  <<: [*base, *scalar]', '  <<: *missing'];
  const body = [
    `  name: ${pick(random, ['second', 'first', 'y'])}`,
    pick(random, random(8) === 0 ? badMerges : merged),
    `  port: ${scalar(random)}`,
  ];
  // An explicit key before the merge, after it, or both.
  const order = [
    [1, 0],
    [0, 1],
    [1, 2],
    [0, 1, 2],
    [2, 1, 0],
  ][random(5)];
  const aliases = [
    'copy: *base',
    'scalarCopy: *scalar',
    `list: [*scalar, *scalar, ${scalar(random)}]`,
    'again: &scalar redefined\nlater: *scalar',
    '*scalar : aliasKey',
    'copy: *base',
    'scalarCopy: *scalar',
    'self: &self [a, *self]',
  ];
  return (
    `scalarDef: &scalar ${scalar(random)}\n${base}${other}derived:\n` +
    `${order.map((index) => body[index]).join('\n')}\n${pick(random, aliases)}\n`
  );
}

/** A mapping with a key written twice, with the same value or another, nested or not. */
function duplicateText(random: Random): string {
  const first = scalar(random);
  const second = random(2) === 0 ? first : scalar(random);
  const key = random(3) === 0 ? pick(random, KEYS) : 'selector';
  const forms = [
    `${key}: ${first}\nother: x\n${key}: ${second}\n`,
    `spec:\n  ${key}:\n    app: ${first}\n  ${key}:\n    app: ${second}\n`,
    `m: {${key}: ${first}, ${key}: ${second}}\n`,
    `yes: ${first}\ntrue: ${second}\n`,
    `1: ${first}\n0x1: ${second}\n`,
  ];
  return pick(random, forms);
}

/** A file of one to three documents, with separators as files have them. */
function yamlFileText(random: Random): string {
  const documents = Array.from({ length: 1 + random(3) }, () => {
    const shape = random(10);
    if (shape < 5) {
      return `${mappingText(random, '', 0)}\n`;
    }
    if (shape < 7) {
      return anchorsText(random);
    }
    if (shape < 9) {
      return duplicateText(random);
    }
    return `${pick(random, KEYS)}: ${flowText(random)}\n`;
  });
  const separators = ['---\n', '--- # next\n', '---   \n', '---\t\n', '...\n---\n', '---#x\n'];
  const badSeparators = ['---x\n', '--- a: 1\n', '----\n'];
  let text = random(4) === 0 ? '---\n' : '';
  documents.forEach((document, index) => {
    const separator = pick(random, random(15) === 0 ? badSeparators : separators);
    text += (index > 0 ? separator : '') + document;
  });
  if (random(6) === 0) {
    text += '...\nafter: the end\n';
  }
  return text;
}

/** The bytes of a generated file: UTF-8 (with a BOM, CRLF), UTF-16 with a BOM, or JSON. */
function fileBytes(random: Random, text: string): Buffer {
  switch (random(12)) {
    case 0:
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    case 1:
      return Buffer.from(text.replaceAll('\n', '\r\n'));
    case 2:
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 3: {
      const le = Buffer.from(text, 'utf16le');
      return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le.swap16())]);
    }
    default:
      return Buffer.from(text);
  }
}

/** JSON files: as JSON, JSON with YAML's liberties (a trailing comma, bare words), or broken. */
function jsonFileBytes(random: Random): Buffer {
  const value = scalar(random);
  const forms = [
    `{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": ${JSON.stringify(value)}}}`,
    `{"a": 1, "a": 2}`,
    `{"a": ${JSON.stringify(value)},}`,
    `{a: ${value}}`,
    `{"a": [1, 2}`,
    `  \n{"a": {"b": null}}\n`,
  ];
  return Buffer.from(pick(random, forms));
}

/** `count` generated files. */
export function generatedFiles(count: number, seed = 17): Buffer[] {
  const random = seeded(seed);
  return Array.from({ length: count }, () =>
    random(15) === 0 ? jsonFileBytes(random) : fileBytes(random, yamlFileText(random)),
  );
}

/** One file per scalar, as a value and as a key, plain and quoted: every spelling at least once. */
export function scalarFiles(): Buffer[] {
  return [...SCALARS, ...NON_FINITE].flatMap((scalar) => [
    Buffer.from(`value: ${scalar}\n`),
    Buffer.from(`${scalar}: key\n`),
    Buffer.from(`list: [${scalar}]\nmap: {k: ${scalar}}\nseq:\n- ${scalar}\n`),
    Buffer.from(`quoted: ${doubleQuoted(scalar)}\nsingle: ${singleQuoted(scalar)}\n`),
  ]);
}
