import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HOMEPAGE_NAME } from './constants';
import type { HomepageDeployment } from './homepage-deployment';
import { checkKnownProps } from './prop-checks';

export interface HomepageServiceProps {
  /**
   * The Deployment whose Pods the Service sends traffic to: the Service selects its Pod labels
   * and targets its container port, so the two cannot drift apart.
   */
  readonly deployment: HomepageDeployment;
}

const HOMEPAGE_SERVICE_PROPS: Record<keyof HomepageServiceProps, true> = { deployment: true };

/**
 * The `homepage` ClusterIP Service: a stable name and address in front of the homepage
 * Deployment's Pods, on the port nginx listens on, under the same number and name.
 */
export class HomepageService extends Construct {
  /** The cdk8s-plus Service. */
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: HomepageServiceProps) {
    super(scope, id);
    checkKnownProps(this, props, HOMEPAGE_SERVICE_PROPS);
    const { port } = props.deployment;
    this.service = new kplus.Service(this, 'Resource', {
      metadata: { name: HOMEPAGE_NAME },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: port.name, port: port.number, targetPort: port.number }],
    });
    // cdk8s-plus-27's `selector: deployment` selects the generated `cdk8s.io/metadata.addr` label,
    // which the workshop's Pods do not carry; the lesson selects by the Deployment's own labels.
    for (const [key, value] of Object.entries(props.deployment.deployment.matchLabels)) {
      this.service.selectLabel(key, value);
    }
    // cdk8s-plus writes `externalIPs: []`, which the API server omits: re-applying unchanged
    // manifests would report the Service as "configured".
    ApiObject.of(this.service).addJsonPatch(JsonPatch.remove('/spec/externalIPs'));
  }
}
