// Runs once before the tests: a synth of main.ts into a scratch folder. When main.ts or lib/ cannot
// synthesize (a prop out of range, a construct that throws), the run stops here with the synth's
// own error, instead of failing dozens of tests about publishing, locks and the README.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSynth } from './synth-process';

export default function checkThatMainSynthesizes(): void {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'global-setup-'));
  try {
    const run = runSynth('main.ts', path.join(out, 'dist'));
    if (run.status !== 0) {
      throw new Error(`npm run synth fails, so the tests cannot run; fix this first:\n${run.stderr.trimEnd()}`);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
