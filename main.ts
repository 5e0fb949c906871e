import { App } from 'cdk8s';
import { MANIFEST_EXTENSION } from './lib/constants';
import { synthesize } from './lib/synthesis/synthesize';
import { addWorkshopCharts } from './lib/workshop';

const app = new App({ outputFileExtension: MANIFEST_EXTENSION });

addWorkshopCharts(app, {
  homepage: { replicas: 1 },
  sleep: { replicas: 1 },
});

synthesize(app);
