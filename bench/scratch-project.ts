import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The template's app command: ts-node compiles (and type-checks) main.ts on every synth. */
export const TEMPLATE_APP = 'npx ts-node main.ts';

/**
 * Copies what the app needs into a temporary folder, with a cdk8s.yaml as the
 * cdk8s template writes it, so that both pipelines run on the same sources
 * and neither writes into the project (dist/ above all). node_modules is a
 * symlink: copying it would take longer than the whole benchmark.
 *
 * @returns the folder; the caller removes it
 */
export function makeScratchProject(root: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-101-bench-'));
  for (const entry of ['main.ts', 'README.md', 'lib', 'checker', 'imports', 'tsconfig.json', 'package.json']) {
    if (fs.existsSync(path.join(root, entry))) {
      fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
    }
  }
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `language: typescript\napp: ${TEMPLATE_APP}\n`);
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Every file of a folder tree, by relative path, with its bytes. */
export function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, full), fs.readFileSync(full));
    }
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/** Why two trees differ, or undefined when they hold the same files with the same bytes. */
export function treeDifference(a: Map<string, Buffer>, b: Map<string, Buffer>): string | undefined {
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const name of names) {
    const left = a.get(name);
    const right = b.get(name);
    if (!left || !right) {
      return `${name} is written by only one of them`;
    }
    if (!left.equals(right)) {
      return `${name} differs`;
    }
  }
  return undefined;
}
