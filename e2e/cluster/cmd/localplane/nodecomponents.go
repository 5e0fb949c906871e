package main

import (
	"k8s.io/component-base/cli"
	kubeproxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

// The real node's kubelet and kube-proxy live in this binary as subcommands
// rather than as binaries of their own: they share nearly all of their
// dependencies with the control plane, so one build compiles them once.
// Each still runs as its own process, because the kubelet changes
// process-wide state (sysctls, OOM scores) that must not touch the
// control plane.

func runKubelet(args []string) int {
	cmd := kubelet.NewKubeletCommand()
	cmd.SetArgs(args)
	return cli.Run(cmd)
}

func runKubeProxy(args []string) int {
	cmd := kubeproxy.NewProxyCommand()
	cmd.SetArgs(args)
	return cli.Run(cmd)
}
