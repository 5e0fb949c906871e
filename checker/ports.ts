import { type Finding, findingAt } from './findings';
import { arrayOf, containersOf, type JsonObject, type ManifestDocument, plainObject } from './manifest-model';
import { dns1123LabelProblem, portNameProblem, portNumberProblem } from './syntax';

/**
 * Container and Service ports as the Kubernetes 1.27 API server validates them
 * (pkg/apis/core/validation: validateContainerPorts, ValidateService, validateServicePort,
 * ValidatePortNumOrName). Types are the schema rule's business: only values of the right type
 * are looked at here.
 */
export function checkPorts(doc: ManifestDocument): Finding[] {
  const findings: Finding[] = [];
  for (const { path, container } of containersOf(doc.object)) {
    checkContainerPorts(doc, `${path}.ports`, arrayOf(container.ports), findings);
  }
  if (doc.object.kind === 'Service') {
    checkServicePorts(doc, findings);
  }
  return findings;
}

/** validateContainerPorts: names are port names, unique in the container; numbers in range. */
function checkContainerPorts(
  doc: ManifestDocument,
  path: string,
  ports: readonly unknown[],
  findings: Finding[],
): void {
  const names = new Set<string>();
  ports.forEach((item, index) => {
    const port = plainObject(item);
    if (port === undefined) {
      return;
    }
    const at = `${path}[${index}]`;
    if (typeof port.name === 'string' && port.name !== '') {
      const problem = portNameProblem(port.name);
      if (problem) {
        findings.push(findingAt(doc, 'ports', `${at}.name`, `${JSON.stringify(port.name)} ${problem}`));
      } else if (names.has(port.name)) {
        findings.push(
          findingAt(doc, 'ports', `${at}.name`, `${JSON.stringify(port.name)} is a duplicate name in this container`),
        );
      }
      names.add(port.name);
    }
    checkNumber(doc, `${at}.containerPort`, port.containerPort, true, findings);
    if (port.hostPort !== 0) {
      checkNumber(doc, `${at}.hostPort`, port.hostPort, false, findings);
    }
  });
}

function checkNumber(
  doc: ManifestDocument,
  path: string,
  value: unknown,
  required: boolean,
  findings: Finding[],
): void {
  if (typeof value !== 'number') {
    return;
  }
  if (value === 0 && required) {
    findings.push(findingAt(doc, 'ports', path, 'is required (0 is no port)'));
    return;
  }
  const problem = portNumberProblem(value);
  if (problem) {
    findings.push(findingAt(doc, 'ports', path, `${problem}, got ${value}`));
  }
}

/** ValidateService's ports: present unless headless or ExternalName; names; numbers; targetPorts. */
function checkServicePorts(doc: ManifestDocument, findings: Finding[]): void {
  const spec = plainObject(doc.object.spec);
  if (spec === undefined) {
    return;
  }
  const ports = arrayOf(spec.ports);
  const clusterIPs = arrayOf(spec.clusterIPs);
  const headless = spec.clusterIP === 'None' || (clusterIPs.length === 1 && clusterIPs[0] === 'None');
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') {
    findings.push(
      findingAt(doc, 'ports', 'spec.ports', 'is required: a Service that is not headless or ExternalName needs a port'),
    );
  }
  const names = new Set<string>();
  ports.forEach((item, index) => {
    const port = plainObject(item);
    if (port === undefined) {
      return;
    }
    const at = `spec.ports[${index}]`;
    checkServicePortName(doc, at, port, ports.length > 1, names, findings);
    checkNumber(doc, `${at}.port`, port.port, true, findings);
    checkTargetPort(doc, `${at}.targetPort`, port.targetPort, findings);
  });
}

function checkServicePortName(
  doc: ManifestDocument,
  at: string,
  port: JsonObject,
  required: boolean,
  names: Set<string>,
  findings: Finding[],
): void {
  const { name } = port;
  if (name === undefined || name === null || name === '') {
    if (required) {
      findings.push(findingAt(doc, 'ports', `${at}.name`, 'is required when the Service has more than one port'));
    }
    return;
  }
  if (typeof name !== 'string') {
    return;
  }
  const problem = dns1123LabelProblem(name);
  if (problem) {
    findings.push(findingAt(doc, 'ports', `${at}.name`, `${JSON.stringify(name)} ${problem}`));
  } else if (names.has(name)) {
    findings.push(findingAt(doc, 'ports', `${at}.name`, `${JSON.stringify(name)} is a duplicate port name`));
  }
  names.add(name);
}

/**
 * ValidatePortNumOrName: a number is a port number, a string a port name. 0 and "" are defaulted
 * to the Service port by the API server, so they are fine. A quoted number is a name, and a name
 * needs a letter: the message says so.
 */
function checkTargetPort(doc: ManifestDocument, path: string, value: unknown, findings: Finding[]): void {
  if (typeof value === 'number') {
    if (value !== 0) {
      checkNumber(doc, path, value, false, findings);
    }
    return;
  }
  if (typeof value !== 'string' || value === '') {
    return;
  }
  const problem = portNameProblem(value);
  if (problem) {
    const quotedNumber = /^[0-9]+$/.test(value)
      ? `: a quoted number is a port name, not a number; write ${value} without quotes for the port number`
      : '';
    findings.push(findingAt(doc, 'ports', path, `${JSON.stringify(value)} ${problem}${quotedNumber}`));
  }
}
