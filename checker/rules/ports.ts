import { checkPorts } from '../ports';
import type { RuleDefinition } from './rule';

export const portsRule: RuleDefinition = {
  name: 'ports',
  scope: 'object',
  checks:
    'container port names are port names (at most 15 lower-case letters, digits and `-`, at least one letter), unique in their container; Service port names are DNS-1123 labels, required and unique when there are several; a string `targetPort` is a port name (a quoted number too, and it then needs a letter); port numbers from 1 to 65535; a Service that is not headless or ExternalName has a port',
  remediation:
    'name ports like "http" (at most 15 characters, lower case, a letter); write port numbers without quotes',
  checkObject: (doc) => checkPorts(doc),
};
