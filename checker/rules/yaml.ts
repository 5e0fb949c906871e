import type { RuleDefinition } from './rule';

/** Reading: the rule of every finding about a file or document that could not be read as objects (load.ts). */
export const yamlRule: RuleDefinition = {
  name: 'yaml',
  scope: 'file',
  checks:
    "every file reads as kubectl reads it (go-yaml v2's YAML 1.1, UTF-8 or UTF-16, see below) and holds at least one object; every document is an object; the items of a `List` (or `DeploymentList`, …) are checked one by one, as kubectl applies them. A binary, unreadable or empty file, or a YAML alias bomb, is one finding naming the file, and the other files are still checked. A key written twice is a warning naming both lines",
  remediation: 'fix the YAML at the line given, or quote a value kubectl would read as another type',
};
