import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import {
  DEFAULT_REPLICAS,
  HOMEPAGE_IMAGE,
  HOMEPAGE_NAME,
  HOMEPAGE_POD_ANNOTATIONS,
  HOMEPAGE_POD_LABELS,
  HTTP_PORT,
  type Labels,
  LINUX_NODE_SELECTOR,
  type NamedPort,
} from './constants';
import { checkKnownProps, propOrDefault } from './prop-checks';
import { WorkshopDeployment } from './workshop-deployment';

export interface HomepageDeploymentProps {
  /**
   * Number of homepage Pods; the homepage Service gets one endpoint per Pod.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Image of the nginx container serving the homepage on port 80.
   * @default 'dak4dotnet/homepage-nginx:linux'
   */
  readonly image?: string;
  /**
   * Labels of the homepage Pods; the Deployment, and the homepage Service fronting it, select exactly these.
   * @default { app: 'signup', component: 'homepage' }
   */
  readonly podLabels?: Labels;
}

const HOMEPAGE_DEPLOYMENT_PROPS: Record<keyof HomepageDeploymentProps, true> = {
  replicas: true,
  image: true,
  podLabels: true,
};

/** The `homepage` Deployment: nginx serving the workshop's homepage on port 80, named `http`. */
export class HomepageDeployment extends WorkshopDeployment {
  /** The port nginx listens on, which the homepage Service targets. */
  declare public readonly port: NamedPort;

  constructor(scope: Construct, id: string, props: HomepageDeploymentProps = {}) {
    super(scope, id, {
      name: HOMEPAGE_NAME,
      podLabels: propOrDefault(props.podLabels, HOMEPAGE_POD_LABELS),
      podAnnotations: HOMEPAGE_POD_ANNOTATIONS,
      image: propOrDefault(props.image, HOMEPAGE_IMAGE),
      replicas: propOrDefault(props.replicas, DEFAULT_REPLICAS),
      port: HTTP_PORT,
      // nginx serving one static page; three replicas and the sleep Pod fit a 2-CPU laptop cluster.
      resources: {
        cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(250) },
        memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
      },
      // nginx writes its pid file and cache at start-up, chowns the cache to its worker user,
      // binds port 80 as root and then switches to that user.
      readOnlyRootFilesystem: false,
      capabilities: ['CHOWN', 'DAC_OVERRIDE', 'SETGID', 'SETUID', 'NET_BIND_SERVICE'],
      nodeSelector: LINUX_NODE_SELECTOR,
    });
    checkKnownProps(this, props, HOMEPAGE_DEPLOYMENT_PROPS);
  }
}
