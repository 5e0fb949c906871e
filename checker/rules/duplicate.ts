import { DuplicateNames } from '../names';
import type { RuleDefinition } from './rule';

export const duplicateRule: RuleDefinition = {
  name: 'duplicate',
  scope: 'set',
  checks:
    "no kind/name defined twice: an error within one file and in the project's own folder (two constructs wrote one object); a warning across the files of any other folder, where versions of one object are kept side by side and applied one at a time",
  remediation: 'rename one of the two objects, or keep alternatives in separate folders and apply them one at a time',
  startSet: (options) => {
    const names = new DuplicateNames(options.duplicatesAcrossFiles);
    return { add: (object) => names.check(object) };
  },
};
