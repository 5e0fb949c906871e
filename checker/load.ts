import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDecoder } from 'node:util';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import type * as Yaml from 'yaml';
import { readBlockYaml } from './block-yaml';
import type { Finding } from './findings';
import { type JsonObject, type ManifestDocument, plainObject } from './manifest-model';

/**
 * Reading manifests as kubectl reads them, one document at a time.
 *
 * Documents in the plain block YAML most manifests are written in are read by
 * block-yaml.ts; the rest are parsed with js-yaml, which on our inputs is over ten
 * times faster than the `yaml` package. `yaml` is kept for what it does better: the
 * messages of syntax errors (with their line and column) and a cap on alias
 * expansion, so a document that fails to parse, or that uses anchors and
 * aliases, is parsed again by `yaml`. Both read YAML 1.2's core schema, as
 * Kubernetes' own YAML reader resolves the scalars manifests hold.
 */

/** Files `kubectl apply -f DIR` reads. */
export const MANIFEST_FILE = /\.(ya?ml|json)$/;

/** Where the documents of a file go as they are read. */
export interface DocumentSink {
  document(doc: ManifestDocument): void;
  finding(finding: Finding): void;
}

const NOT_AN_OBJECT = 'is not a Kubernetes object (a mapping with apiVersion, kind and metadata)';
// An anchor (&a) or alias (*a): such documents are left to `yaml`, which caps how far aliases expand.
const ANCHOR_OR_ALIAS = /(?:^|[\s[{,:-])[&*][^\s,[\]{}]/;
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
 * Parses one document into the sink: its object, or what kept it from being one.
 *
 * @returns whether the document held anything: an object, or something reported
 */
export function parseDocumentText(doc: DocumentText, sink: DocumentSink): boolean {
  const { file, text, firstLine, index } = doc;
  let value: unknown;
  let parsed = false;
  if (doc.json) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      sink.finding(readFinding(file, 'document 1', (error as Error).message));
      return true;
    }
    parsed = true;
  } else {
    const block = readBlockYaml(text);
    if (block !== undefined) {
      value = block.value;
      parsed = true;
    } else if (!ANCHOR_OR_ALIAS.test(text)) {
      try {
        value = loadYaml(text, { schema: CORE_SCHEMA, filename: file });
        parsed = true;
      } catch {
        // Parsed again below, for `yaml`'s message.
      }
    }
  }
  if (!parsed) {
    // Blank lines in front put `yaml`'s line numbers at the document's place in the file.
    const [document] = yaml().parseAllDocuments('\n'.repeat(firstLine - 1) + text, { prettyErrors: true });
    if (document === undefined) {
      return false;
    }
    const overflow = document.errors.find((error) => error.message.includes(STACK_OVERFLOW));
    if (overflow) {
      // The parser ran out of stack, and says so once per level it climbed back through, at
      // lines that depend on how deep the stack was: one finding at the document says it all.
      sink.finding(readFinding(`${file}:${firstLine}`, `document ${index + 1}`, cannotBeRead(overflow.message)));
      return true;
    }
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        const line = error.linePos?.[0].line;
        sink.finding(
          readFinding(line ? `${file}:${line}` : file, `document ${index + 1}`, error.message.split('\n')[0]),
        );
      }
      return true;
    }
    try {
      value = document.toJS();
    } catch (error) {
      // Chiefly `yaml`'s cap on alias expansion: a few lines that would expand into gigabytes.
      sink.finding(
        readFinding(`${file}:${firstLine}`, `document ${index + 1}`, cannotBeRead((error as Error).message)),
      );
      return true;
    }
  }
  if (value === null || value === undefined) {
    return false;
  }
  const object = plainObject(value);
  if (!object) {
    sink.finding(readFinding(file, `document ${index + 1}`, NOT_AN_OBJECT));
    return true;
  }
  sink.document({ file, index, object: object as JsonObject });
  return true;
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

// A document marker at the start of a line; YAML allows it nowhere else at column 0.
const DOCUMENT_MARKER = /^---(?:[ \t\r]|$)/gm;
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
    const json = file.endsWith('.json');
    let ready: DocumentText[] = [];
    const stream = json ? undefined : new YamlDocumentStream(shownAs, (doc) => ready.push(doc));
    const jsonParts: string[] = [];
    const readChunk = () => fs.readSync(descriptor!, buffer, 0, READ_CHUNK, null);
    for (let bytes = readChunk(); bytes > 0; bytes = readChunk()) {
      const chunk = buffer.subarray(0, bytes);
      if (chunk.includes(0)) {
        throw new Error('is not a text file: it holds binary data');
      }
      const text = utf8.decode(chunk);
      if (stream) {
        stream.write(text);
        yield* ready;
        ready = [];
      } else {
        jsonParts.push(text);
      }
    }
    const rest = utf8.end();
    if (stream) {
      stream.write(rest);
      stream.end();
      yield* ready;
    } else {
      yield { file: shownAs, text: jsonParts.join('') + rest, firstLine: 1, index: 0, json: true };
    }
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
