// Applies each learner edit (learner-edits.ts) to a copy of the project, runs `npm run update`
// and `npm test` there, and checks the outcome each edit expects. CI runs it; locally:
// `node --require tsx/cjs test/edits/run.ts [name filter]`. Prints one line per edit and ends with
// `edits: N passed, M failed`; exits 1 on any failure, showing the tail of what failed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { LEARNER_EDITS, type LearnerEdit } from './learner-edits';

const root = path.resolve(__dirname, '..', '..');
const TAIL_LINES = 25;

/** A copy of the project's files as they are now (tracked and new, not ignored), sharing node_modules. */
function copyProject(): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'learner-edit-'));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (listed.status !== 0) {
    throw new Error(`git ls-files failed: ${listed.stderr}`);
  }
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (fs.existsSync(path.join(root, file))) {
      fs.cpSync(path.join(root, file), path.join(copy, file), { recursive: true });
    }
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  return copy;
}

function applyEdit(copy: string, edit: LearnerEdit): void {
  for (const change of edit.changes) {
    const file = path.join(copy, change.file);
    const text = fs.readFileSync(file, 'utf8');
    const count = text.split(change.find).length - 1;
    if (count !== 1) {
      throw new Error(
        `${change.file}: expected the text to change exactly once, found it ${count} times: ${change.find}`,
      );
    }
    fs.writeFileSync(file, text.replace(change.find, change.replace));
  }
}

function npm(copy: string, ...args: string[]) {
  const run = spawnSync('npm', ['run', '--silent', ...args], {
    cwd: copy,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', TEST_TOTALS_FILE: '' },
    timeout: 15 * 60_000,
  });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

/** The names of the failing tests (jest's `●` lines) and the last lines, or the last lines alone. */
function tail(text: string): string {
  const lines = stripVTControlCharacters(text).trimEnd().split('\n');
  const failing = [...new Set(lines.filter((line) => /^\s*● /.test(line)).map((line) => line.trim()))];
  return [...failing, ...lines.slice(failing.length > 0 ? -4 : -TAIL_LINES)].join('\n');
}

/** Runs one edit; undefined when it behaved as expected, else what went wrong. */
function check(edit: LearnerEdit): string | undefined {
  const copy = copyProject();
  try {
    applyEdit(copy, edit);
    const update = npm(copy, 'update');
    if (edit.expect !== 'green') {
      if (update.ok) {
        return 'npm run update succeeded, but the edit breaks the lesson and must be refused';
      }
      return edit.expect.test(update.output) ? undefined : `npm run update failed otherwise:\n${tail(update.output)}`;
    }
    if (!update.ok) {
      return `npm run update failed:\n${tail(update.output)}`;
    }
    const test = npm(copy, 'test');
    return test.ok ? undefined : `npm test failed:\n${tail(test.output)}`;
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

const filter = process.argv[2] ?? '';
let failed = 0;
const chosen = LEARNER_EDITS.filter((edit) => edit.name.includes(filter));
for (const edit of chosen) {
  const started = Date.now();
  const problem = check(edit);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`${problem ? 'FAIL' : 'ok  '} ${edit.name} (${seconds} s)`);
  if (problem) {
    failed++;
    console.log(problem.replace(/^/gm, '    '));
  }
}
console.log(`edits: ${chosen.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
