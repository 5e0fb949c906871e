import { resolvePlainScalar } from './go-yaml';

/**
 * A reader for the plain block YAML that almost every manifest is written in: nested block
 * mappings and sequences, one-line plain and quoted scalars, `|` and `|-` block scalars, `{}`
 * and `[]`, comments, printable ASCII. For any text outside that subset it gives `undefined`,
 * and the general reader (the `yaml` package's parser and go-yaml.ts) reads the document.
 *
 * It is hand-written because parsing was most of the time `npm run validate` takes on a large
 * tree, and no maintained parser has a fast path for this subset: knowing that a line is
 * `key: value` or `- item` from its first characters, it builds each object in one pass. What it
 * accepts it reads to exactly the value kubectl gives: plain scalars are resolved by go-yaml v2's
 * rules (go-yaml.ts), and whatever needs a warning or an error (keys written twice, bad
 * indentation, `.inf`) or is read in a way this does not model (multi-line plain scalars, tags,
 * escapes, anchors, merge keys) is left to the general reader. test/block-yaml.test.ts compares
 * the two on every fixture, on the YAML files of the Kubernetes module the schema comes from, and
 * on mutated documents; test/yaml-reading.test.ts compares both with kubectl's own reading.
 */

/** Thrown, once made, when the text leaves the subset: no stack trace is taken. */
const UNSUPPORTED = new Error('outside the block YAML subset');

// Anything but printable ASCII and line feeds: tabs, carriage returns, control characters and
// all of Unicode are left to the general reader, which checks and reads them.
const OUTSIDE_PRINTABLE_ASCII = /[^\n\x20-\x7e]/;
// First characters a plain scalar cannot start with, or that make it something else.
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;
// First characters of the plain scalars that go-yaml v2 may read as null, a boolean or a number.
const MAY_NOT_BE_STRING = /^[-+.~0-9yYnNtTfFoO]/;

const SPACE = 0x20;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;
// Characters of a mapping key: a plain word as manifests' keys are, label keys included.
const KEY_CHARACTER = new Uint8Array(128);
for (const character of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-') {
  KEY_CHARACTER[character.charCodeAt(0)] = 1;
}

/**
 * Where the key of a `key: value` or `key:` line ends (at its colon), or -1 when the line is
 * not one. A key starts with a letter or `_`, so go-yaml could only read it as null or a
 * boolean, never as a number.
 */
function keyEnd(text: string): number {
  const first = text.charCodeAt(0);
  if (!((first >= 0x61 && first <= 0x7a) || (first >= 0x41 && first <= 0x5a) || first === 0x5f)) {
    return -1;
  }
  let at = 1;
  while (at < text.length && KEY_CHARACTER[text.charCodeAt(at)] === 1) {
    at++;
  }
  if (text.charCodeAt(at) !== COLON || (at + 1 < text.length && text.charCodeAt(at + 1) !== SPACE)) {
    return -1;
  }
  return at;
}

/** Whether go-yaml reads a key starting with a letter as a string (rather than null or a boolean). */
const isStringKey = (key: string) => resolvePlainScalar(key).kind === 'str';

const isSequenceEntry = (text: string) =>
  text.charCodeAt(0) === DASH && (text.length === 1 || text.charCodeAt(1) === SPACE);

/** A plain scalar, resolved as go-yaml v2 resolves it; `.inf` and `.nan`, which kubectl refuses, are left to the general reader. */
function plainValue(text: string): unknown {
  if (!MAY_NOT_BE_STRING.test(text)) {
    return text;
  }
  const { value } = resolvePlainScalar(text);
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw UNSUPPORTED;
  }
  return value;
}

/** A one-line scalar after `key: ` or `- `: quoted, plain, or an empty flow collection. */
function inlineScalar(text: string): unknown {
  if (text === '{}') {
    return {};
  }
  if (text === '[]') {
    return [];
  }
  const first = text.charCodeAt(0);
  if (first === 0x22 /* " */) {
    const inner = text.slice(1, -1);
    if (text.length < 2 || text.charCodeAt(text.length - 1) !== 0x22 || inner.includes('"') || inner.includes('\\')) {
      throw UNSUPPORTED;
    }
    return inner;
  }
  if (first === 0x27 /* ' */) {
    const inner = text.slice(1, -1);
    if (text.length < 2 || text.charCodeAt(text.length - 1) !== 0x27 || inner.replaceAll("''", '').includes("'")) {
      throw UNSUPPORTED;
    }
    return inner.replaceAll("''", "'");
  }
  if (
    (INDICATOR.test(text) && !(first === DASH && text.length > 1 && text.charCodeAt(1) !== SPACE)) ||
    text.includes(': ') ||
    text.includes(' #') ||
    text.charCodeAt(text.length - 1) === COLON
  ) {
    throw UNSUPPORTED;
  }
  return plainValue(text);
}

class BlockReader {
  /** The line being read. */
  private at = 0;

  /**
   * @param source the document's text
   * @param starts where each line starts in the text
   * @param spaces each line's leading spaces
   * @param indents each line's indentation as a node's; -1 for blank lines and comments
   * @param texts each line's text after its leading spaces
   */
  constructor(
    private readonly source: string,
    private readonly starts: readonly number[],
    private readonly spaces: readonly number[],
    private readonly indents: number[],
    private readonly texts: string[],
  ) {}

  /** Moves to the next line with content, skipping blank lines and comments; its indentation, or -1 at the end. */
  private nextContent(): number {
    while (this.at < this.indents.length && this.indents[this.at] === -1) {
      this.at++;
    }
    return this.at < this.indents.length ? this.indents[this.at] : -1;
  }

  /** The whole document: one mapping or sequence, or null. */
  document(): unknown {
    const indent = this.nextContent();
    if (indent === -1) {
      return null;
    }
    const value = this.node(indent);
    if (this.nextContent() !== -1) {
      throw UNSUPPORTED;
    }
    return value;
  }

  /** A mapping or sequence whose first line, the current one, is indented by `indent`. */
  private node(indent: number): unknown {
    const text = this.texts[this.at];
    if (isSequenceEntry(text)) {
      return this.sequence(indent);
    }
    if (keyEnd(text) !== -1) {
      return this.mapping(indent);
    }
    throw UNSUPPORTED;
  }

  private mapping(indent: number): Record<string, unknown> {
    const mapping: Record<string, unknown> = {};
    const keys: string[] = [];
    let manyKeys: Set<string> | undefined;
    for (let lineIndent = this.nextContent(); lineIndent >= indent; lineIndent = this.nextContent()) {
      const text = this.texts[this.at];
      const end = lineIndent === indent ? keyEnd(text) : -1;
      if (end === -1) {
        throw UNSUPPORTED;
      }
      const key = text.slice(0, end);
      // Duplicates, which the general reader warns of: most mappings have a few keys, searched in a list;
      // a large one (a ConfigMap's data) gets a set.
      if (manyKeys === undefined && keys.length === 32) {
        manyKeys = new Set(keys);
      }
      if (manyKeys ? manyKeys.has(key) : keys.includes(key)) {
        throw UNSUPPORTED;
      }
      if (key === '__proto__' || (MAY_NOT_BE_STRING.test(key) && !isStringKey(key))) {
        throw UNSUPPORTED;
      }
      keys.push(key);
      manyKeys?.add(key);
      mapping[key] = this.value(indent, text.slice(end + 1));
    }
    return mapping;
  }

  private sequence(indent: number): unknown[] {
    const sequence: unknown[] = [];
    for (let lineIndent = this.nextContent(); lineIndent >= indent; lineIndent = this.nextContent()) {
      const text = this.texts[this.at];
      if (lineIndent !== indent) {
        throw UNSUPPORTED;
      }
      if (!isSequenceEntry(text)) {
        // The next key of the mapping a compact sequence (`key:` then `- item` at the key's indentation) belongs to.
        break;
      }
      const rest = text.slice(1).trimStart();
      let item: unknown;
      if (rest === '' || rest.charCodeAt(0) === HASH) {
        this.at++;
        item = this.nested(indent, false);
      } else if (keyEnd(rest) !== -1 || isSequenceEntry(rest)) {
        // `- key: value`: a node that starts after the dash, as if the dash were indentation.
        const restIndent = indent + text.length - rest.length;
        this.indents[this.at] = restIndent;
        this.texts[this.at] = rest;
        item = this.node(restIndent);
      } else {
        this.at++;
        item = this.afterScalar(indent, inlineScalar(rest.trimEnd()));
      }
      sequence.push(item);
    }
    return sequence;
  }

  /** The value after `key:` on a line of a mapping indented by `indent`. */
  private value(indent: number, rest: string): unknown {
    this.at++;
    const text = rest.trim();
    if (text === '' || text.charCodeAt(0) === HASH) {
      return this.nested(indent, true);
    }
    if (text === '|' || text === '|-') {
      return this.blockScalar(indent, text === '|');
    }
    return this.afterScalar(indent, inlineScalar(text));
  }

  /** A one-line value, which must not go on over more indented lines. */
  private afterScalar(indent: number, value: unknown): unknown {
    if (this.nextContent() > indent) {
      throw UNSUPPORTED;
    }
    return value;
  }

  /**
   * The value of a `key:` or `-` with nothing after it: a node on the lines below, more
   * indented (or, for a key, a sequence at the key's own indentation), else null.
   */
  private nested(indent: number, ofKey: boolean): unknown {
    const next = this.nextContent();
    if (next > indent) {
      return this.node(next);
    }
    return next === indent && ofKey && isSequenceEntry(this.texts[this.at]) ? this.sequence(indent) : null;
  }

  /** A `|` (clip) or `|-` (strip) literal scalar below a line indented by `indent`. */
  private blockScalar(indent: number, clip: boolean): string {
    const content: string[] = [];
    let contentIndent = -1;
    let end = this.at;
    for (; end < this.texts.length; end++) {
      const text = this.texts[end];
      const spaces = this.spaces[end];
      if (text === '') {
        // A blank line, kept as an empty line of the scalar; one with spaces past the scalar's
        // indentation, or one before its first line, is left to the general reader.
        if (contentIndent === -1 || spaces > contentIndent) {
          throw UNSUPPORTED;
        }
        content.push('');
        continue;
      }
      if (contentIndent === -1) {
        if (spaces <= indent) {
          throw UNSUPPORTED;
        }
        contentIndent = spaces;
      } else if (spaces < contentIndent) {
        // What follows the scalar: a line of the enclosing nodes, or a comment.
        if (spaces > indent && text.charCodeAt(0) !== HASH) {
          throw UNSUPPORTED;
        }
        break;
      }
      content.push(
        spaces === contentIndent
          ? text
          : this.source.slice(this.starts[end] + contentIndent, this.starts[end] + spaces + text.length),
      );
    }
    let kept = content.length;
    while (kept > 0 && content[kept - 1] === '') {
      kept--;
    }
    // A scalar that runs to the end of a text without a final line break is left to the general reader.
    if (kept === 0 || (end === this.texts.length && !this.source.endsWith('\n'))) {
      throw UNSUPPORTED;
    }
    this.at = end;
    const text = content.slice(0, kept).join('\n');
    return clip ? `${text}\n` : text;
  }
}

/**
 * Reads one YAML document in the block subset described above.
 *
 * @returns the value the general reader would give, or undefined when the text is outside the subset
 */
export function readBlockYaml(text: string): { value: unknown } | undefined {
  if (OUTSIDE_PRINTABLE_ASCII.test(text)) {
    return undefined;
  }
  const starts: number[] = [];
  const spaces: number[] = [];
  const indents: number[] = [];
  const texts: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) {
      end = text.length;
    }
    let content = start;
    while (text.charCodeAt(content) === SPACE) {
      content++;
    }
    const line = text.slice(content, end);
    starts.push(start);
    spaces.push(content - start);
    texts.push(line);
    indents.push(line === '' || line.charCodeAt(0) === HASH ? -1 : content - start);
    start = end + 1;
  }
  // The document's own `---` line, as the stream cuts documents, is no content; one with more on it is left to the general reader.
  if (texts.length > 0 && spaces[0] === 0 && texts[0].startsWith('---')) {
    if (texts[0].trimEnd() !== '---') {
      return undefined;
    }
    indents[0] = -1;
  }
  try {
    return { value: new BlockReader(text, starts, spaces, indents, texts).document() };
  } catch {
    // Outside the subset, or nested deeper than the stack allows: the general reader reads it
    // and reports what it finds, as for any other document.
    return undefined;
  }
}
