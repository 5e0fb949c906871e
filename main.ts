import { App } from 'cdk8s';
import { synthesize } from './lib/synthesis/synthesize';
import { Workshop } from './lib/workshop';

const app = new App();

new Workshop(app, 'workshop', {
  homepage: { replicas: 1 },
  sleep: { replicas: 1 },
});

synthesize(app);
