import * as fs from 'node:fs';
import * as path from 'node:path';
import { withPublishLock } from '../lib/synthesis/lock';
import { scratchFolderPerTest } from './scratch';

const scratch = scratchFolderPerTest('publish-lock-');
let outdir: string;
beforeEach(() => {
  outdir = path.join(scratch(), 'dist');
  fs.mkdirSync(outdir);
});

const lockFolder = () => path.join(scratch(), '.dist.synth-lock');

/** Leaves a lock as a synth with this owner would have. */
function placeLock(owner: object, folder = lockFolder()): void {
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'owner'), JSON.stringify(owner));
}

/** Start time of this process as the lock records it (Linux), so that a lock can name it as a live holder. */
const ownStart = () => {
  const stat = fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};

test('the action runs under the lock, which is gone afterwards, also when the action throws', () => {
  expect(withPublishLock(outdir, () => fs.existsSync(lockFolder()))).toBe(true);
  expect(() =>
    withPublishLock(outdir, () => {
      throw new Error('boom');
    }),
  ).toThrow('boom');
  expect(fs.readdirSync(scratch())).toEqual(['dist']);
});

test('a lock whose holder still runs is waited for, then reported with its PID', () => {
  placeLock({ pid: process.pid, started: ownStart(), nonce: 'live' });
  const started = Date.now();
  expect(() => withPublishLock(outdir, () => 'ran', { timeoutMs: 300 })).toThrow(
    `gave up waiting for the synth with PID ${process.pid} to release the publish lock ${lockFolder()}`,
  );
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  expect(fs.readdirSync(scratch()).sort()).toEqual(['.dist.synth-lock', 'dist']);
});

test.each<[string, () => object]>([
  ['has exited', () => ({ pid: 999_999_999, started: '', nonce: 'gone' })],
  ['was followed by another process under the same PID', () => ({ pid: process.pid, started: '1', nonce: 'reused' })],
])('a lock whose holder %s is taken over at once', (_, owner) => {
  placeLock(owner());
  const started = Date.now();
  expect(withPublishLock(outdir, () => 'ran', { timeoutMs: 60_000 })).toBe('ran');
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(fs.readdirSync(scratch())).toEqual(['dist']);
});

test('a dead lock is taken over even when a contender killed while breaking it left its remains', () => {
  placeLock({ pid: 999_999_999, started: '', nonce: 'gone' });
  placeLock({ pid: 999_999_999, started: '', nonce: 'gone' }, path.join(scratch(), '.dist.synth-released-gone'));
  expect(withPublishLock(outdir, () => 'ran', { timeoutMs: 5_000 })).toBe('ran');
  expect(fs.readdirSync(scratch())).toEqual(['dist']);
});
