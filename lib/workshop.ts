import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { HOMEPAGE_NAME, MANIFEST_FILES, SLEEP_NAME } from './constants';
import { HomepageDeployment, HomepageDeploymentProps } from './homepage-deployment';
import { HomepageService, HomepageServiceProps } from './homepage-service';
import { SleepDeployment, SleepDeploymentProps } from './sleep-deployment';

export interface WorkshopProps {
  /**
   * The homepage Deployment.
   * @default - one replica of the workshop's homepage image
   */
  readonly homepage?: HomepageDeploymentProps;
  /**
   * The homepage Service.
   * @default - selects the workshop's homepage Pod labels
   */
  readonly homepageService?: HomepageServiceProps;
  /**
   * The sleep Deployment.
   * @default - one replica of the workshop's sleep image
   */
  readonly sleep?: SleepDeploymentProps;
}

/**
 * The whole lesson: one chart per manifest file, each holding one workshop component.
 * Chart ids are the file names, so `homepage-pod` becomes `homepage-pod.yml`.
 */
export class Workshop extends Construct {
  public readonly homepage: HomepageDeployment;
  public readonly homepageService: HomepageService;
  public readonly sleep: SleepDeployment;

  constructor(scope: Construct, id: string, props: WorkshopProps = {}) {
    super(scope, id);
    this.homepage = new HomepageDeployment(new Chart(this, MANIFEST_FILES.homepagePod), HOMEPAGE_NAME, props.homepage);
    this.homepageService = new HomepageService(
      new Chart(this, MANIFEST_FILES.homepageService), HOMEPAGE_NAME, props.homepageService);
    this.sleep = new SleepDeployment(new Chart(this, MANIFEST_FILES.sleep), SLEEP_NAME, props.sleep);
  }
}
