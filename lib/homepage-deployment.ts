import { Construct } from 'constructs';
import {
  DEFAULT_REPLICAS, HOMEPAGE_IMAGE, HOMEPAGE_NAME, HOMEPAGE_POD_ANNOTATIONS, HOMEPAGE_POD_LABELS, HTTP_PORT, Labels,
} from './constants';
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
   * Labels of the homepage Pods; the Deployment selects exactly these.
   * @default { app: 'signup', component: 'homepage' }
   */
  readonly podLabels?: Labels;
}

/** The `homepage` Deployment: nginx serving the workshop's homepage. */
export class HomepageDeployment extends WorkshopDeployment {
  constructor(scope: Construct, id: string, props: HomepageDeploymentProps = {}) {
    super(scope, id, {
      name: HOMEPAGE_NAME,
      podLabels: props.podLabels ?? HOMEPAGE_POD_LABELS,
      podAnnotations: HOMEPAGE_POD_ANNOTATIONS,
      image: props.image ?? HOMEPAGE_IMAGE,
      replicas: props.replicas ?? DEFAULT_REPLICAS,
      port: HTTP_PORT,
      budget: { cpuMillis: { request: 50, limit: 250 }, memoryMebibytes: { request: 32, limit: 128 } },
      // nginx writes its pid file and cache at start-up, chowns the cache to its worker user,
      // binds port 80 as root and then switches to that user.
      writableRootFilesystem: true,
      capabilities: ['CHOWN', 'DAC_OVERRIDE', 'SETGID', 'SETUID', 'NET_BIND_SERVICE'],
    });
  }
}
