import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import {
  DEFAULT_REPLICAS,
  type Labels,
  SLEEP_DEPLOYMENT_LABELS,
  SLEEP_IMAGE,
  SLEEP_NAME,
  SLEEP_POD_LABELS,
  SLEEP_USER_ID,
} from './constants';
import { checkKnownProps, propOrDefault } from './prop-checks';
import { WorkshopDeployment } from './workshop-deployment';

export interface SleepDeploymentProps {
  /**
   * Number of sleep Pods.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Image of the shell container the lesson runs `nslookup` and `curl` in.
   * @default 'dak4dotnet/sleep'
   */
  readonly image?: string;
  /**
   * Labels of the sleep Pods; the Deployment selects exactly these.
   * @default { app: 'sleep' }
   */
  readonly podLabels?: Labels;
}

const SLEEP_DEPLOYMENT_PROPS: Record<keyof SleepDeploymentProps, true> = {
  replicas: true,
  image: true,
  podLabels: true,
};

/** The `sleep` Deployment: a shell inside the cluster from which to reach the homepage Service. */
export class SleepDeployment extends WorkshopDeployment {
  constructor(scope: Construct, id: string, props: SleepDeploymentProps = {}) {
    super(scope, id, {
      name: SLEEP_NAME,
      labels: SLEEP_DEPLOYMENT_LABELS,
      podLabels: propOrDefault(props.podLabels, SLEEP_POD_LABELS),
      image: propOrDefault(props.image, SLEEP_IMAGE),
      replicas: propOrDefault(props.replicas, DEFAULT_REPLICAS),
      // An idle shell that runs `curl` now and then.
      resources: {
        cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
        memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
      },
      // It only sleeps; `nslookup` and `curl` write nothing to disk and need no capability, no
      // privilege and no file of their own: the unprivileged `nobody` user (65534) is enough.
      runAsUser: SLEEP_USER_ID,
      readOnlyRootFilesystem: true,
    });
    checkKnownProps(this, props, SLEEP_DEPLOYMENT_PROPS);
  }
}
