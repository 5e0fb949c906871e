import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PublishError } from './publish-error';

/*
 * Why a lock of our own: Node.js has no flock(), and the maintained lock
 * packages (proper-lockfile and its kin) decide that a lock is stale by the age
 * of its mtime, so after a synth is killed every later synth would wait out
 * that age. Here the lock records its holder's PID, and a holder that no
 * longer runs releases its lock at once.
 *
 * The lock is a folder beside the output folder, `.<name>.synth-lock`, holding
 * an `owner` file. A contender prepares its own claim folder, owner file
 * included, and renames it to the lock's name: rename(2) fails when a
 * non-empty folder is already there, so taking the lock is atomic, and the lock
 * never exists without its owner (a kill between mkdir and write cannot leave
 * an ownerless lock). Releasing renames the lock away before removing it, for
 * the same reason.
 *
 * A PID names a process on this machine only: the lock is not meant for an
 * output folder that synths on several machines share over a network.
 *
 * The lock only serialises synths; publishing keeps the output folder
 * complete without it (see publish.ts), so a lock that was ever taken twice
 * could cost a failed synth, never a broken folder.
 */

/** The holder of a lock, as written in its `owner` file. */
interface LockOwner {
  readonly pid: number;
  /** Start time of the process in clock ticks since boot (Linux), to tell a reused PID apart; '' elsewhere. */
  readonly started: string;
  /** Unique per taking of the lock. */
  readonly nonce: string;
}

const OWNER_FILE = 'owner';
const POLL_MS = 20;

/** Names of everything a synth keeps beside the output folder `<parent>/<name>`. */
export function lockPaths(realOutdir: string) {
  const parent = path.dirname(realOutdir);
  const prefix = `.${path.basename(realOutdir)}.synth-`;
  return {
    parent,
    prefix,
    lock: path.join(parent, `${prefix}lock`),
    claim: (pid: number, nonce: string) => path.join(parent, `${prefix}claim-${pid}-${nonce}`),
    released: (nonce: string) => path.join(parent, `${prefix}released-${nonce}`),
    staging: (pid: number, nonce: string) => path.join(parent, `${prefix}staging-${pid}-${nonce}`),
  };
}

/** Options of `withPublishLock`. */
export interface PublishLockOptions {
  /**
   * How long to wait for another running synth to finish before giving up, in milliseconds.
   * @default 120000
   */
  readonly timeoutMs?: number;
}

/**
 * Runs `action` while holding the publish lock of the output folder, waiting
 * for a running holder and taking over from one that no longer runs.
 */
export function withPublishLock<T>(realOutdir: string, action: () => T, options: PublishLockOptions = {}): T {
  const paths = lockPaths(realOutdir);
  const me: LockOwner = {
    pid: process.pid,
    started: startTimeOf(process.pid) ?? '',
    nonce: randomBytes(8).toString('hex'),
  };
  const claim = paths.claim(me.pid, me.nonce);
  try {
    fs.mkdirSync(claim);
    fs.writeFileSync(path.join(claim, OWNER_FILE), JSON.stringify(me));
  } catch (error) {
    fs.rmSync(claim, { recursive: true, force: true });
    throw new PublishError(`cannot create the publish lock beside ${realOutdir}: ${describeError(error)}`);
  }
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  try {
    for (;;) {
      try {
        fs.renameSync(claim, paths.lock);
        break;
      } catch (error) {
        if (!isCode(error, 'ENOTEMPTY', 'EEXIST')) {
          throw new PublishError(`cannot take the publish lock ${paths.lock}: ${describeError(error)}`);
        }
      }
      const holder = readOwner(paths.lock);
      if (holder !== undefined && !isRunning(holder) && breakStaleLock(paths, holder)) {
        continue;
      }
      if (Date.now() > deadline) {
        const who = holder === undefined ? 'an unknown process' : `the synth with PID ${holder.pid}`;
        throw new PublishError(`gave up waiting for ${who} to release the publish lock ${paths.lock}`);
      }
      sleep(POLL_MS);
    }
  } finally {
    fs.rmSync(claim, { recursive: true, force: true });
  }
  try {
    return action();
  } finally {
    release(paths, me);
  }
}

/**
 * Moves a dead holder's lock out of the way, so that the caller can try again.
 * @returns false when the lock could not be moved (another contender moved it first)
 */
function breakStaleLock(paths: ReturnType<typeof lockPaths>, holder: LockOwner): boolean {
  const moved = paths.released(holder.nonce);
  // A contender killed while breaking this same lock left it there.
  if (!isRunningOwner(readOwner(moved))) {
    fs.rmSync(moved, { recursive: true, force: true });
  }
  try {
    fs.renameSync(paths.lock, moved);
  } catch {
    return false;
  }
  const mover = readOwner(moved);
  if (mover !== undefined && mover.nonce !== holder.nonce) {
    // Between reading the owner and the rename, another contender broke the
    // dead lock and a live one took it: give that lock back. Should a third
    // contender take the lock meanwhile, the live holder's folder stays here
    // until that holder releases it, and both publish at once, which costs
    // at worst a failed synth: the files stay complete either way.
    try {
      fs.renameSync(moved, paths.lock);
    } catch {
      // As above.
    }
    return true;
  }
  fs.rmSync(moved, { recursive: true, force: true });
  return true;
}

function release(paths: ReturnType<typeof lockPaths>, me: LockOwner): void {
  const holder = readOwner(paths.lock);
  if (holder?.nonce !== me.nonce) {
    return;
  }
  const moved = paths.released(me.nonce);
  try {
    fs.renameSync(paths.lock, moved);
  } catch {
    return;
  }
  fs.rmSync(moved, { recursive: true, force: true });
}

/**
 * Removes what interrupted synths left beside the output folder: the claims,
 * staging folders and released locks of processes that no longer run, and
 * the staging folders of earlier versions of this publisher (`.<name>.staging-*`).
 */
export function removeLeftovers(realOutdir: string): void {
  const paths = lockPaths(realOutdir);
  const legacy = `.${path.basename(realOutdir)}.staging-`;
  for (const entry of fs.readdirSync(paths.parent)) {
    const full = path.join(paths.parent, entry);
    const rest = entry.startsWith(paths.prefix) ? entry.slice(paths.prefix.length) : undefined;
    const pid = Number(/^(?:claim|staging)-(\d+)-/.exec(rest ?? '')?.[1]);
    if (
      entry.startsWith(legacy) ||
      ((rest?.startsWith('claim-') || rest?.startsWith('staging-')) && !isRunning({ pid, started: '', nonce: '' })) ||
      (rest?.startsWith('released-') && !isRunningOwner(readOwner(full)))
    ) {
      fs.rmSync(full, { recursive: true, force: true });
    }
  }
}

function isRunningOwner(owner: LockOwner | undefined): boolean {
  return owner !== undefined && isRunning(owner);
}

function readOwner(lockFolder: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(path.join(lockFolder, OWNER_FILE), 'utf8'));
    return Number.isInteger(owner?.pid) && typeof owner.nonce === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** True while the process runs: not gone, not a zombie, and not a later process that reuses its PID. */
function isRunning(owner: LockOwner): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) {
    return false;
  }
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return isCode(error, 'EPERM');
  }
  const stat = procStat(owner.pid);
  if (stat === undefined) {
    return true;
  }
  return stat.state !== 'Z' && (owner.started === '' || stat.started === owner.started);
}

function startTimeOf(pid: number): string | undefined {
  return procStat(pid)?.started;
}

/** State and start time from /proc/PID/stat, where there is one (Linux). */
function procStat(pid: number): { state: string; started: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces: the fields that matter follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], started: fields[19] };
  } catch {
    return undefined;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as NodeJS.ErrnoException)?.code ?? '');
}

/** An fs error as `reason (CODE)`, without the path Node repeats in the message. */
export function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && typeof e.syscall === 'string') {
    const reason = /^[A-Z]+: ([^,]+)/.exec(e.message)?.[1] ?? e.message;
    return `${reason} (${e.code})`;
  }
  return e?.message ?? String(error);
}
