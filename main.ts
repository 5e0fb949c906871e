import * as path from 'path';
import { App } from 'cdk8s';
import { WALKTHROUGH_DOCUMENT } from './lib/constants';
import { reportAppErrors, synthesize } from './lib/synthesis';
import { Workshop } from './lib/workshop';

reportAppErrors();

const app = new App({ outputFileExtension: '.yml' });

new Workshop(app, 'workshop', {
  homepage: { replicas: 1 },
  sleep: { replicas: 1 },
});

synthesize(app, { walkthroughFile: path.join(__dirname, WALKTHROUGH_DOCUMENT) });
