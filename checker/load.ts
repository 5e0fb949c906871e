import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDecoder } from 'node:util';
import type * as Yaml from 'yaml';
import { readBlockYaml } from './block-yaml';
import type { Finding } from './findings';
import { decodeParsedDocument, NOT_ALLOWED_IN_YAML, YAML_PARSE_OPTIONS, YamlDecodeError } from './go-yaml';
import { type JsonObject, type ManifestDocument, objectRef, plainObject } from './manifest-model';

/**
 * Reading manifests as kubectl reads them (k8s.io/cli-runtime's FileVisitor and StreamVisitor,
 * apimachinery's YAMLOrJSONDecoder, sigs.k8s.io/yaml), one document at a time.
 *
 * A file's bytes are UTF-8, with or without a byte-order mark, or UTF-16 with one. A file whose
 * text starts with `{` is read as JSON, and as YAML when it is not JSON. Otherwise it is cut into
 * documents at lines starting with `---`, each of which may hold only a comment after it.
 * Documents in the plain block YAML most manifests are written in are read by block-yaml.ts;
 * the rest are parsed by the `yaml` package and decoded by go-yaml.ts, both with go-yaml v2's
 * rules (YAML 1.1 scalars, merge keys), as kubectl decodes them.
 */

/** Files `kubectl apply -f DIR` reads. */
export const MANIFEST_FILE = /\.(ya?ml|json)$/;

/** Where the documents of a file go as they are read. */
export interface DocumentSink {
  document(doc: ManifestDocument): void;
  finding(finding: Finding): void;
}

const NOT_AN_OBJECT = 'is not a Kubernetes object (a mapping with apiVersion, kind and metadata)';
const READ_CHUNK = 1 << 20;
// V8's message when the stack runs out.
const STACK_OVERFLOW = 'Maximum call stack size exceeded';
/** Why a document cannot be read; running out of stack, at whatever depth, means it is nested too deeply. */
const cannotBeRead = (message: string) =>
  `cannot be read: ${message.includes(STACK_OVERFLOW) ? 'it is nested too deeply' : message}`;
// One read buffer for every file: allocating (and zeroing) a megabyte per file cost more than
// reading a small file. Files are read one after the other, never interleaved.
let readBuffer: Buffer | undefined;

// `yaml` takes longer to load than many small files to check, and most runs never need it.
let yamlModule: typeof Yaml | undefined;
const yaml = (): typeof Yaml => (yamlModule ??= require('yaml') as typeof Yaml);

const readFinding = (file: string, object: string, message: string): Finding => ({
  rule: 'yaml',
  severity: 'error',
  file,
  object,
  path: '',
  message,
});

/** A finding about one document: its place is the file and line. */
const documentFinding = (
  doc: DocumentText,
  line: number | undefined,
  message: string,
  severity: Finding['severity'] = 'error',
  object = `document ${doc.index + 1}`,
): Finding => ({
  ...readFinding(line === undefined ? doc.file : `${doc.file}:${line}`, object, message),
  severity,
});

/** The text of one document of a manifest file, with its place, as it is cut from the file before parsing. */
export interface DocumentText {
  /** The file, as findings name it. */
  readonly file: string;
  readonly text: string;
  /** Line of the document's first line in the file, from 1. */
  readonly firstLine: number;
  /** Position of the document in its file, from 0. */
  readonly index: number;
  /** Whether the text is a whole JSON file rather than a YAML document. */
  readonly json?: boolean;
}

/**
 * Parses one document into the sink: its object, or what kept it from being one, and a
 * warning for each key written twice (kubectl keeps the last).
 *
 * @returns whether the document held anything: an object, or something reported
 */
export function parseDocumentText(doc: DocumentText, sink: DocumentSink): boolean {
  const { file, text, firstLine } = doc;
  let value: unknown;
  if (doc.json) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      return readJsonAsYaml(doc, (error as Error).message, sink);
    }
  } else {
    const separator = text.startsWith('---') ? SEPARATOR_LINE.exec(text) : null;
    if (separator !== null && separator[1] !== '' && !separator[1].startsWith('#')) {
      sink.finding(documentFinding(doc, firstLine, `invalid Yaml document separator: ${separator[1]}`));
      return true;
    }
    const block = readBlockYaml(text);
    if (block !== undefined) {
      value = block.value;
    } else {
      const read = readYamlDocument(doc, sink);
      if (read === undefined) {
        return true;
      }
      value = read.value;
    }
  }
  if (value === null || value === undefined) {
    return false;
  }
  const object = plainObject(value);
  if (!object) {
    sink.finding(readFinding(file, `document ${doc.index + 1}`, NOT_AN_OBJECT));
    return true;
  }
  sink.document({ file, index: doc.index, object: object as JsonObject });
  return true;
}

// The first line of a document cut at a `---` line, and what follows the marker on it.
const SEPARATOR_LINE = /^---[ \t]*(.*?)\s*$/m;

/**
 * A file that starts with `{` but is not JSON: apimachinery's YAMLOrJSONDecoder reads it as YAML
 * then, and when that fails too, reports the JSON error.
 */
function readJsonAsYaml(doc: DocumentText, jsonError: string, sink: DocumentSink): boolean {
  const docs: ManifestDocument[] = [];
  const findings: Finding[] = [];
  let held = false;
  const collect: DocumentSink = { document: (d) => docs.push(d), finding: (f) => findings.push(f) };
  const stream = new YamlDocumentStream(doc.file, (text) => {
    held = parseDocumentText(text, collect) || held;
  });
  stream.write(doc.text);
  stream.end();
  if (findings.some((finding) => finding.severity === 'error')) {
    sink.finding(readFinding(doc.file, 'document 1', jsonError));
    return true;
  }
  for (const finding of findings) {
    sink.finding(finding);
  }
  for (const d of docs) {
    sink.document(d);
  }
  return held;
}

/**
 * A document outside the block reader's subset: parsed by `yaml`, decoded by go-yaml.ts.
 * Findings go to the sink.
 *
 * @returns the value (null for a document with nothing in it), or undefined when it cannot be read
 */
function readYamlDocument(doc: DocumentText, sink: DocumentSink): { value: unknown } | undefined {
  const { file, firstLine, index } = doc;
  // kubectl reads a file line by line, without the carriage returns of CRLF line ends, and hands
  // the YAML parser the lines after the `---` line (kept here as a blank line, for line numbers).
  let text = doc.text.includes('\r') ? doc.text.replaceAll('\r\n', '\n') : doc.text;
  if (text.startsWith('---')) {
    text = text.slice(text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  }
  const lineOf = (offset: number) => firstLine + countLines(text.slice(0, offset));
  const outside = NOT_ALLOWED_IN_YAML.exec(text);
  if (outside !== null) {
    const code = outside[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    sink.finding(documentFinding(doc, lineOf(outside.index), `control characters are not allowed (U+${code})`));
    return undefined;
  }
  // Blank lines in front put `yaml`'s line numbers at the document's place in the file. go-yaml
  // reads the first document of the text cut at `---` lines; what follows a `...` line is not read.
  const [document] = yaml().parseAllDocuments('\n'.repeat(firstLine - 1) + text, YAML_PARSE_OPTIONS);
  if (document === undefined) {
    return { value: null };
  }
  const overflow = document.errors.find((error) => error.message.includes(STACK_OVERFLOW));
  if (overflow) {
    // The parser ran out of stack, and says so once per level it climbed back through, at
    // lines that depend on how deep the stack was: one finding at the document says it all.
    sink.finding(readFinding(`${file}:${firstLine}`, `document ${index + 1}`, cannotBeRead(overflow.message)));
    return undefined;
  }
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      sink.finding(documentFinding(doc, error.linePos?.[0].line, error.message.split('\n')[0]));
    }
    return undefined;
  }
  try {
    const decoded = decodeParsedDocument(yaml(), document, (offset) => lineOf(offset - (firstLine - 1)));
    const object = objectRef(plainObject(decoded.value));
    for (const { key, firstLine: first, line, sameValue } of decoded.duplicates) {
      sink.finding(
        documentFinding(
          doc,
          line,
          `key ${JSON.stringify(key)} is written twice, at lines ${first} and ${line}` +
            (sameValue ? ', with the same value' : ': kubectl keeps the second value'),
          'warning',
          object,
        ),
      );
    }
    return { value: decoded.value };
  } catch (error) {
    if (error instanceof YamlDecodeError) {
      sink.finding(documentFinding(doc, error.line ?? firstLine, error.message));
    } else {
      sink.finding(documentFinding(doc, firstLine, cannotBeRead((error as Error).message)));
    }
    return undefined;
  }
}

/**
 * Splits YAML text into documents at `---` lines, as it arrives. Each
 * document's text ends with a newline unless it is the file's unterminated
 * last line, so that `yaml` reports the same lines and columns as on the whole file.
 * The text is cut with one regular expression search per document rather than
 * line by line: splitting into lines was a tenth of the time and much of the garbage.
 */
export class YamlDocumentStream {
  /** Text from the start of the current document on. */
  private buffer = '';
  /** Where in the buffer to look for the next document marker. */
  private searchFrom = 0;
  private firstLine = 1;
  private index = 0;
  private started = false;

  constructor(
    private readonly file: string,
    private readonly emit: (doc: DocumentText) => void,
  ) {}

  /** Feeds more of the file's text. */
  write(text: string): void {
    this.buffer += text;
    // Only whole lines are searched: a marker's line must be complete to tell `---` from `---x`.
    this.cut(this.buffer.lastIndexOf('\n') + 1);
  }

  /** Ends the file, handing on its last document. */
  end(): void {
    this.cut(this.buffer.length);
    if (this.buffer !== '') {
      this.emitDocument(this.buffer);
    }
    this.buffer = '';
  }

  /** Hands on every document that ends before `limit`, the end of the text whose lines are complete. */
  private cut(limit: number): void {
    DOCUMENT_MARKER.lastIndex = this.searchFrom;
    for (
      let match = DOCUMENT_MARKER.exec(this.buffer);
      match !== null && match.index < limit;
      match = DOCUMENT_MARKER.exec(this.buffer)
    ) {
      const before = this.buffer.slice(0, match.index);
      // Text before the first marker is a document only when it holds more than comments and directives.
      if (this.started || HAS_CONTENT.test(before)) {
        this.emitDocument(before);
        this.index++;
      }
      this.firstLine += countLines(before);
      this.started = true;
      this.buffer = this.buffer.slice(match.index);
      limit -= match.index;
      // Past the marker the buffer now starts with.
      DOCUMENT_MARKER.lastIndex = 1;
    }
    this.searchFrom = Math.max(limit, this.started ? 1 : 0);
  }

  private emitDocument(text: string): void {
    this.emit({ file: this.file, text, firstLine: this.firstLine, index: this.index });
  }
}

// apimachinery's YAMLReader cuts documents at every line that starts with `---` (and refuses those
// with more than a comment after it).
const DOCUMENT_MARKER = /^---/gm;
// A line that is neither blank, nor a comment, nor a directive.
const HAS_CONTENT = /^(?![ \t]*(?:#|\r?$)|%)/m;

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
    lines++;
  }
  return lines;
}

/**
 * Decodes a file's chunks as UTF-8, refusing what is not. Chunks of ASCII, the common case, are
 * taken as they are, which costs a tenth of decoding; TextDecoder takes over from the first
 * chunk that is not ASCII, and every chunk before it ended on a whole character.
 */
class Utf8Chunks {
  private decoder?: TextDecoder;

  decode(chunk: Buffer): string {
    if (this.decoder === undefined && isAscii(chunk)) {
      return chunk.toString('latin1');
    }
    this.decoder ??= new TextDecoder('utf-8', { fatal: true });
    return this.decoder.decode(chunk, { stream: true });
  }

  /** The end of the file: throws if it ends within a character. */
  end(): string {
    return this.decoder?.decode() ?? '';
  }
}

/** The UTF-16 encoding a file's byte-order mark names, if it names one. */
function utf16Encoding(chunk: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (chunk[0] === 0xff && chunk[1] === 0xfe) {
    return 'utf-16le';
  }
  return chunk[0] === 0xfe && chunk[1] === 0xff ? 'utf-16be' : undefined;
}

/** The rest of an open file, copied out of the shared buffer. */
function* restOf(descriptor: number, buffer: Buffer): Generator<Buffer> {
  for (let bytes = fs.readSync(descriptor, buffer, 0, READ_CHUNK, null); bytes > 0; ) {
    yield Buffer.from(buffer.subarray(0, bytes));
    bytes = fs.readSync(descriptor, buffer, 0, READ_CHUNK, null);
  }
}

/** The finding for a file that holds no document with anything in it. */
export const emptyFileFinding = (shownAs: string): Finding =>
  readFinding(shownAs, '', 'holds no objects: kubectl apply refuses an empty manifest');

/**
 * The documents of one manifest file, read a chunk at a time, as they come;
 * a file that cannot be read, or is not UTF-8 text, ends with one finding naming it.
 *
 * @param shownAs the file as findings name it
 */
export function* documentTextsOf(file: string, shownAs: string): Generator<DocumentText | Finding> {
  let descriptor: number | undefined;
  try {
    descriptor = fs.openSync(file, 'r');
    const utf8 = new Utf8Chunks();
    readBuffer = readBuffer ?? Buffer.allocUnsafe(READ_CHUNK);
    const buffer = readBuffer;
    // Decided on the file's first characters, as apimachinery's GuessJSONStream decides.
    let json: boolean | undefined;
    let ready: DocumentText[] = [];
    const stream = new YamlDocumentStream(shownAs, (doc) => ready.push(doc));
    const jsonParts: string[] = [];
    const take = (text: string) => {
      json ??= text.trim() === '' ? undefined : /^\s*\{/.test(text);
      if (json === false) {
        stream.write(jsonParts.join('') + text);
        jsonParts.length = 0;
      } else {
        jsonParts.push(text);
      }
    };
    const readChunk = () => fs.readSync(descriptor!, buffer, 0, READ_CHUNK, null);
    let first = true;
    for (let bytes = readChunk(); bytes > 0; bytes = readChunk()) {
      const chunk = buffer.subarray(0, bytes);
      const utf16 = first ? utf16Encoding(chunk) : undefined;
      first = false;
      if (utf16) {
        // kubectl honours a UTF-16 byte-order mark (unicode.BOMOverride); such files are rare: read whole.
        take(new TextDecoder(utf16).decode(Buffer.concat([Buffer.from(chunk), ...restOf(descriptor, buffer)])));
        break;
      }
      if (chunk.includes(0)) {
        throw new Error('is not a text file: it holds binary data');
      }
      take(utf8.decode(chunk));
      yield* ready;
      ready = [];
    }
    take(utf8.end());
    if (json) {
      yield { file: shownAs, text: jsonParts.join(''), firstLine: 1, index: 0, json: true };
    } else {
      stream.write(jsonParts.join(''));
    }
    stream.end();
    yield* ready;
  } catch (error) {
    const cause = error as NodeJS.ErrnoException;
    const message =
      cause.code === 'ERR_ENCODING_INVALID_ENCODED_DATA'
        ? 'is not a text file: it is not UTF-8'
        : cause.code
          ? `cannot be read: ${cause.code} ${cause.syscall ?? ''}`.trim()
          : cause.message;
    yield readFinding(shownAs, '', message);
  } finally {
    if (descriptor !== undefined) {
      fs.closeSync(descriptor);
    }
  }
}

/** Whether an item of `documentTextsOf` is a document (else a finding about the file). */
export const isDocumentText = (item: DocumentText | Finding): item is DocumentText => 'text' in item;

/**
 * Reads one manifest file into the sink. A file that cannot be read, is not
 * UTF-8 text or holds nothing gives one finding naming it.
 *
 * @param shownAs the file as findings name it
 */
export function readManifestFile(file: string, shownAs: string, sink: DocumentSink): void {
  let held = false;
  for (const item of documentTextsOf(file, shownAs)) {
    if (isDocumentText(item)) {
      held = parseDocumentText(item, sink) || held;
    } else {
      sink.finding(item);
      held = true;
    }
  }
  if (!held) {
    sink.finding(emptyFileFinding(shownAs));
  }
}

/** The manifest files of a folder (not its subfolders, as `kubectl apply -f DIR`), in name order. */
export function manifestFilesOf(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.isDirectory() && MANIFEST_FILE.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** The documents of every manifest file of a folder, held in memory; for small sets and tests. */
export interface LoadedManifests {
  readonly files: string[];
  readonly docs: ManifestDocument[];
  readonly findings: Finding[];
}

/**
 * Reads every manifest file of a folder into memory.
 *
 * @param shownAs the folder as findings name it
 */
export function loadManifestDirectory(dir: string, shownAs = dir): LoadedManifests {
  const names = manifestFilesOf(dir);
  const docs: ManifestDocument[] = [];
  const findings: Finding[] = [];
  const sink: DocumentSink = { document: (doc) => docs.push(doc), finding: (finding) => findings.push(finding) };
  for (const name of names) {
    readManifestFile(path.join(dir, name), path.join(shownAs, name), sink);
  }
  return { files: names.map((name) => path.join(shownAs, name)), docs, findings };
}

/** Parses the text of a multi-document YAML file held in memory. */
export function parseManifestText(file: string, text: string): Omit<LoadedManifests, 'files'> {
  const docs: ManifestDocument[] = [];
  const findings: Finding[] = [];
  const sink: DocumentSink = { document: (doc) => docs.push(doc), finding: (finding) => findings.push(finding) };
  const stream = new YamlDocumentStream(file, (doc) => parseDocumentText(doc, sink));
  stream.write(text);
  stream.end();
  return { docs, findings };
}
