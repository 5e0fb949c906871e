import * as fs from 'node:fs';
import * as path from 'node:path';
import { runValidateCommand } from '../checker/command';
import { RULE_NAMES } from '../checker/rule-names';
import { RULE_REGISTRY, ruleTable } from '../checker/rules';

const root = path.resolve(__dirname, '..');

describe('the rule registry', () => {
  test('lists every rule once, in the order findings are printed, each from a module of its own', () => {
    expect(RULE_REGISTRY.map((rule) => rule.name)).toEqual([...RULE_NAMES]);
    const modules = fs
      .readdirSync(path.join(root, 'checker/rules'))
      .filter((file) => !['index.ts', 'rule.ts'].includes(file))
      .map((file) => file.replace(/\.ts$/, ''))
      .sort();
    expect(modules).toEqual([...RULE_NAMES].sort());
  });

  test('gives each rule what it checks, a one-line remediation, and a scope with the code for it', () => {
    for (const rule of RULE_REGISTRY) {
      expect({ rule: rule.name, oneLine: !rule.remediation.includes('\n') && rule.remediation.length > 10 }).toEqual({
        rule: rule.name,
        oneLine: true,
      });
      // A file rule is the reader's; an object rule checks objects; a set rule starts a check of the set.
      const runs = { file: true, object: rule.checkObject !== undefined, set: rule.startSet !== undefined }[rule.scope];
      expect({ rule: rule.name, runs }).toEqual({ rule: rule.name, runs: true });
    }
  });

  test("is the checker README's rule table, row for row", () => {
    const readme = fs.readFileSync(path.join(root, 'checker/README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| rule |')).split('\n\n')[0].trim();
    expect(table).toBe(ruleTable());
  });

  test('is what `npm run validate -- --rules` prints', () => {
    const lines: string[] = [];
    const code = runValidateCommand(['--rules'], { out: (line) => lines.push(line), err: (line) => lines.push(line) });
    expect(code).toBe(0);
    expect(lines).toEqual(RULE_REGISTRY.map((rule) => `${rule.name} (${rule.scope}): ${rule.remediation}`));
  });
});
