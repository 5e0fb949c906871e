import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HOMEPAGE_NAME, HOMEPAGE_POD_LABELS, HTTP_PORT, Labels } from './constants';
import { checkLabels } from './prop-checks';

export interface HomepageServiceProps {
  /**
   * Labels of the Pods the Service sends traffic to.
   * @default { app: 'signup', component: 'homepage' }
   */
  readonly selector?: Labels;
}

/**
 * The `homepage` ClusterIP Service: a stable name and address in front of whichever
 * Pods carry the homepage labels, on port 80 named `http`.
 */
export class HomepageService extends Construct {
  /** The cdk8s-plus Service. */
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: HomepageServiceProps = {}) {
    super(scope, id);
    const selector = checkLabels(this, props.selector ?? HOMEPAGE_POD_LABELS, 'selector');
    this.service = new kplus.Service(this, 'Resource', {
      metadata: { name: HOMEPAGE_NAME },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: HTTP_PORT.name, port: HTTP_PORT.number, targetPort: HTTP_PORT.number }],
    });
    for (const [key, value] of Object.entries(selector)) {
      this.service.selectLabel(key, value);
    }
    // cdk8s-plus writes `externalIPs: []`, which the API server omits: re-applying unchanged
    // manifests would report the Service as "configured".
    ApiObject.of(this.service).addJsonPatch(JsonPatch.remove('/spec/externalIPs'));
  }
}
