package main

import (
	"runtime/debug"
	"strings"
)

// Versions come from the module graph, so go.mod stays the single source.
var kubeVersion, kwokVersion = depVersions()

func depVersions() (kube, kwok string) {
	kube, kwok = "0.0.0", "unknown"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	for _, d := range info.Deps {
		switch d.Path {
		case "k8s.io/kubernetes":
			kube = strings.TrimPrefix(d.Version, "v")
		case "sigs.k8s.io/kwok":
			kwok = d.Version
		}
	}
	return
}
