import * as path from 'node:path';
import { REPLAY_STEPS_SECTION, replayStepsTable } from '../e2e/replay-steps-table';
import { type DocumentedFile, documentedFiles, withSections } from '../lib/docs';

/**
 * Every README of the project with its generated sections brought up to date: the lesson's and
 * the checker's (lib/docs.ts), and the table of the end-to-end replay's steps. `npm run docs`
 * writes them; a test fails while one differs.
 */
export function allDocumentedFiles(root: string): DocumentedFile[] {
  return [
    ...documentedFiles(root),
    withSections(path.join(root, 'e2e', 'README.md'), { [REPLAY_STEPS_SECTION]: replayStepsTable }),
  ];
}
