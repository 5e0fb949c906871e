import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ManifestDocument } from '@k8s-101/manifest-checker';
import { loadManifestDirectory } from '@k8s-101/manifest-checker';
import {
  HOMEPAGE_NAME,
  HTTP_PORT,
  LESSON_DOCUMENT,
  MANIFEST_DIR,
  PORT_FORWARD_LOCAL_PORT,
  SLEEP_NAME,
} from './constants';
import { withGeneratedSection } from './generated-section';
import { DIAGRAM_SECTION, renderWiringDiagram } from './wiring-diagram';

/** The workshop's wiring: the manifests, plus how the lesson reaches the homepage Pods. */
export function drawWorkshopDiagram(docs: readonly ManifestDocument[]): string {
  return renderWiringDiagram(docs, {
    portForward: { workload: HOMEPAGE_NAME, localPort: PORT_FORWARD_LOCAL_PORT, port: HTTP_PORT.number },
    serviceCall: { from: SLEEP_NAME, service: HOMEPAGE_NAME },
  });
}

/** Lines of the workshop's own manifests, which `dist/` replaces, by file name. */
const WORKSHOP_FILE_LINES: Readonly<Record<string, number>> = {
  'homepage-pod.yml': 25,
  'homepage-service.yml': 13,
  'sleep.yml': 18,
};

const lineCount = (text: string) => text.trimEnd().split('\n').length;

/** The README's table of line counts: each file of `dist/`, the workshop's own file and ours. */
export function lineCountTable(manifestDir: string): string {
  const rows = fs
    .readdirSync(manifestDir)
    .sort()
    .map((file) => {
      const workshop = WORKSHOP_FILE_LINES[file];
      const ours = lineCount(fs.readFileSync(path.join(manifestDir, file), 'utf8'));
      return `| \`${file}\` | ${workshop === undefined ? 'not in the workshop' : `${workshop} lines`} | ${ours} lines |`;
    });
  return ['| file | workshop | `dist/` |', '| --- | --- | --- |', ...rows].join('\n');
}

/**
 * What a synth of the workshop with a typo in the homepage Service's selector prints
 * (`test/fixtures/apps/selector-typo.ts`), as a text block.
 */
export function selectorTypoReport(root: string): string {
  const run = spawnSync(
    process.execPath,
    [
      '--require',
      'tsx/cjs',
      '--require',
      './lib/synthesis/report-app-errors.ts',
      path.join('test', 'fixtures', 'apps', 'selector-typo.ts'),
    ],
    // The output folder is never written: the synth stops at validation.
    { cwd: root, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: MANIFEST_DIR } },
  );
  return `\`\`\`text\n${run.stderr}\`\`\``;
}

/** A Markdown file of the project as it should read, with each generated section brought up to date. */
export interface DocumentedFile {
  readonly file: string;
  readonly current: string;
  readonly expected: string;
}

/** The file as it is and as it should read, each named section filled by its function. */
export function withSections(file: string, sections: Record<string, () => string>): DocumentedFile {
  const current = fs.readFileSync(file, 'utf8');
  let expected = current;
  for (const [name, content] of Object.entries(sections)) {
    const next = withGeneratedSection(expected, name, content());
    if (next === undefined) {
      throw new Error(`${file} has no ${name} markers`);
    }
    expected = next;
  }
  return { file, current, expected };
}

/**
 * Every generated section of the project's READMEs, drawn from the project's manifests folder:
 * the wiring diagram and the line counts of the lesson, and the checker's example report.
 */
export function documentedFiles(root: string): DocumentedFile[] {
  const manifestDir = path.join(root, MANIFEST_DIR);
  return [
    withSections(path.join(root, LESSON_DOCUMENT), {
      [DIAGRAM_SECTION]: () => drawWorkshopDiagram(loadManifestDirectory(manifestDir, MANIFEST_DIR).docs),
      'line-counts': () => lineCountTable(manifestDir),
    }),
    withSections(path.join(root, 'checker', 'README.md'), { 'selector-typo-report': () => selectorTypoReport(root) }),
  ];
}
