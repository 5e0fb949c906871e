import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBlockYaml } from '../checker/block-yaml';
import { decodeYamlText } from '../checker/go-yaml';
import { YamlDocumentStream } from '../checker/load';
import { downloadKubernetesModule, KUBERNETES_MODULE } from '../checker/openapi-artifact';

const root = path.resolve(__dirname, '..');

/**
 * What the general reader (the `yaml` package's parser and go-yaml.ts, which the YAML reading
 * differential test holds to kubectl's reading) gives, with an empty document as null, or
 * 'throws'; a key written twice, which it reads with a warning, counts as 'throws' here, as the
 * block reader must leave such documents to it.
 */
function generalReads(text: string): unknown {
  try {
    const decoded = decodeYamlText(text);
    return decoded.duplicates.length > 0 ? 'throws' : (decoded.value ?? null);
  } catch {
    return 'throws';
  }
}

function manifestFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? manifestFiles(path.join(dir, entry.name))
        : /\.ya?ml$/.test(entry.name)
          ? [path.join(dir, entry.name)]
          : [],
    );
}

/** The documents of a file, cut as the checker cuts them. */
function documentsOf(file: string): string[] {
  const texts: string[] = [];
  const stream = new YamlDocumentStream(file, (doc) => texts.push(doc.text));
  stream.write(fs.readFileSync(file, 'utf8'));
  stream.end();
  return texts;
}

// Shapes that the synthesized and fixture manifests lack: block scalars, compact and nested
// sequences, comments, quoting, as hand-written manifests and kubectl's output have them.
const SHAPES = [
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-1\n  labels:\n    app: bench\ndata:\n  greeting: hello world 1\n  setting.conf: |\n    key=value-1\n\n    other=thing\n  script.sh: |-\n    #!/bin/sh\n    echo "hi"\n',
  '# a Deployment, as kubectl prints it\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: "nginx:1.25"\n        args:\n        - --port\n        - \'8080\'\n        ports:\n        - containerPort: 80\n          name: http\n        resources: {}\n      volumes: []\n',
  'kind: Service\nspec:\n  ports:\n    - port: 80   # the Service port\n      targetPort: http\n    -\n      port: 443\n  selector:\n    app: web\n',
];

const corpus = [
  ...manifestFiles(path.join(root, 'dist')).flatMap(documentsOf),
  ...manifestFiles(path.join(root, 'test/fixtures')).flatMap(documentsOf),
  ...SHAPES,
];

// Pieces that make documents leave the subset, or stay in it in ways worth checking.
const PIECES = [
  '',
  ' ',
  '  ',
  '-',
  '- ',
  ':',
  ': ',
  '#',
  ' #',
  '|',
  '|-',
  '|+',
  '>',
  '"',
  "'",
  '\n',
  '\n  ',
  '\n- ',
  '{}',
  '[]',
  '{',
  'null',
  'true',
  'True',
  '~',
  '0x1F',
  '1e3',
  '.inf',
  '.nan',
  '-0',
  '0o7',
  '-1',
  '+1',
  '1_0',
  'a: b',
  '---',
  '...',
  '&a ',
  '*a',
  '!!str ',
  '\t',
  '\r',
  'é',
  '__proto__: 1',
  '  x: 1\n',
  'y: |\n  a\n\n  b\n',
  'key:',
  '\n\n',
  '\\',
  '"a\\"',
  "'it''s'",
  'k: "q"\n',
  '- - x\n',
  '%YAML 1.2\n',
];

/** A seeded generator, so that a failure names a mutation that can be run again. */
function seeded(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % below;
  };
}

describe('the block YAML reader', () => {
  test('reads every document of dist/ and most fixtures, to exactly what the general reader reads', () => {
    const read = corpus.map((text) => [text, readBlockYaml(text)] as const);
    for (const [text, block] of read) {
      if (block !== undefined) {
        expect(block.value).toEqual(generalReads(text));
      }
    }
    // The subset is what manifests are written in: every synthesized document is in it.
    for (const text of [...manifestFiles(path.join(root, 'dist')).flatMap(documentsOf), ...SHAPES.slice(0, 2)]) {
      expect(readBlockYaml(text)).toBeDefined();
    }
    expect(read.filter(([, block]) => block !== undefined).length).toBeGreaterThan(corpus.length / 2);
  });

  test(`on the YAML files of ${KUBERNETES_MODULE}, as written by hand, reads what the general reader reads`, () => {
    // The module the checker's schema comes from: Kubernetes' own examples, fixtures and addons.
    const files = manifestFiles(downloadKubernetesModule()).filter((file) => fs.statSync(file).size < 100_000);
    const random = seeded(27);
    let readHere = 0;
    let documents = 0;
    for (const text of files.flatMap(documentsOf)) {
      for (const variant of [
        text,
        text.slice(0, random(text.length + 1)) + PIECES[random(PIECES.length)] + text.slice(random(text.length + 1)),
      ]) {
        documents++;
        const block = readBlockYaml(variant);
        if (block !== undefined) {
          readHere++;
          expect({ variant, value: block.value }).toEqual({ variant, value: generalReads(variant) });
        }
      }
    }
    expect(files.length).toBeGreaterThan(400);
    expect(readHere).toBeGreaterThan(documents / 3);
  });

  test('on thousands of mutated documents, reads what the general reader reads or leaves the document to it', () => {
    const random = seeded(12);
    let readHere = 0;
    let mutations = 0;
    for (const text of corpus) {
      for (let round = 0; round < 60; round++) {
        const at = random(text.length + 1);
        const mutated = text.slice(0, at) + PIECES[random(PIECES.length)] + text.slice(at + random(3));
        mutations++;
        const block = readBlockYaml(mutated);
        if (block !== undefined) {
          readHere++;
          // Named in the failure, so that the document can be read again by hand.
          expect({ mutated, value: block.value }).toEqual({ mutated, value: generalReads(mutated) });
        }
      }
    }
    expect(mutations).toBeGreaterThan(2000);
    // Both sides are exercised: many mutations stay in the subset, many leave it.
    expect(readHere).toBeGreaterThan(mutations / 5);
    expect(readHere).toBeLessThan(mutations);
  });

  test.each([
    [
      'nested mappings and a compact sequence',
      'a:\n  b: 1\n  c:\n  - x\n  - w: 2\n    z: null\n',
      { a: { b: 1, c: ['x', { w: 2, z: null }] } },
    ],
    [
      'scalars as go-yaml v2 types them',
      "i: 80\nf: 1.5\nh: 0x1F\no: 0o17\nl: 0755\nu: 1_000\nd: .5\nt: true\nb: yes\nof: off\nnu: ~\ne:\ns: \"80\"\nq: 'it''s'\nc: 12:30\n",
      {
        i: 80,
        f: 1.5,
        h: 31,
        o: 15,
        l: 493,
        u: 1000,
        d: 0.5,
        t: true,
        b: true,
        of: false,
        nu: null,
        e: null,
        s: '80',
        q: "it's",
        c: '12:30',
      },
    ],
    [
      'block scalars, clipped and stripped',
      'a: |\n  x\n\n  y\n\nb: |-\n    z\nc: 1\n',
      { a: 'x\n\ny\n', b: 'z', c: 1 },
    ],
    ['comments and the document marker', '--- \n# c\nk: v\n  # indented\nl: # empty\n', { k: 'v', l: null }],
    ['negative zero', 'z: -0.0\n', { z: -0 }],
    ['empty flow collections', 'a: {}\nb: []\n', { a: {}, b: [] }],
    [
      'label keys',
      'app.kubernetes.io/name: web\ncdk8s.io/metadata.addr: x\n',
      { 'app.kubernetes.io/name': 'web', 'cdk8s.io/metadata.addr': 'x' },
    ],
    ['a document of comments only', '---\n# nothing\n', null],
  ])('reads %s', (_name, text, expected) => {
    const block = readBlockYaml(text);
    expect(block?.value).toEqual(expected);
    expect(block?.value).toEqual(generalReads(text));
  });

  test('a large mapping is read, and a duplicate key in it found', () => {
    const lines = Array.from({ length: 500 }, (_, index) => `key${index}: ${index}`);
    expect(readBlockYaml(`${lines.join('\n')}\n`)?.value).toEqual(generalReads(`${lines.join('\n')}\n`));
    expect(readBlockYaml(`${lines.join('\n')}\nkey7: again\n`)).toBeUndefined();
  });

  test('a document nested deeper than the stack allows is left to the general reader, not thrown', () => {
    const deep = Array.from({ length: 5000 }, (_, depth) => `${' '.repeat(depth)}k:`).join('\n');
    expect(() => readBlockYaml(`${deep}\n`)).not.toThrow();
  });

  test.each([
    ['a tab', 'a:\tb\n'],
    ['a carriage return', 'a: b\r\n'],
    ['non-ASCII text', 'a: é\n'],
    ['an anchor and an alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a flow collection', 'a: [1, 2]\n'],
    ['a plain scalar over two lines', 'a: one\n  two\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a kept block scalar', 'a: |+\n  x\n'],
    ['a folded block scalar', 'a: >\n  x\n'],
    ['an escape in double quotes', 'a: "x\\ty"\n'],
    ['a key go-yaml reads as a boolean', 'on: 1\n'],
    ['an infinity, which kubectl refuses', 'i: -.inf\n'],
    ['not-a-number, which kubectl refuses', 'n: .nan\n'],
    ['a key starting with a digit', '80: http\n'],
    ['__proto__', '__proto__: 1\n'],
    ['a bad indentation', 'a: 1\n b: 2\n'],
    ['a scalar document', 'just text\n'],
    ['more after the document marker', '--- a: 1\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a block scalar cut by the end of the file', 'a: |\n  x'],
  ])('leaves %s to the general reader', (_name, text) => {
    expect(readBlockYaml(text)).toBeUndefined();
  });
});
