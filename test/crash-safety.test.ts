import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type RunningSynth, readFolder, runSynth, startSynth } from './synth-process';

// Real synth processes, killed. `CRASH_SAFETY_FULL=1 npx jest test/crash-safety.test.ts`
// runs the full counts; CI runs the smaller ones, which take about 30 seconds.
const FULL = process.env.CRASH_SAFETY_FULL === '1';
const COUNTS = FULL
  ? { randomKills: 100, publishKills: 50, interrupts: 20, pairs: 50 }
  : { randomKills: 8, publishKills: 6, interrupts: 3, pairs: 5 };
const TIMEOUT_MS = FULL ? 1_800_000 : 120_000;

const ENTRY = 'test/fixtures/apps/two-versions.ts';
type Version = '1' | '2';

let scratch: string;
let dist: string;
let versions: Record<Version, Record<string, string>>;
let synthMs: number;

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-safety-'));
  const expected = (version: Version) => {
    const out = path.join(scratch, `expected-${version}`);
    const run = runSynth(ENTRY, out, { APP_VERSION: version });
    if (run.status !== 0) {
      throw new Error(`synth of version ${version} failed: ${run.stderr}`);
    }
    const files = readFolder(out);
    fs.rmSync(out, { recursive: true });
    return files;
  };
  versions = { 1: expected('1'), 2: expected('2') };
  const started = Date.now();
  expected('1');
  synthMs = Date.now() - started;
  dist = path.join(scratch, 'dist');
}, 60_000);
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/**
 * What is wrong with the output folder now. It must exist, hold every file of
 * at least one version (so a file may be missing only if the other version
 * does not have it), and every file in it must be a complete file of either version.
 */
function problemsOf(folder: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch (error) {
    return [`${folder} is missing (${(error as NodeJS.ErrnoException).code})`];
  }
  const whole = (['1', '2'] as const).some((version) =>
    Object.keys(versions[version]).every((name) => names.includes(name)),
  );
  return [
    ...(whole ? [] : [`it lacks files of both versions: it holds ${names.join(', ')}`]),
    ...names.flatMap((name) => {
      const text = fs.readFileSync(path.join(folder, name), 'utf8');
      return text === versions[1][name] || text === versions[2][name]
        ? []
        : [`${name} is not a complete file of either version (${text.length} bytes)`];
    }),
  ];
}

/**
 * Checks the output folder over and over in a thread of its own while synths
 * run and die, so that a moment without the folder, or with a partial file,
 * is seen even when no kill lands in it.
 */
function watchFolder(folder: string) {
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(
    `
    const { workerData, parentPort } = require('worker_threads');
    const fs = require('fs');
    const path = require('path');
    const { folder, allowed, fileSets, stop } = workerData;
    const flag = new Int32Array(stop);
    const problems = [];
    let checks = 0;
    while (Atomics.load(flag, 0) === 0 && problems.length < 10) {
      checks++;
      let names;
      try {
        names = fs.readdirSync(folder);
      } catch (error) {
        problems.push('the folder was missing (' + error.code + ')');
        continue;
      }
      if (!fileSets.some((set) => set.every((name) => names.includes(name)))) {
        problems.push('it lacked files of both versions: it held ' + names.join(', '));
      }
      // Reading is slower than listing: read on every fourth check, list on every one.
      if (checks % 4 !== 0) continue;
      for (const name of names) {
        let text;
        try {
          text = fs.readFileSync(path.join(folder, name), 'utf8');
        } catch (error) {
          if (error.code !== 'ENOENT') problems.push(name + ': ' + error.code);
          continue;
        }
        if (!(allowed[name] || []).includes(text)) problems.push(name + ' was not a complete file of either version (' + text.length + ' bytes)');
      }
    }
    parentPort.postMessage({ checks, problems });
  `,
    {
      eval: true,
      workerData: {
        folder,
        stop,
        fileSets: [Object.keys(versions[1]), Object.keys(versions[2])],
        allowed: Object.fromEntries(
          Object.keys({ ...versions[1], ...versions[2] }).map((name) => [
            name,
            [versions[1][name], versions[2][name]].filter((text) => text !== undefined),
          ]),
        ),
      },
    },
  );
  const result = new Promise<{ checks: number; problems: string[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      Atomics.store(new Int32Array(stop), 0, 1);
      return result;
    },
  };
}

/** Which version the folder holds whole, for messages and counts. */
function versionIn(folder: string): string {
  if (!fs.existsSync(folder)) {
    return 'nothing';
  }
  const files = JSON.stringify(readFolder(folder));
  const whole = (['1', '2'] as const).find((version) => JSON.stringify(versions[version]) === files);
  return whole === undefined ? 'a mix' : `version ${whole}`;
}

/** The full run is done by hand and its figures reported; CI's shorter run stays quiet. */
const report = (line: string) => FULL && console.log(line);

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a synth that publishes `version` and kills it when `when` resolves (or it ends first). */
async function killDuring(
  version: Version,
  signal: NodeJS.Signals,
  when: (synth: RunningSynth) => Promise<unknown>,
): Promise<void> {
  const synth = startSynth(ENTRY, dist, { APP_VERSION: version });
  const ended = synth.exited.catch((error) => error);
  await Promise.race([when(synth), ended]);
  synth.signal(signal);
  await ended;
}

/** Resolves as soon as an entry whose name passes `test` appears in (or changes in) `folder`. */
function appearance(folder: string, test: (name: string) => boolean): { seen: Promise<void>; close(): void } {
  let close: () => void = () => {};
  const seen = new Promise<void>((resolve) => {
    const watcher = fs.watch(folder, (_event, name) => {
      if (name !== null && test(name.toString())) {
        resolve();
      }
    });
    close = () => watcher.close();
  });
  return { seen, close };
}

async function expectCleanSynthAfterwards(): Promise<void> {
  const run = runSynth(ENTRY, dist, { APP_VERSION: '2' });
  expect(run.stderr).toBe('');
  expect(readFolder(dist)).toEqual(versions[2]);
  expect(fs.readdirSync(scratch).filter((name) => !name.startsWith('expected-'))).toEqual(['dist']);
}

describe('synths killed at any moment leave the output folder complete', () => {
  beforeEach(() => {
    fs.rmSync(dist, { recursive: true, force: true });
    expect(runSynth(ENTRY, dist, { APP_VERSION: '1' }).status).toBe(0);
  });

  test(
    `${COUNTS.randomKills} kill -9 at random points, then one clean synth leaves no leftovers`,
    async () => {
      const watcher = watchFolder(dist);
      const problems: string[] = [];
      for (let i = 0; i < COUNTS.randomKills; i++) {
        const version: Version = i % 2 === 0 ? '2' : '1';
        await killDuring(version, 'SIGKILL', () => delay(Math.random() * synthMs * 1.2));
        problems.push(...problemsOf(dist).map((p) => `after kill ${i + 1}: ${p}`));
      }
      const watched = await watcher.stop();
      report(`${COUNTS.randomKills} random kills; ${watched.checks} checks of the folder`);
      expect(problems).toEqual([]);
      expect(watched.problems).toEqual([]);
      expect(watched.checks).toBeGreaterThan(COUNTS.randomKills);
      await expectCleanSynthAfterwards();
    },
    TIMEOUT_MS,
  );

  test(
    `${COUNTS.publishKills} kill -9 timed at the publish step (lock taken, staging folder made, first file replaced)`,
    async () => {
      const watcher = watchFolder(dist);
      const problems: string[] = [];
      const triggers: [string, () => { seen: Promise<void>; close(): void }][] = [
        ['the lock is taken', () => appearance(scratch, (name) => name.endsWith('.synth-lock'))],
        ['the staging folder appears', () => appearance(scratch, (name) => name.includes('.synth-staging-'))],
        ['the first file is replaced', () => appearance(dist, () => true)],
      ];
      let landed = 0;
      for (let i = 0; i < COUNTS.publishKills; i++) {
        const [, trigger] = triggers[i % triggers.length];
        const version: Version = i % 2 === 0 ? '2' : '1';
        const before = versionIn(dist);
        const event = trigger();
        try {
          await killDuring(version, 'SIGKILL', () => event.seen);
        } finally {
          event.close();
        }
        // A kill that came too late finds the new version published whole.
        if (versionIn(dist) !== `version ${version}`) {
          landed++;
        }
        problems.push(
          ...problemsOf(dist).map(
            (p) => `after kill ${i + 1} (when ${triggers[i % triggers.length][0]}; it held ${before} before): ${p}`,
          ),
        );
      }
      const watched = await watcher.stop();
      report(
        `${landed} of ${COUNTS.publishKills} kills landed before the publish was over; ${watched.checks} checks of the folder`,
      );
      expect(problems).toEqual([]);
      expect(watched.problems).toEqual([]);
      // Most kills must land before the publish is over, or this test proves little.
      expect(landed).toBeGreaterThan(COUNTS.publishKills / 3);
      await expectCleanSynthAfterwards();
    },
    TIMEOUT_MS,
  );

  test(
    `${COUNTS.interrupts} Ctrl-C (SIGINT to the process group) at random points`,
    async () => {
      const problems: string[] = [];
      for (let i = 0; i < COUNTS.interrupts; i++) {
        await killDuring(i % 2 === 0 ? '2' : '1', 'SIGINT', () => delay(Math.random() * synthMs * 1.2));
        problems.push(...problemsOf(dist).map((p) => `after interrupt ${i + 1}: ${p}`));
      }
      expect(problems).toEqual([]);
      await expectCleanSynthAfterwards();
    },
    TIMEOUT_MS,
  );
});

test(
  `${COUNTS.pairs} pairs of concurrent synths each end with one whole version published and nothing left beside it`,
  async () => {
    fs.rmSync(dist, { recursive: true, force: true });
    const outcomes: string[] = [];
    for (let i = 0; i < COUNTS.pairs; i++) {
      const first = startSynth(ENTRY, dist, { APP_VERSION: '1' });
      const second = startSynth(ENTRY, dist, { APP_VERSION: '2' });
      const codes = await Promise.all(
        [first.exited, second.exited].map((exited) => exited.catch((error: Error) => error.message)),
      );
      const published = readFolder(dist);
      const whole = [versions[1], versions[2]].some((version) => JSON.stringify(version) === JSON.stringify(published));
      const leftovers = fs.readdirSync(scratch).filter((name) => name !== 'dist' && !name.startsWith('expected-'));
      outcomes.push(
        `pair ${i + 1}: exits ${codes.join(', ')}; ${whole ? 'one whole version' : 'a mix'}; leftovers [${leftovers.join(', ')}]`,
      );
    }
    expect(outcomes).toEqual(
      Array.from({ length: COUNTS.pairs }, (_, i) => `pair ${i + 1}: exits 0, 0; one whole version; leftovers []`),
    );
  },
  TIMEOUT_MS,
);
