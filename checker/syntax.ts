/**
 * Syntax rules the Kubernetes API server applies to names, labels and image
 * references. Each check returns undefined when the value is valid, otherwise
 * a sentence saying what is wrong, so that both construct props and manifest
 * validation report the same rule in the same words.
 */

// DNS-1123 labels joined by dots: one expression rather than a split, as it runs on every object's name.
const DNS1123_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const MAX_LABEL_LENGTH = 63;
const MAX_SUBDOMAIN_LENGTH = 253;

/** A DNS name rule of apimachinery's validation: a length limit, then a pattern, with its words. */
interface DnsNameRule {
  readonly name: string;
  readonly maxLength: number;
  readonly pattern: RegExp;
  readonly spelled: string;
}

function dnsNameProblem(value: string, rule: DnsNameRule): string | undefined {
  if (value.length > rule.maxLength) {
    return `must be at most ${rule.maxLength} characters (${rule.name})`;
  }
  if (!rule.pattern.test(value)) {
    return `must be a ${rule.name}: ${rule.spelled}`;
  }
  return undefined;
}

const DNS1123_SUBDOMAIN_RULE: DnsNameRule = {
  name: 'DNS-1123 subdomain',
  maxLength: MAX_SUBDOMAIN_LENGTH,
  pattern: DNS1123_SUBDOMAIN,
  spelled: 'lower-case letters, digits, "-" and ".", starting and ending with a letter or digit',
};
const DNS1035_LABEL_RULE: DnsNameRule = {
  name: 'DNS-1035 label',
  maxLength: MAX_LABEL_LENGTH,
  pattern: DNS1035_LABEL,
  spelled: 'lower-case letters, digits and "-", starting with a letter and ending with a letter or digit',
};
const DNS1123_LABEL_RULE: DnsNameRule = {
  name: 'DNS-1123 label',
  maxLength: MAX_LABEL_LENGTH,
  pattern: DNS1123_LABEL,
  spelled: 'lower-case letters, digits and "-", starting and ending with a letter or digit',
};

/** A DNS-1123 subdomain (apimachinery IsDNS1123Subdomain): the name rule of Deployments, Pods and most objects. */
export function dns1123SubdomainProblem(value: string): string | undefined {
  return dnsNameProblem(value, DNS1123_SUBDOMAIN_RULE);
}

/** A DNS-1035 label (apimachinery IsDNS1035Label): the name rule of Services, whose names become DNS names. */
export function dns1035LabelProblem(value: string): string | undefined {
  return dnsNameProblem(value, DNS1035_LABEL_RULE);
}

/** A DNS-1123 label (apimachinery IsDNS1123Label): Namespace and StatefulSet names, Service port names. */
export function dns1123LabelProblem(value: string): string | undefined {
  return dnsNameProblem(value, DNS1123_LABEL_RULE);
}

/**
 * A name that is one segment of an API path (apimachinery path.IsValidPathSegmentName): the only
 * rule for the names of RBAC objects, so `system:aggregated-reader` and `logReader` are valid.
 */
export function pathSegmentNameProblem(value: string): string | undefined {
  if (value === '.' || value === '..') {
    return `may not be '${value}'`;
  }
  const found = ['/', '%'].filter((part) => value.includes(part));
  return found.length > 0 ? found.map((part) => `may not contain '${part}'`).join(', ') : undefined;
}

const MAX_PORT_NAME_LENGTH = 15;

/**
 * A port name, an IANA service name (apimachinery IsValidPortName): at most 15 lower-case letters,
 * digits and "-", at least one letter, no "--", no "-" at either end. Container port names and
 * string `targetPort`s; a quoted number such as "8080" is a name, and names need a letter.
 */
export function portNameProblem(value: string): string | undefined {
  const problems: string[] = [];
  if (value.length > MAX_PORT_NAME_LENGTH) {
    problems.push(`must be no more than ${MAX_PORT_NAME_LENGTH} characters`);
  }
  if (!/^[-a-z0-9]+$/.test(value)) {
    problems.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  }
  if (!/[a-z]/.test(value)) {
    problems.push('must contain at least one letter (a-z)');
  }
  if (value.includes('--')) {
    problems.push('must not contain consecutive hyphens');
  }
  if (value.startsWith('-') || value.endsWith('-')) {
    problems.push('must not begin or end with a hyphen');
  }
  return problems.length > 0 ? `is not a valid port name: ${problems.join('; ')}` : undefined;
}

/** A port number (apimachinery IsValidPortNum): 1 to 65535. */
export function portNumberProblem(value: number): string | undefined {
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : 'must be between 1 and 65535, inclusive';
}

/** A label key: an optional DNS-1123 subdomain prefix and "/", then a name of at most 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = key.slice(slash + 1);
  if (prefix !== undefined) {
    const prefixProblem = prefix === '' ? 'must not be empty' : dns1123SubdomainProblem(prefix);
    if (prefixProblem) {
      return `prefix "${prefix}" ${prefixProblem}`;
    }
  }
  if (name.length > MAX_LABEL_LENGTH || !LABEL_NAME.test(name)) {
    return `name part "${name}" must be 1-${MAX_LABEL_LENGTH} characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** A label value: empty, or at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit. */
export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return 'must be a string';
  }
  if (value !== '' && (value.length > MAX_LABEL_LENGTH || !LABEL_NAME.test(value))) {
    return `must be empty or at most ${MAX_LABEL_LENGTH} letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

// The grammar of github.com/distribution/reference: [host[:port]/]path[:tag][@digest].
const HOST_COMPONENT = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)';
// As docker reads it, a first component names a registry only with a dot, a port, or as localhost.
const HOST = `(?:localhost(?::[0-9]+)?|${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})+(?::[0-9]+)?|${HOST_COMPONENT}:[0-9]+)`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const IMAGE_REFERENCE = new RegExp(
  `^(?:${HOST}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`,
);

/** A container image reference such as `dak4dotnet/homepage-nginx:linux`. */
export function imageReferenceProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    return 'must be a non-empty image reference';
  }
  if (!IMAGE_REFERENCE.test(value)) {
    return 'must be an image reference of the form [registry/]repository[:tag][@digest], with a lower-case repository';
  }
  return undefined;
}

/** An inclusive range of whole numbers. */
export interface WholeNumberRange {
  readonly min: number;
  readonly max: number;
}

/**
 * What the API server accepts for `replicas`: a non-negative 32-bit integer.
 * A caller narrows it to what its clusters can hold.
 */
export const API_REPLICAS_RANGE: WholeNumberRange = { min: 0, max: 2 ** 31 - 1 };

/** A replica count within a range. */
export function replicasProblem(value: unknown, range: WholeNumberRange = API_REPLICAS_RANGE): string | undefined {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    Object.is(value, -0) ||
    value < range.min ||
    value > range.max
  ) {
    return `must be a whole number from ${range.min} to ${range.max}`;
  }
  return undefined;
}
