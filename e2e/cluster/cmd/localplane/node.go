package main

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func newClient(kubeconfig string) (kubernetes.Interface, error) {
	// An explicit path: client-go never consults the home directory then.
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "localplane"
	return kubernetes.NewForConfig(cfg)
}

func apiReady(ctx context.Context, c kubernetes.Interface) (bool, string) {
	body, err := c.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil {
		return false, firstLine(string(body), err)
	}
	return true, ""
}

func firstLine(body string, err error) string {
	if body != "" {
		// /readyz lists the failing checks as "[-]name failed".
		for _, l := range splitLines(body) {
			if len(l) > 3 && l[:3] == "[-]" {
				return l
			}
		}
	}
	return err.Error()
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// createNode registers the fake node. Capacity goes into the status before
// kwok starts: kwok keeps an existing capacity and only fills in conditions,
// addresses and heartbeats.
func createNode(ctx context.Context, c kubernetes.Interface) error {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: nodeName,
			Labels: map[string]string{
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
				"kubernetes.io/hostname": nodeName,
				"type":                   "kwok",
			},
			Annotations: map[string]string{
				"kwok.x-k8s.io/node":           "fake",
				"node.alpha.kubernetes.io/ttl": "0",
			},
		},
		// No taints: workloads under test carry no tolerations.
		Spec: corev1.NodeSpec{PodCIDR: podCIDR, PodCIDRs: []string{podCIDR}},
	}
	created, err := c.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		created, err = c.CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	}
	if err != nil {
		return err
	}
	res := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("4"),
		corev1.ResourceMemory: resource.MustParse("8Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	created.Status.Capacity = res
	created.Status.Allocatable = res
	created.Status.NodeInfo = corev1.NodeSystemInfo{
		Architecture:            "amd64",
		OperatingSystem:         "linux",
		KubeletVersion:          "v" + kubeVersion,
		ContainerRuntimeVersion: "kwok://" + kwokVersion,
	}
	_, err = c.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{})
	return err
}

func nodeReady(ctx context.Context, c kubernetes.Interface) (bool, string) {
	n, err := c.CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	if err != nil {
		return false, err.Error()
	}
	for _, cond := range n.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			if cond.Status != corev1.ConditionTrue {
				return false, fmt.Sprintf("Ready=%s", cond.Status)
			}
			if len(n.Spec.Taints) != 0 {
				return false, fmt.Sprintf("taints %v", n.Spec.Taints)
			}
			return true, ""
		}
	}
	return false, "no Ready condition yet"
}

func defaultSAExists(ctx context.Context, c kubernetes.Interface) (bool, string) {
	_, err := c.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
	if err != nil {
		return false, err.Error()
	}
	return true, ""
}
