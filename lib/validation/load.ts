import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ManifestDocument, plainObject } from '../manifest-model';
import { Finding } from './findings';

/** The documents of every `.yml` and `.yaml` file in a folder, and what kept any from being read. */
export interface LoadedManifests {
  readonly files: string[];
  readonly docs: ManifestDocument[];
  readonly findings: Finding[];
}

const MANIFEST_FILE = /\.ya?ml$/;

/**
 * Reads every manifest file of a folder (not its subfolders, as `kubectl apply -f DIR`), in name order.
 *
 * @param shownAs the folder as findings name it
 */
export function loadManifestDirectory(dir: string, shownAs = dir): LoadedManifests {
  const names = fs.readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && MANIFEST_FILE.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  const files = names.map((name) => path.join(shownAs, name));
  const loaded = names.map((name, i) => parseManifestFile(files[i], fs.readFileSync(path.join(dir, name), 'utf8')));
  return { files, docs: loaded.flatMap((l) => l.docs), findings: loaded.flatMap((l) => l.findings) };
}

/** Parses a multi-document YAML file; empty documents are skipped, as kubectl skips them. */
export function parseManifestFile(file: string, text: string): Omit<LoadedManifests, 'files'> {
  const docs: ManifestDocument[] = [];
  const findings: Finding[] = [];
  parseAllDocuments(text, { prettyErrors: true }).forEach((document, index) => {
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        const line = error.linePos?.[0].line;
        findings.push({
          rule: 'yaml', severity: 'error', file: line ? `${file}:${line}` : file,
          object: `document ${index + 1}`, path: '', message: error.message.split('\n')[0],
        });
      }
      return;
    }
    const object = document.toJS();
    if (object === null || object === undefined) {
      return;
    }
    if (!plainObject(object)) {
      findings.push({
        rule: 'yaml', severity: 'error', file, object: `document ${index + 1}`, path: '',
        message: 'is not a Kubernetes object (a mapping with apiVersion, kind and metadata)',
      });
      return;
    }
    docs.push({ file, index, object });
  });
  return { docs, findings };
}
