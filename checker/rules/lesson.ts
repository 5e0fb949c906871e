import { checkLesson, extractKubectlCommands } from '../lesson';
import type { RuleDefinition } from './rule';

export const lessonRule: RuleDefinition = {
  name: 'lesson',
  scope: 'set',
  checks:
    'every kubectl command of the lesson names what exists: `deployment/homepage`, `deploy/sleep`, `endpoints homepage` (a Service), `-l app=signup,component=homepage` (Pod labels), `port-forward … 8090:80` (a container port), `nslookup homepage` and `http://homepage` (a Service on port 80)',
  remediation: 'change the command, or the manifests, so that the command names what the manifests define',
  startSet: ({ lesson }) => ({
    finish: (view) => (lesson ? checkLesson(extractKubectlCommands(lesson.markdown, lesson.name), view) : []),
  }),
};
