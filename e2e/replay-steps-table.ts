import { REPLAY_STEPS } from './replay-steps';

/** Name of the generated section of e2e/README.md that lists the replay's steps. */
export const REPLAY_STEPS_SECTION = 'replay-steps';

/** The replay's steps as a Markdown table: number, name, whether it needs containers, its time. */
export function replayStepsTable(): string {
  const rows = REPLAY_STEPS.map(
    (step, index) => `| ${index + 1} | ${step.name} | ${step.containers ? 'yes' : 'no'} | ${step.seconds} s |`,
  );
  return ['| # | step | needs containers | within |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
