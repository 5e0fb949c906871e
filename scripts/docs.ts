// `npm run docs`: brings the generated sections of the READMEs up to date with dist/: the wiring
// diagram and line counts of README.md, the checker's example report and the e2e replay's steps. `npm run update` runs it
// after the synth; a test fails while a README shows something else.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allDocumentedFiles } from './generated-docs';

for (const { file, current, expected } of allDocumentedFiles(path.resolve(__dirname, '..'))) {
  const shown = path.relative(process.cwd(), file);
  if (expected !== current) {
    fs.writeFileSync(`${file}.tmp`, expected);
    fs.renameSync(`${file}.tmp`, file);
    console.log(`${shown}: generated sections rewritten`);
  } else {
    console.log(`${shown}: generated sections up to date`);
  }
}
