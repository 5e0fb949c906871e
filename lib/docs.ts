import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadManifestDirectory } from '../checker/load';
import type { ManifestDocument } from '../checker/manifest-model';
import {
  HOMEPAGE_NAME,
  HTTP_PORT,
  LESSON_DOCUMENT,
  MANIFEST_DIR,
  PORT_FORWARD_LOCAL_PORT,
  SLEEP_NAME,
} from './constants';
import { renderWiringDiagram, withDiagram } from './wiring-diagram';

/** The workshop's wiring: the manifests, plus how the lesson reaches the homepage Pods. */
export function drawWorkshopDiagram(docs: readonly ManifestDocument[]): string {
  return renderWiringDiagram(docs, {
    portForward: { workload: HOMEPAGE_NAME, localPort: PORT_FORWARD_LOCAL_PORT, port: HTTP_PORT.number },
    serviceCall: { from: SLEEP_NAME, service: HOMEPAGE_NAME },
  });
}

/** The README as it should read: its diagram drawn from the project's manifests folder. */
export function documentedReadme(root: string): {
  readonly file: string;
  readonly current: string;
  readonly expected: string;
} {
  const file = path.join(root, LESSON_DOCUMENT);
  const current = fs.readFileSync(file, 'utf8');
  const diagram = drawWorkshopDiagram(loadManifestDirectory(path.join(root, MANIFEST_DIR), MANIFEST_DIR).docs);
  const expected = withDiagram(current, diagram);
  if (expected === undefined) {
    throw new Error(`${LESSON_DOCUMENT} has no wiring-diagram markers`);
  }
  return { file, current, expected };
}
