import { runValidateCommand } from '@k8s-101/manifest-checker';
import { LESSON_DOCUMENT, MANIFEST_DIR, MAX_REPLICAS } from '../lib/constants';

// The workshop's settings for the checker: its manifest folder, its lesson and the replica range its props allow.
process.exitCode = runValidateCommand(
  process.argv.slice(2),
  { out: console.log, err: console.error },
  {
    defaultDir: MANIFEST_DIR,
    defaultLesson: LESSON_DOCUMENT,
    replicas: { min: 0, max: MAX_REPLICAS },
  },
);
