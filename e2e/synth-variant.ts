// Synthesizes the workshop with another homepage replica count into another folder,
// as a user would after editing main.ts: `synth-variant.ts <replicas> <outdir>`.
import { App } from 'cdk8s';
import { MANIFEST_EXTENSION } from '../lib/constants';
import { synthesize } from '../lib/synthesis/synthesize';
import { addWorkshopCharts } from '../lib/workshop';

const [replicas, outdir] = process.argv.slice(2);
const app = new App({ outdir, outputFileExtension: MANIFEST_EXTENSION });
addWorkshopCharts(app, { homepage: { replicas: Number(replicas) } });
synthesize(app);
