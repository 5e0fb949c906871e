import { requirementMatches, selectorMatches } from '../checker/label-selector';
import {
  dns1035LabelProblem,
  dns1123SubdomainProblem,
  imageReferenceProblem,
  labelKeyProblem,
  labelValueProblem,
} from '../checker/syntax';

describe('Kubernetes syntax rules', () => {
  test.each(['homepage', 'sleep', 'a', 'web-1', 'x'.repeat(63)])('Service name %s is valid', (name) => {
    expect(dns1035LabelProblem(name)).toBeUndefined();
  });
  test.each(['Homepage', '1web', 'web-', 'a_b', 'x'.repeat(64), ''])('Service name %p is invalid', (name) => {
    expect(dns1035LabelProblem(name)).toBeDefined();
  });
  test.each(['homepage', 'my.app', '1web'])('object name %s is a DNS-1123 subdomain', (name) => {
    expect(dns1123SubdomainProblem(name)).toBeUndefined();
  });
  test.each(['my..app', '-web', 'Web'])('object name %p is not', (name) => {
    expect(dns1123SubdomainProblem(name)).toBeDefined();
  });
  test.each(['app', 'kubernetes.io/os', 'prometheus.io/scrape', 'a_b.c-d'])('label key %s is valid', (key) => {
    expect(labelKeyProblem(key)).toBeUndefined();
  });
  test.each(['-app', 'app-', '/app', 'Bad_Prefix/app', 'a b', 'x'.repeat(64)])('label key %p is invalid', (key) => {
    expect(labelKeyProblem(key)).toBeDefined();
  });
  test.each(['', 'signup', 'v1.2_3-x'])('label value %p is valid', (value) => {
    expect(labelValueProblem(value)).toBeUndefined();
  });
  test.each(['sign up', '-x', 'x-', 'x'.repeat(64), 80])('label value %p is invalid', (value) => {
    expect(labelValueProblem(value)).toBeDefined();
  });
  test.each([
    'dak4dotnet/homepage-nginx:linux',
    'dak4dotnet/sleep',
    'nginx',
    'localhost:5000/team/app:1.0',
    `nginx@sha256:${'a'.repeat(64)}`,
    'registry.example.com/a/b/c:v1_2.3-x',
  ])('image %s is a valid reference', (image) => {
    expect(imageReferenceProblem(image)).toBeUndefined();
  });
  test.each(['', ' ', 'Dak4dotnet/sleep', 'nginx:', 'nginx::1', 'a b', 'nginx:-tag', 'repo/'])(
    'image %p is not',
    (image) => {
      expect(imageReferenceProblem(image)).toBeDefined();
    },
  );
});

describe('label selectors', () => {
  const pod = { app: 'signup', component: 'homepage' };
  test('equality selectors need every pair, and an empty selector matches nothing', () => {
    expect(selectorMatches({ app: 'signup' }, pod)).toBe(true);
    expect(selectorMatches(pod, pod)).toBe(true);
    expect(selectorMatches({ app: 'signup', tier: 'web' }, pod)).toBe(false);
    expect(selectorMatches({}, pod)).toBe(false);
  });
  test('set-based requirements', () => {
    expect(requirementMatches({ key: 'app', operator: 'In', values: ['signup', 'x'] }, pod)).toBe(true);
    expect(requirementMatches({ key: 'app', operator: 'NotIn', values: ['signup'] }, pod)).toBe(false);
    expect(requirementMatches({ key: 'tier', operator: 'NotIn', values: ['web'] }, pod)).toBe(true);
    expect(requirementMatches({ key: 'component', operator: 'Exists' }, pod)).toBe(true);
    expect(requirementMatches({ key: 'component', operator: 'DoesNotExist' }, pod)).toBe(false);
  });
});
