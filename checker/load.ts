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

/**
 * Parses one document's text; `firstLine` is its line in the file, so that
 * findings and `yaml`'s messages give the file's line numbers.
 */
function parseDocument(file: string, text: string, firstLine: number, index: number, sink: DocumentSink): boolean {
  let value: unknown;
  let parsed = false;
  if (!ANCHOR_OR_ALIAS.test(text)) {
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
 * Splits YAML text into documents at `---` lines, as it arrives, and parses
 * each. Empty documents are skipped, as kubectl skips them.
 *
 * @returns whether the text held anything: an object, or something reported
 */
export class YamlDocumentStream {
  private pending = '';
  private lines: string[] = [];
  private firstLine = 1;
  private lineNumber = 0;
  private index = 0;
  private started = false;
  private held = false;

  constructor(private readonly file: string, private readonly sink: DocumentSink) {}

  /** Feeds more of the file's text. */
  write(text: string): void {
    const parts = (this.pending + text).split('\n');
    this.pending = parts.pop()!;
    for (const line of parts) {
      this.line(line);
    }
  }

  /** Ends the file; returns whether it held anything (an object, or something reported). */
  end(): boolean {
    const unterminated = this.pending !== '';
    if (unterminated) {
      this.line(this.pending);
      this.pending = '';
    }
    this.flush(unterminated);
    return this.held;
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

  /** Parses the document read so far; its text ends with a newline unless it is the file's unterminated last line. */
  private flush(unterminated = false): void {
    if (this.lines.length > 0) {
      const text = this.lines.join('\n') + (unterminated ? '' : '\n');
      this.held = parseDocument(this.file, text, this.firstLine, this.index, this.sink) || this.held;
    }
    this.lines = [];
  }
}

/** Parses a JSON manifest file: one object, or a List of them. */
function parseJsonFile(file: string, text: string, sink: DocumentSink): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    sink.finding(readFinding(file, 'document 1', (error as Error).message));
    return true;
  }
  const object = plainObject(value);
  if (!object) {
    sink.finding(readFinding(file, 'document 1', NOT_AN_OBJECT));
    return true;
  }
  sink.document({ file, index: 0, object: object as JsonObject });
  return true;
}

const decoder = () => new TextDecoder('utf-8', { fatal: true });

/**
 * Reads one manifest file into the sink, YAML a chunk at a time. A file that
 * cannot be read, is not UTF-8 text or holds nothing gives one finding naming it.
 *
 * @param shownAs the file as findings name it
 */
export function readManifestFile(file: string, shownAs: string, sink: DocumentSink): void {
  let descriptor: number | undefined;
  try {
    descriptor = fs.openSync(file, 'r');
    const utf8 = decoder();
    const buffer = Buffer.alloc(READ_CHUNK);
    const json = file.endsWith('.json');
    const stream = json ? undefined : new YamlDocumentStream(shownAs, sink);
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
      } else {
        jsonParts.push(text);
      }
    }
    const rest = utf8.decode();
    const held = stream ? (stream.write(rest), stream.end()) : parseJsonFile(shownAs, jsonParts.join('') + rest, sink);
    if (!held) {
      sink.finding(readFinding(shownAs, '', 'holds no objects: kubectl apply refuses an empty manifest'));
    }
  } catch (error) {
    const cause = error as NodeJS.ErrnoException;
    const message = cause.code === 'ERR_ENCODING_INVALID_ENCODED_DATA' ? 'is not a text file: it is not UTF-8'
      : cause.code ? `cannot be read: ${cause.code} ${cause.syscall ?? ''}`.trim() : cause.message;
    sink.finding(readFinding(shownAs, '', message));
  } finally {
    if (descriptor !== undefined) {
      fs.closeSync(descriptor);
    }
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
  const stream = new YamlDocumentStream(file, { document: (doc) => docs.push(doc), finding: (finding) => findings.push(finding) });
  stream.write(text);
  stream.end();
  return { docs, findings };
}
