import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Runs `body` in a new temporary folder, removed afterwards whatever happens. */
export function inScratchFolder<T>(prefix: string, body: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    return body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A new temporary folder for each test of the enclosing block, removed after it.
 *
 * @returns the current test's folder
 */
export function scratchFolderPerTest(prefix: string): () => string {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}
