package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"
	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodeheartbeat "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat"
	nodeheartbeatwithlease "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat-with-lease"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
	"sigs.k8s.io/kwok/pkg/apis/internalversion"
	"sigs.k8s.io/kwok/pkg/client/clientset/versioned"
	kwokconfig "sigs.k8s.io/kwok/pkg/config"
	"sigs.k8s.io/kwok/pkg/kwok/controllers"
	kwoklog "sigs.k8s.io/kwok/pkg/log"
	kwokclient "sigs.k8s.io/kwok/pkg/utils/client"
	"sigs.k8s.io/kwok/pkg/utils/gotpl"
)

// runKwok runs kwok's controller with its built-in "fast" stages: a managed
// node turns Ready, pods bound to it become Running and Ready with an IP
// right away, and deleted pods are removed at once instead of waiting for a
// kubelet that does not exist.
//
// It is the body of the kwok command minus its flag and config-file handling
// (which reads ~/.kwok and os.Args), plus one change: pod IPs are never
// reused, so a replacement pod always gets a different IP than the pod it
// replaces, as tests of Service endpoints expect.
func runKwok(ctx context.Context, kubeconfig string, logw io.Writer) error {
	ctx = kwoklog.NewContext(ctx, kwoklog.NewLogger(logw, kwoklog.LevelInfo))
	opts := kwokconfig.GetKwokConfiguration(ctx).Options

	cs, err := kwokclient.NewClientset("", kubeconfig)
	if err != nil {
		return err
	}
	restConfig, err := cs.ToRESTConfig()
	if err != nil {
		return err
	}
	dynamicClient, err := cs.ToDynamicClient()
	if err != nil {
		return err
	}
	restMapper, err := cs.ToRESTMapper()
	if err != nil {
		return err
	}
	restClient, err := rest.RESTClientFor(restConfig)
	if err != nil {
		return err
	}
	typedClient, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return err
	}
	kwokClient, err := versioned.NewForConfig(restConfig)
	if err != nil {
		return err
	}
	stages, err := kwokStages(opts.NodeLeaseDurationSeconds == 0)
	if err != nil {
		return err
	}
	id, err := controllers.Identity()
	if err != nil {
		return err
	}
	ips, err := newIPSequence(podCIDR)
	if err != nil {
		return err
	}

	ctr, err := controllers.NewController(controllers.Config{
		Clock:                             clock.RealClock{},
		DynamicClient:                     dynamicClient,
		RESTClient:                        restClient,
		RESTMapper:                        restMapper,
		ImpersonatingDynamicClient:        cs.ToImpersonatingDynamicClient(),
		TypedClient:                       typedClient,
		TypedKwokClient:                   kwokClient,
		ManageNodesWithAnnotationSelector: "kwok.x-k8s.io/node=fake",
		CIDR:                              podCIDR,
		NodeIP:                            nodeIP,
		LocalStages:                       stages,
		PodPlayStageParallelism:           opts.PodPlayStageParallelism,
		NodePlayStageParallelism:          opts.NodePlayStageParallelism,
		NodeLeaseDurationSeconds:          opts.NodeLeaseDurationSeconds,
		NodeLeaseParallelism:              opts.NodeLeaseParallelism,
		PodsOnNodeSyncParallelism:         opts.PodsOnNodeSyncParallelism,
		EnablePodsOnNodeSyncListPager:     opts.EnablePodsOnNodeSyncListPager,
		EnablePodsOnNodeSyncStreamWatch:   opts.EnablePodsOnNodeSyncStreamWatch,
		ID:                                id,
		FuncMap: gotpl.FuncMap{
			// Same signature as kwok's own; used by the pod-ready stage.
			"PodIPWith": func(nodeName string, hostNetwork bool, uid, name, namespace string) (string, error) {
				if hostNetwork {
					return nodeIP, nil
				}
				return ips.next(), nil
			},
		},
	})
	if err != nil {
		return err
	}
	if err := ctr.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

func kwokStages(lease bool) (map[internalversion.StageResourceRef][]*internalversion.Stage, error) {
	heartbeat := nodeheartbeat.DefaultNodeHeartbeat
	if lease {
		heartbeat = nodeheartbeatwithlease.DefaultNodeHeartbeatWithLease
	}
	out := map[internalversion.StageResourceRef][]*internalversion.Stage{}
	for ref, raws := range map[internalversion.StageResourceRef][]string{
		{APIGroup: "v1", Kind: "Node"}: {nodefast.DefaultNodeInit, heartbeat},
		{APIGroup: "v1", Kind: "Pod"}:  {podfast.DefaultPodReady, podfast.DefaultPodComplete, podfast.DefaultPodDelete},
	} {
		for _, raw := range raws {
			st, err := kwokconfig.UnmarshalWithType[*internalversion.Stage](raw)
			if err != nil {
				return nil, fmt.Errorf("kwok stage: %w", err)
			}
			out[ref] = append(out[ref], st)
		}
	}
	return out, nil
}

// ipSequence hands out the addresses of a CIDR in order, skipping the
// network address, and wraps around only after the whole range is used.
type ipSequence struct {
	mu   sync.Mutex
	base net.IP
	size uint32
	n    uint32
}

func newIPSequence(cidr string) (*ipSequence, error) {
	_, ipnet, err := net.ParseCIDR(cidr)
	if err != nil {
		return nil, err
	}
	ones, bits := ipnet.Mask.Size()
	if bits != 32 || ones > 30 {
		return nil, fmt.Errorf("pod CIDR %s: need an IPv4 range of at least /30", cidr)
	}
	return &ipSequence{base: ipnet.IP.To4(), size: 1 << (bits - ones)}, nil
}

func (s *ipSequence) next() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Usable offsets are 1 .. size-2 (no network or broadcast address).
	off := 1 + s.n%(s.size-2)
	s.n++
	v := uint32(s.base[0])<<24 | uint32(s.base[1])<<16 | uint32(s.base[2])<<8 | uint32(s.base[3])
	v += off
	return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).String()
}
