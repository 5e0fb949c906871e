// Preloaded by `npm run synth` (`--require ./lib/synthesis/report-app-errors.ts`), before main.ts
// is loaded: an error while loading it, a syntax error in main.ts or lib/ say, is then reported
// by its place and message instead of Node's dump of the runner's minified source.
import { reportAppErrors } from './errors';

reportAppErrors();
