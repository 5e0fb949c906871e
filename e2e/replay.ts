// `npm run e2e [-- --context NAME]`: synthesizes dist/, then replays the README's lesson with the real
// kubectl, step by step (e2e/replay-steps.ts), in two throwaway namespaces: on a local real node, on a
// simulated node where this machine cannot run containers, or on the cluster of a named context.
// It prints one line a step and one tally at the end.
import { spawnSync } from 'node:child_process';
import { type ClusterUnderTest, type StopCluster, startCluster } from './cluster-under-test';
import { exitWith } from './exit-with';
import { accessFlags, type ClusterAccess } from './kubectl';
import { leftoversSince, type MachineState } from './machine-state';
import { ReplayContext, ROOT } from './replay-context';
import { REPLAY_STEPS } from './replay-steps';
import { StepReport } from './step-report';

/** On a cluster of one's own, images may first be pulled: every step gets this many times its stated time. */
const OWN_CLUSTER_SLOWDOWN = 3;

function parseArgs(args: string[]): { context?: string } {
  if (args.length === 0) {
    return {};
  }
  if (args.length === 2 && args[0] === '--context' && args[1]) {
    return { context: args[1] };
  }
  throw new Error('usage: npm run e2e [-- --context NAME]');
}

/** The loop: each step in order, skipped where it needs containers that do not run, each within its time. */
async function replay(context: ReplayContext, cluster: ClusterUnderTest, report: StepReport, slowdown: number) {
  let stoppedBy: string | undefined;
  for (const step of REPLAY_STEPS) {
    const skipped = stoppedBy ?? (step.containers ? cluster.noContainers : undefined);
    if (skipped) {
      report.skip(step.name, skipped);
      continue;
    }
    context.deadline = Date.now() + step.seconds * 1000 * slowdown;
    const passed = await report.step(step.name, async () => step.expect(await step.run(context), context));
    if (!passed && step.essential) {
      stoppedBy = 'an earlier step it needs failed';
    }
  }
}

/** Compares the host before and after a real-node run; anything left over fails the step. */
function assertMachineAsFound(before: MachineState): string {
  const { leftovers, otherSockets } = leftoversSince(before);
  if (leftovers.length) {
    throw new Error(leftovers.join('\n'));
  }
  const settings = Object.entries(before.sysctls).map(([k, v]) => `${k}=${v}`);
  return (
    `unchanged: network namespaces (${before.netns.length}), links (${before.links.length}), ${settings.join(' ')}, ` +
    `iptables rules (${before.iptables.length} lines), listening sockets of the node's programs (none), ` +
    `the node's processes (none), mounts under the run's folders (${before.mounts.length}) ` +
    `and Pod cgroups (${before.podCgroups.length})` +
    (otherSockets.length ? `; other programs' sockets changed meanwhile: ${otherSockets.join(', ')}` : '')
  );
}

/** On a cluster of one's own, the namespaces go, and the run waits until they are gone. */
function deleteNamespaces(access: ClusterAccess, names: string[]): void {
  const flags = accessFlags(access, false);
  console.log(`== deleting namespaces ${names.join(' ')}`);
  spawnSync('kubectl', [...flags, 'delete', 'namespace', ...names, '--ignore-not-found', '--timeout=120s'], {
    stdio: 'inherit',
    timeout: 150_000,
  });
}

async function main(): Promise<number> {
  const { context } = parseArgs(process.argv.slice(2));
  const report = new StepReport();
  const namespace = `k8s101-e2e-${process.pid}-${Date.now().toString(36)}`;
  let stopCluster: StopCluster = async () => undefined;
  let cluster: ClusterUnderTest | undefined;
  let finishing: Promise<void> | undefined;
  const finish = () => {
    finishing ??= (async () => {
      if (context && cluster) {
        deleteNamespaces({ ...cluster.access, namespace }, [namespace, `${namespace}-restricted`]);
      }
      console.log(context ? `== done with context ${context}: nothing to stop` : '== stop the node');
      await stopCluster();
    })();
    return finishing;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping`);
      void finish().then(() => process.exit(130));
    });
  }
  try {
    console.log('== npm run synth');
    const synth = spawnSync('npm', ['run', '--silent', 'synth'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    if (synth.status !== 0) {
      throw new Error(
        `npm run synth failed, so there is nothing to apply:\n${synth.error?.message ?? synth.stderr.trim()}`,
      );
    }
    cluster = await startCluster(context, console.log, (stop) => {
      stopCluster = stop;
    });
    console.log(`== the replay, in namespaces ${namespace} and ${namespace}-restricted`);
    const replayContext = new ReplayContext({ ...cluster.access, namespace }, cluster.scratch);
    await replay(replayContext, cluster, report, context ? OWN_CLUSTER_SLOWDOWN : 1);
  } catch (error) {
    await report.step('setting up the replay', () => {
      throw error;
    });
  } finally {
    await finish();
  }
  const before = cluster?.machineBefore;
  if (before) {
    await report.step('the machine is left as found', () => assertMachineAsFound(before));
  }
  console.log(report.summary());
  return report.totals.failed > 0 ? 1 : 0;
}

exitWith(main);
