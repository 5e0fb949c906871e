import * as fs from 'fs';
import * as path from 'path';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { Finding } from './findings';
import { JsonObject, ManifestDocument, plainObject } from './manifest-model';

/**
 * Reading manifests as kubectl reads them, one document at a time.
 *
 * Documents are parsed with js-yaml, which on our inputs is over ten times
 * faster than the `yaml` package. `yaml` is kept for what it does better: the
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
// A document marker at the start of a line; YAML allows it nowhere else at column 0.
const DOCUMENT_START = /^---(?:[ \t\r]|$)/;
const READ_CHUNK = 1 << 20;

const readFinding = (file: string, object: string, message: string): Finding =>
  ({ rule: 'yaml', severity: 'error', file, object, path: '', message });

/** The text of one document of a manifest file, with its place; what a worker is handed to parse. */
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
  } else if (!ANCHOR_OR_ALIAS.test(text)) {
    try {
      value = loadYaml(text, { schema: CORE_SCHEMA, filename: file });
      parsed = true;
    } catch {
      // Parsed again below, for `yaml`'s message.
    }
  }
  if (!parsed) {
    // Blank lines in front put `yaml`'s line numbers at the document's place in the file.
    const [document] = parseAllDocuments('\n'.repeat(firstLine - 1) + text, { prettyErrors: true });
    if (document === undefined) {
      return false;
    }
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        const line = error.linePos?.[0].line;
        sink.finding(readFinding(line ? `${file}:${line}` : file, `document ${index + 1}`, error.message.split('\n')[0]));
      }
      return true;
    }
    try {
      value = document.toJS();
    } catch (error) {
      // Chiefly `yaml`'s cap on alias expansion: a few lines that would expand into gigabytes.
      sink.finding(readFinding(`${file}:${firstLine}`, `document ${index + 1}`, `cannot be read: ${(error as Error).message}`));
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
 */
export class YamlDocumentStream {
  private pending = '';
  private lines: string[] = [];
  private firstLine = 1;
  private lineNumber = 0;
  private index = 0;
  private started = false;

  constructor(private readonly file: string, private readonly emit: (doc: DocumentText) => void) {}

  /** Feeds more of the file's text. */
  write(text: string): void {
    const parts = (this.pending + text).split('\n');
    this.pending = parts.pop()!;
    for (const line of parts) {
      this.line(line);
    }
  }

  /** Ends the file, handing on its last document. */
  end(): void {
    const unterminated = this.pending !== '';
    if (unterminated) {
      this.line(this.pending);
      this.pending = '';
    }
    this.flush(unterminated);
  }

  private line(line: string): void {
    this.lineNumber++;
    if (DOCUMENT_START.test(line)) {
      // Text before the first marker is a document only when it holds more than comments and directives.
      if (this.started || this.lines.some((l) => l.trim() !== '' && !/^\s*#/.test(l) && !l.startsWith('%'))) {
        this.flush();
        this.index++;
      }
      this.lines = [];
      this.firstLine = this.lineNumber;
      this.started = true;
    }
    this.lines.push(line);
  }

  private flush(unterminated = false): void {
    if (this.lines.length > 0) {
      const text = this.lines.join('\n') + (unterminated ? '' : '\n');
      this.emit({ file: this.file, text, firstLine: this.firstLine, index: this.index });
    }
    this.lines = [];
  }
}

const decoder = () => new TextDecoder('utf-8', { fatal: true });

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
    const utf8 = decoder();
    const buffer = Buffer.alloc(READ_CHUNK);
    const json = file.endsWith('.json');
    let ready: DocumentText[] = [];
    const stream = json ? undefined : new YamlDocumentStream(shownAs, (doc) => ready.push(doc));
    const jsonParts: string[] = [];
    let bytes: number;
    while ((bytes = fs.readSync(descriptor, buffer, 0, READ_CHUNK, null)) > 0) {
      const chunk = buffer.subarray(0, bytes);
      if (chunk.includes(0)) {
        throw new Error('is not a text file: it holds binary data');
      }
      const text = utf8.decode(chunk, { stream: true });
      if (stream) {
        stream.write(text);
        yield* ready;
        ready = [];
      } else {
        jsonParts.push(text);
      }
    }
    const rest = utf8.decode();
    if (stream) {
      stream.write(rest);
      stream.end();
      yield* ready;
    } else {
      yield { file: shownAs, text: jsonParts.join('') + rest, firstLine: 1, index: 0, json: true };
    }
  } catch (error) {
    const cause = error as NodeJS.ErrnoException;
    const message = cause.code === 'ERR_ENCODING_INVALID_ENCODED_DATA' ? 'is not a text file: it is not UTF-8'
      : cause.code ? `cannot be read: ${cause.code} ${cause.syscall ?? ''}`.trim() : cause.message;
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
  return fs.readdirSync(dir, { withFileTypes: true })
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
  names.forEach((name) => readManifestFile(path.join(dir, name), path.join(shownAs, name), sink));
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
