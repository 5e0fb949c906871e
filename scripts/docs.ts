// `npm run docs`: redraws the wiring diagram in README.md from dist/. Run it after `npm run synth`;
// a test fails while the README shows another picture than the committed manifests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { documentedReadme } from '../lib/docs';

const { file, current, expected } = documentedReadme(path.resolve(__dirname, '..'));
if (expected !== current) {
  fs.writeFileSync(`${file}.tmp`, expected);
  fs.renameSync(`${file}.tmp`, file);
  console.log(`${path.relative(process.cwd(), file)}: wiring diagram redrawn`);
} else {
  console.log(`${path.relative(process.cwd(), file)}: wiring diagram up to date`);
}
