import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../checker/findings';
import { parseManifestText, readManifestFile } from '../checker/load';
import {
  hasGo,
  hasKubectl,
  type KubectlReading,
  kubectlLabelReads,
  kubectlReads,
  kubectlYamlReader,
  referenceMissing,
} from './kubectl-reference';
import { inScratchFolder } from './scratch';
import { generatedFiles, scalarFiles } from './yaml-cases';

/** The same JSON text for equal values, whatever the order of their keys. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.keys(inner)
            .sort()
            .map((key) => [key, inner[key]]),
        )
      : inner,
  );
}

const NO_OBJECTS = 'holds no objects';

/** What the checker reads of each file, in kubectl's terms: its documents, or an error. */
function checkerReads(files: readonly Buffer[]): KubectlReading[] {
  return inScratchFolder('yaml-reading-', (dir) =>
    files.map((bytes, index) => {
      const file = path.join(dir, `case-${index}.yaml`);
      fs.writeFileSync(file, bytes);
      const documents: unknown[] = [];
      const errors: Finding[] = [];
      readManifestFile(file, file, {
        document: (doc) => documents.push(doc.object),
        finding: (finding) => {
          if (finding.severity === 'error' && !finding.message.startsWith(NO_OBJECTS)) {
            errors.push(finding);
          }
        },
      });
      return errors.length > 0 ? { error: errors[0].message } : { documents };
    }),
  );
}

const describeReading = (reading: KubectlReading) =>
  'error' in reading ? `error: ${reading.error}` : canonical(reading.documents);

/** The cases on which the two readings differ, a few lines each. */
function disagreements(files: readonly Buffer[], kubectl: KubectlReading[], checker: KubectlReading[]): string[] {
  const found: string[] = [];
  files.forEach((bytes, index) => {
    const [expected, actual] = [kubectl[index], checker[index]];
    const same =
      'error' in expected
        ? 'error' in actual
        : !('error' in actual) && canonical(expected.documents) === canonical(actual.documents);
    if (!same) {
      found.push(
        `case ${index}: ${JSON.stringify(bytes.toString('utf8').slice(0, 300))}\n` +
          `  kubectl: ${describeReading(expected).slice(0, 300)}\n  checker: ${describeReading(actual).slice(0, 300)}`,
      );
    }
  });
  return found;
}

const skipped = referenceMissing('the YAML reading differential test', hasGo(), 'the go command is not installed');

// The checker must read every file as kubectl reads it: the same documents, or an error where
// kubectl cannot decode the file. kubectl's reading comes from test/kubectl-yaml, built from the
// modules kubectl itself decodes with.
(skipped ? describe.skip : describe)(`reading YAML as kubectl does${skipped ? ` (${skipped})` : ''}`, () => {
  let reader = '';
  beforeAll(() => {
    reader = kubectlYamlReader();
  }, 600_000);

  test("every spelling of go-yaml v2's scalar table and its near misses, as a value, a key, in flow and quoted", () => {
    const files = scalarFiles();
    const found = disagreements(files, kubectlReads(reader, files), checkerReads(files));
    expect({ cases: files.length, disagreements: found.slice(0, 5) }).toEqual({
      cases: files.length,
      disagreements: [],
    });
  });

  test('2,500 generated files: plain, quoted, tagged, block and flow scalars, merge keys, anchors, separators, encodings', () => {
    const files = generatedFiles(Number(process.env.YAML_CASES ?? 2500), Number(process.env.YAML_SEED ?? 17));
    const kubectl = kubectlReads(reader, files);
    const found = disagreements(files, kubectl, checkerReads(files));
    expect({ disagreements: found.length, first: found.slice(0, 5) }).toEqual({ disagreements: 0, first: [] });
    // The cases are not all errors, nor all accepted.
    const refused = kubectl.filter((reading) => 'error' in reading).length;
    expect(refused).toBeGreaterThan(files.length / 20);
    expect(refused).toBeLessThan(files.length / 2);
  });
});

const noKubectl = referenceMissing(
  'the check of the reference reader against kubectl',
  hasKubectl(),
  'kubectl is not installed',
);

// The reference reader is kubectl's reading: kubectl itself, offline, reads every spelling of the
// table to the same objects, or refuses the same files.
(noKubectl || skipped ? describe.skip : describe)(`the reference reader${noKubectl ? ` (${noKubectl})` : ''}`, () => {
  test('reads what kubectl label --local reads, on every scalar file made an object', () => {
    const reader = kubectlYamlReader();
    inScratchFolder('kubectl-label-', (dir) => {
      const header = (index: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c-${index}\n`;
      const files = scalarFiles().map((bytes, index) => Buffer.from(header(index) + bytes.toString('utf8')));
      const names = files.map((_, index) => `c-${index}.yaml`);
      for (const [index, bytes] of files.entries()) {
        fs.writeFileSync(path.join(dir, names[index]), bytes);
      }
      const kubectl = kubectlLabelReads(dir, names);
      // Every file is accounted for: an object printed, or the file named in an error.
      expect(kubectl.size).toBe(files.length);
      const reference = kubectlReads(reader, files);
      const differ = reference.flatMap((reading, index) => {
        const ours =
          'error' in reading
            ? 'error'
            : { ...(reading.documents[0] as object), metadata: { name: `c-${index}`, labels: { x: 'y' } } };
        const theirs = kubectl.get(`c-${index}`);
        return canonical(ours) === canonical(theirs)
          ? []
          : [`c-${index}: reference ${canonical(ours)}, kubectl ${canonical(theirs)}`];
      });
      expect({ files: files.length, differ: differ.slice(0, 5) }).toEqual({ files: files.length, differ: [] });
    });
  }, 600_000);
});

// The README's table of what plain scalars read as, row by row, through the checker's reader.
test("the checker README's table of YAML 1.1 scalars is what the checker reads", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'checker/README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| written (plain, unquoted) | read as |')).split('\n\n')[0];
  const rows = table.split('\n').slice(2);
  expect(rows.length).toBeGreaterThan(5);
  const read = (scalar: string) => {
    const parsed = parseManifestText('t.yaml', `apiVersion: v1\nkind: ConfigMap\nvalue: ${scalar}\n`);
    return parsed.findings.some((f) => f.severity === 'error') ? 'an error' : parsed.docs[0].object.value;
  };
  for (const row of rows) {
    const [written, readAs] = row.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, ''));
    const scalars = [...written.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const values = scalars.map(read);
    const listed = () => readAs.split(', ').map((value) => JSON.parse(value.replaceAll('`', '')));
    const expected =
      readAs === 'strings'
        ? scalars
        : readAs.startsWith('an error')
          ? scalars.map(() => 'an error')
          : listed().length === 1
            ? scalars.map(() => listed()[0])
            : listed();
    expect({ row, values }).toEqual({ row, values: expected });
  }
});
