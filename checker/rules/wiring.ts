import { podTemplateOf } from '../manifest-model';
import { checkService, checkWorkloadSelector } from '../wiring';
import type { RuleDefinition } from './rule';

export const wiringRule: RuleDefinition = {
  name: 'wiring',
  scope: 'set',
  checks:
    "each workload's selector matches its own Pod template (a ReplicationController's selector is a label map); each Service with a selector selects the Pods of at least one workload in the set; each Service `targetPort` reaches the selected Pods as the endpoints controller finds it: a name must be declared by a container with the Service port's protocol; a number must be among the ports the containers declare, and is a warning only when they declare none (Kubernetes sends the traffic to it all the same); a Service selecting Pods of two workloads is a warning; a Service without a selector is not wired by labels",
  remediation:
    "make the selector's labels those of the Pod template, and each targetPort a port its containers declare",
  // Its part that needs one object alone: a workload's selector against its own template.
  checkObject: (doc) => {
    const template = podTemplateOf(doc.object);
    return template ? checkWorkloadSelector(doc, template) : [];
  },
  startSet: () => ({
    finish: (view) => view.services.flatMap((service) => checkService(service, view.templates)),
  }),
};
