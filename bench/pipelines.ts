import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeScratchProject, readTree, TEMPLATE_APP, treeDifference } from './scratch-project';
import { ms, type Summary, summarize, table } from './stats';

/** A command line timed from spawn to exit. */
interface Pipeline {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly outdir: string;
}

/**
 * How many timed runs each pipeline gets: at least `min`, then more until
 * `max` or until the timed runs of both together have taken `budgetMs`.
 */
export interface RunPlan {
  readonly min: number;
  readonly max: number;
  readonly budgetMs: number;
}

function wantsAnotherRound(plan: RunPlan, runs: number, spentMs: number): boolean {
  return runs < plan.min || (runs < plan.max && spentMs < plan.budgetMs);
}

export interface PipelineResult {
  readonly label: string;
  readonly summary: Summary;
}

function timeOnce(pipeline: Pipeline, cwd: string): number {
  const started = performance.now();
  const run = spawnSync(pipeline.command, pipeline.args, { cwd, env: pipeline.env, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (run.status !== 0) {
    throw new Error(
      `${pipeline.label} failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stdout}${run.stderr}`,
    );
  }
  return elapsed;
}

/**
 * Times `npm run synth` against the template's `cdk8s synth` on a scratch copy
 * of the project. The two alternate run by run (ABAB…) instead of running in
 * blocks, so drift on the machine (other load, CPU clock, page cache) falls
 * on both alike; the first round of each is a warm-up and not counted.
 * After every round both output folders must hold the same bytes.
 *
 * The number of runs adapts to the machine (see RunPlan) because the template
 * pipeline takes seconds per run, and the whole bench should finish in about
 * two minutes on a slow machine without starving a fast one of samples.
 */
export function comparePipelines(root: string, plan: RunPlan, log: (line: string) => void): string {
  const scratch = makeScratchProject(root);
  try {
    // An inherited CDK8S_OUTDIR would override where either pipeline writes.
    const { CDK8S_OUTDIR: _ignored, ...env } = process.env;
    const synth: Pipeline = {
      label: 'npm run synth',
      command: 'npm',
      args: ['run', 'synth'],
      outdir: path.join(scratch, 'out-synth'),
      env: { ...env, CDK8S_OUTDIR: path.join(scratch, 'out-synth') },
    };
    const templateOut = path.join(scratch, 'out-template');
    const template: Pipeline = {
      label: `cdk8s synth (app: ${TEMPLATE_APP})`,
      command: path.join(scratch, 'node_modules', '.bin', 'cdk8s'),
      // cdk8s otherwise asks the npm registry for a newer CLI on every run.
      args: ['synth', '--check-upgrade', 'false', '--output', templateOut],
      outdir: templateOut,
      env,
    };
    const pipelines = [synth, template];
    const samples = pipelines.map((): number[] => []);
    let written = '';
    let spent = 0;
    let runs = 0;
    for (let round = 0; round === 0 || wantsAnotherRound(plan, runs, spent); round++) {
      log(`pipelines: round ${round}${round === 0 ? ' (warm-up)' : ''}, ${ms(spent)} of ${ms(plan.budgetMs)} spent`);
      for (const [i, pipeline] of pipelines.entries()) {
        fs.rmSync(pipeline.outdir, { recursive: true, force: true });
        const elapsed = timeOnce(pipeline, scratch);
        if (round > 0) {
          samples[i].push(elapsed);
          spent += elapsed;
        }
      }
      runs = round;
      const [synthTree, templateTree] = pipelines.map((pipeline) => readTree(pipeline.outdir));
      const difference = synthTree.size === 0 ? 'no files written' : treeDifference(synthTree, templateTree);
      if (difference) {
        throw new Error(`the pipelines wrote different manifests in round ${round}: ${difference}`);
      }
      const bytes = [...synthTree.values()].reduce((sum, content) => sum + content.length, 0);
      written = `${synthTree.size} files, ${bytes} bytes: ${[...synthTree.keys()].join(', ')}`;
    }
    const results = pipelines.map((pipeline, i) => ({ label: pipeline.label, summary: summarize(samples[i]) }));
    return formatPipelines(
      results,
      runs,
      `same bytes from both: yes, after each of the ${runs + 1} rounds (${written})`,
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function formatPipelines(results: readonly PipelineResult[], runs: number, check: string): string {
  const rows = results.map(({ label, summary: s }) => [
    label,
    ms(s.median),
    `${ms(s.q1)} – ${ms(s.q3)}`,
    ms(s.min),
    ms(s.max),
  ]);
  const [synth, template] = results.map((result) => result.summary.median);
  return [
    `a. One synth of this app, ${runs} runs each, alternating, after one warm-up each`,
    '',
    table(['pipeline', 'median', 'IQR', 'min', 'max'], rows),
    '',
    `ratio synth / template (medians): ${(synth / template).toFixed(3)} (${(template / synth).toFixed(1)}x faster)`,
    check,
  ].join('\n');
}
