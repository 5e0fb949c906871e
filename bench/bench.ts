// `npm run bench`: how long synthesis takes here against the cdk8s template's pipeline, how
// `npm run validate` compares with kubeconform, and how long `npm test` takes cold and warm.
//
// Settings (environment):
//   BENCH_RUNS    runs per pipeline (default: 5 to 15, as many as fit in 50 s)
//   BENCH_VALIDATE_SIZES  comma-separated object counts of the validation table (default: 1000,10000,33000)
//   BENCH_VALIDATE_ROUNDS alternated rounds per input of the validation table (default: 5)
//   BENCH_ONLY    `synth`, `validate` or `npm-test` to run one table alone
// Progress goes to stderr, the results to stdout.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeMachine } from './machine';
import { comparePipelines } from './pipelines';
import { ms } from './stats';
import { compareValidators } from './validate';

const root = path.resolve(__dirname, '..');

function positiveIntegers(value: string | undefined, fallback: number[]): number[] {
  if (value === undefined || value.trim() === '') {
    return fallback;
  }
  const numbers = value.split(',').map((part) => Number(part.trim()));
  if (numbers.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`expected positive whole numbers separated by commas, got '${value}'`);
  }
  return numbers;
}

/** Other work on the machine slows every number down; the interleaving only keeps the ratio fair. */
function loadAverage(): string {
  return `${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')} (1, 5, 15 min)`;
}

function timeNpmTest(): string {
  const started = performance.now();
  const run = spawnSync('npm', ['test'], { cwd: root, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  const outcome = run.status === 0 ? 'passed' : `FAILED (${run.error?.message ?? `exit ${run.status}`})`;
  return `${ms(elapsed)} wall, ${outcome}`;
}

/**
 * `npm test` cold, as right after `npm ci` (which empties node_modules, and with it the type-check,
 * runner and schema caches under node_modules/.cache), then warm. Go's module cache and Jest's own
 * cache, which `npm ci` leaves alone, are left alone here too.
 */
function timeNpmTestColdAndWarm(): string[] {
  const cache = path.join(root, 'node_modules', '.cache');
  const aside = `${cache}.aside-${process.pid}`;
  fs.renameSync(cache, aside);
  let cold: string;
  try {
    cold = timeNpmTest();
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
    fs.renameSync(aside, cache);
  }
  return [
    `npm test (tsc --noEmit && jest), cold (no node_modules/.cache): ${cold}`,
    `npm test (tsc --noEmit && jest), warm: ${timeNpmTest()}`,
  ];
}

async function main(): Promise<void> {
  const fixedRuns = process.env.BENCH_RUNS ? positiveIntegers(process.env.BENCH_RUNS, [])[0] : undefined;
  const plan = fixedRuns ? { min: fixedRuns, max: fixedRuns, budgetMs: 0 } : { min: 5, max: 15, budgetMs: 50_000 };
  const progress = (line: string) => process.stderr.write(`  ${line}\n`);
  const started = performance.now();

  const validateSizes = positiveIntegers(process.env.BENCH_VALIDATE_SIZES, [1000, 10000, 33000]);
  const [validateRounds] = positiveIntegers(process.env.BENCH_VALIDATE_ROUNDS, [5]);
  const only = process.env.BENCH_ONLY;
  if (only !== undefined && only !== 'synth' && only !== 'validate' && only !== 'npm-test') {
    throw new Error(`BENCH_ONLY must be synth, validate or npm-test, got '${only}'`);
  }

  console.log(`machine: ${describeMachine()}`);
  console.log(`load average at start: ${loadAverage()}`);
  console.log('');
  if (only === undefined || only === 'synth') {
    console.log(comparePipelines(root, plan, progress));
    console.log('');
  }
  if (only === undefined || only === 'validate') {
    console.log(await compareValidators(root, { sizes: validateSizes, rounds: validateRounds }, progress));
    console.log('');
  }
  if (only === undefined || only === 'npm-test') {
    for (const line of timeNpmTestColdAndWarm()) {
      console.log(line);
    }
  }
  console.log(`load average at end: ${loadAverage()}`);
  console.log(`whole bench: ${ms(performance.now() - started)}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
