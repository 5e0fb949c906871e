import * as path from 'node:path';
import { App } from 'cdk8s';
import { LESSON_DOCUMENT, MANIFEST_EXTENSION } from './lib/constants';
import { synthesize } from './lib/synthesis';
import { addWorkshopCharts } from './lib/workshop';

const app = new App({ outputFileExtension: MANIFEST_EXTENSION });

addWorkshopCharts(app, {
  homepage: { replicas: 1 },
  sleep: { replicas: 1 },
});

synthesize(app, { lessonFile: path.join(__dirname, LESSON_DOCUMENT) });
