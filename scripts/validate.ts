import { runValidateCommand } from '../checker/command';
import { MANIFEST_DIR, MAX_REPLICAS, WALKTHROUGH_DOCUMENT } from '../lib/constants';

// The workshop's settings for the checker: its manifest folder, its walkthrough and the replica range its props allow.
process.exitCode = runValidateCommand(process.argv.slice(2), { out: console.log, err: console.error }, {
  defaultDir: MANIFEST_DIR,
  defaultWalkthrough: WALKTHROUGH_DOCUMENT,
  replicas: { min: 0, max: MAX_REPLICAS },
});
