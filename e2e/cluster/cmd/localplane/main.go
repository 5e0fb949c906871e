// Command localplane runs a Kubernetes control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler) and a kwok-simulated node inside
// one process, bound to 127.0.0.1, for end-to-end tests without Docker.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc/grpclog"
	"k8s.io/klog/v2"
)

const (
	contextName = "localplane"
	nodeName    = "kwok-node-0"
)

var started = time.Now()

func say(format string, a ...any) {
	fmt.Fprintf(os.Stdout, "localplane: "+format+"\n", a...)
}

func since() string { return time.Since(started).Round(100 * time.Millisecond).String() }

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	switch os.Args[1] {
	case "up":
		os.Exit(up(os.Args[2:]))
	case "down":
		os.Exit(down(os.Args[2:]))
	case "kubelet":
		os.Exit(runKubelet(os.Args[2:]))
	case "kube-proxy":
		os.Exit(runKubeProxy(os.Args[2:]))
	case "-h", "--help", "help":
		usage()
	default:
		usage()
		os.Exit(2)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage:
  localplane up   --dir DIR [--node kwok|none] [--keep] [--log-file FILE] [--timeout 5m] [--v N]
                  [--exit-with-parent=true] [--exit-on-stdin-eof]
  localplane down --dir DIR [--timeout 60s]
  localplane kubelet ARGS...     (the kubelet of Kubernetes, same flags)
  localplane kube-proxy ARGS...  (kube-proxy of Kubernetes, same flags)

"up" writes DIR/kubeconfig and DIR/localplane.pid, prints
"localplane: ready kubeconfig=DIR/kubeconfig" once usable, and runs until
SIGINT/SIGTERM (or "down"), then removes everything it created.
`)
}

type component struct {
	name   string
	cancel context.CancelFunc
	done   chan error
}

// run starts fn in a goroutine with its own context, so components can be
// stopped one by one in reverse dependency order.
func run(name string, exited chan<- string, fn func(ctx context.Context) error) *component {
	ctx, cancel := context.WithCancel(context.Background())
	c := &component{name: name, cancel: cancel, done: make(chan error, 1)}
	go func() {
		var err error
		func() {
			// Some controllers panic when stopped half-way through their
			// start-up; that must not take the other components down.
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			err = fn(ctx)
		}()
		c.done <- err
		close(c.done)
		if ctx.Err() == nil {
			exited <- fmt.Sprintf("%s exited unexpectedly: %v", name, err)
		}
	}()
	return c
}

func (c *component) stop(timeout time.Duration) {
	c.cancel()
	select {
	case <-c.done:
	case <-time.After(timeout):
		say("%s did not stop within %s", c.name, timeout)
	}
}

func up(args []string) int {
	fs := flag.NewFlagSet("up", flag.ExitOnError)
	dir := fs.String("dir", "", "directory for kubeconfig and pid file (required)")
	keep := fs.Bool("keep", false, "keep the state directory (certificates, etcd data, logs) on exit")
	logFile := fs.String("log-file", "", "write component logs here instead of the state directory (kept on exit)")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up if not ready within this time")
	verbosity := fs.Int("v", 0, "component log verbosity (klog -v)")
	withParent := fs.Bool("exit-with-parent", true, "exit when the parent process exits")
	stdinEOF := fs.Bool("exit-on-stdin-eof", false, "exit when stdin is closed (for callers holding a pipe)")
	node := fs.String("node", "kwok", `"kwok" simulates node `+nodeName+`; "none" leaves the node to a real kubelet started by the caller`)
	_ = fs.Parse(args)
	if *node != "kwok" && *node != "none" {
		fmt.Fprintf(os.Stderr, "localplane up: --node must be kwok or none, not %q\n", *node)
		return 2
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "localplane up: --dir is required")
		return 2
	}
	absDir, err := filepath.Abs(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "localplane up:", err)
		return 1
	}
	// A DIR created here is removed again at shutdown, so a caller that dies leaves nothing.
	_, statErr := os.Stat(absDir)
	createdDir := os.IsNotExist(statErr)
	if err := os.MkdirAll(absDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "localplane up:", err)
		return 1
	}
	pidFile := filepath.Join(absDir, "localplane.pid")
	kubeconfig := filepath.Join(absDir, "kubeconfig")
	if pid, ok := runningPid(pidFile); ok {
		fmt.Fprintf(os.Stderr, "localplane up: already running in %s (pid %d)\n", absDir, pid)
		return 1
	}

	state, err := os.MkdirTemp("", "localplane-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "localplane up:", err)
		return 1
	}
	var cleanupOnce sync.Once
	cleanup := func() {
		cleanupOnce.Do(func() {
			os.Remove(kubeconfig)
			os.Remove(pidFile)
			if createdDir {
				os.Remove(absDir)
			}
			if *keep {
				say("kept state directory %s", state)
			} else {
				os.RemoveAll(state)
			}
		})
	}
	// Components call klog.FlushAndExit on fatal errors; route that through
	// cleanup so no state directory is left behind.
	klog.OsExit = func(code int) {
		say("a component exited the process (code %d); logs: %s", code, logPathOr(*logFile, state))
		cleanup()
		os.Exit(code)
	}

	logPath := logPathOr(*logFile, state)
	logw, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		cleanup()
		fmt.Fprintln(os.Stderr, "localplane up:", err)
		return 1
	}
	setupLogging(logw, *verbosity)

	internalKubeconfig := filepath.Join(state, "admin.kubeconfig")
	// client-go falls back to $KUBECONFIG and then ~/.kube/config whenever a
	// path is empty; pin the fallback to our own file.
	os.Setenv("KUBECONFIG", internalKubeconfig)

	code := serve(serveArgs{
		state: state, kubeconfig: kubeconfig, internalKubeconfig: internalKubeconfig,
		pidFile: pidFile, logPath: logPath, logw: logw, timeout: *timeout,
		withParent: *withParent, stdinEOF: *stdinEOF, simulateNode: *node == "kwok",
	})
	logw.Close()
	cleanup()
	say("stopped")
	return code
}

func logPathOr(logFile, state string) string {
	if logFile != "" {
		return logFile
	}
	return filepath.Join(state, "localplane.log")
}

func setupLogging(w io.Writer, verbosity int) {
	kfs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(kfs)
	_ = kfs.Set("logtostderr", "false")
	_ = kfs.Set("alsologtostderr", "false")
	_ = kfs.Set("stderrthreshold", "FATAL")
	_ = kfs.Set("one_output", "true")
	_ = kfs.Set("v", strconv.Itoa(verbosity))
	klog.SetOutput(w)
	log.SetOutput(w)
	grpclog.SetLoggerV2(grpclog.NewLoggerV2(io.Discard, w, w))
}

type serveArgs struct {
	state, kubeconfig, internalKubeconfig, pidFile, logPath string
	logw                                                    io.Writer
	timeout                                                 time.Duration
	withParent, stdinEOF                                    bool
	// simulateNode runs kwok with its fake node; without it the
	// caller brings a real kubelet, which registers its own node.
	simulateNode bool
}

func serve(a serveArgs) int {
	// Anything that should end the run sends a reason here.
	stopCh := make(chan string, 8)
	sigCh := make(chan os.Signal, 2)
	signal.Notify(sigCh, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	// When the process reading our output dies first, a write to the closed pipe would kill
	// us before cleanup; ignored, the write just fails and the parent watch shuts us down.
	signal.Ignore(syscall.SIGPIPE)
	go func() {
		s := <-sigCh
		stopCh <- "received " + s.String()
		// A second signal skips the graceful shutdown.
		s = <-sigCh
		say("received %s again, exiting now", s)
		klog.OsExit(1)
	}()
	if a.withParent {
		watchParent(stopCh)
	}
	if a.stdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stopCh <- "stdin closed"
		}()
	}

	if err := os.WriteFile(a.pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		say("error: %v", err)
		return 1
	}
	say("state directory %s, component logs %s", a.state, a.logPath)

	var running []*component
	stopAll := func() {
		for i := len(running) - 1; i >= 0; i-- {
			c := running[i]
			t := 15 * time.Second
			if c.name == "kube-apiserver" {
				t = 30 * time.Second
			}
			c.stop(t)
		}
	}
	fail := func(format string, args ...any) int {
		say("error: "+format, args...)
		tailLog(a.logPath, 40)
		stopAll()
		return 1
	}

	ctx, cancelCause := context.WithCancelCause(context.Background())
	defer cancelCause(nil)
	ctx, cancel := context.WithTimeoutCause(ctx, a.timeout, fmt.Errorf("not ready within --timeout %s", a.timeout))
	defer cancel()
	readyCh := make(chan struct{})
	go func() {
		// Turn an early stop request into cancellation of the startup waits.
		select {
		case r := <-stopCh:
			stopCh <- r
			cancelCause(errors.New(r))
		case <-readyCh:
		}
	}()

	say("generating certificates")
	p, err := newPKI(filepath.Join(a.state, "pki"), net.ParseIP(apiServiceIP))
	if err != nil {
		return fail("certificates: %v", err)
	}

	say("starting etcd")
	etcd, etcdURL, err := startEtcd(filepath.Join(a.state, "etcd"), a.logPath)
	if err != nil {
		return fail("etcd: %v", err)
	}
	defer func() {
		etcd.Close()
	}()
	say("etcd ready at %s (%s)", etcdURL, since())

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail("listen: %v", err)
	}
	server := fmt.Sprintf("https://127.0.0.1:%d", ln.Addr().(*net.TCPAddr).Port)
	// Every in-process client authenticates as system:masters; the
	// components are trusted and RBAC setup for them is not under test.
	for _, k := range []struct{ path, user string }{
		{a.internalKubeconfig, "localplane-admin"},
		{filepath.Join(a.state, "kube-controller-manager.kubeconfig"), "system:kube-controller-manager"},
		{filepath.Join(a.state, "kube-scheduler.kubeconfig"), "system:kube-scheduler"},
		{filepath.Join(a.state, "kwok.kubeconfig"), "kwok-controller"},
	} {
		if err := p.kubeconfig(k.path, server, k.user, "system:masters"); err != nil {
			return fail("kubeconfig: %v", err)
		}
	}

	exited := make(chan string, 8)
	go func() {
		for r := range exited {
			stopCh <- r
		}
	}()

	say("starting kube-apiserver on %s", server)
	running = append(running, run("kube-apiserver", exited, func(ctx context.Context) error {
		return runAPIServer(ctx, ln, p, etcdURL, a.state)
	}))

	client, err := newClient(a.internalKubeconfig)
	if err != nil {
		return fail("client: %v", err)
	}
	if err := waitFor(ctx, "kube-apiserver /readyz", func(ctx context.Context) (bool, string) {
		return apiReady(ctx, client)
	}); err != nil {
		return fail("%v", err)
	}
	say("kube-apiserver ready (%s)", since())

	if a.simulateNode {
		say("creating node %s", nodeName)
		if err := createNode(ctx, client); err != nil {
			return fail("node: %v", err)
		}
	}

	say("starting kube-controller-manager")
	running = append(running, run("kube-controller-manager", exited, func(ctx context.Context) error {
		return runControllerManager(ctx, filepath.Join(a.state, "kube-controller-manager.kubeconfig"), p)
	}))
	say("starting kube-scheduler")
	running = append(running, run("kube-scheduler", exited, func(ctx context.Context) error {
		return runScheduler(ctx, filepath.Join(a.state, "kube-scheduler.kubeconfig"))
	}))
	if a.simulateNode {
		say("starting kwok")
		running = append(running, run("kwok", exited, func(ctx context.Context) error {
			return runKwok(ctx, filepath.Join(a.state, "kwok.kubeconfig"), a.logw)
		}))
		if err := waitFor(ctx, "node "+nodeName+" Ready", func(ctx context.Context) (bool, string) {
			return nodeReady(ctx, client)
		}); err != nil {
			return fail("%v", err)
		}
		say("node %s Ready (%s)", nodeName, since())
	}
	if err := waitFor(ctx, "serviceaccount default/default", func(ctx context.Context) (bool, string) {
		return defaultSAExists(ctx, client)
	}); err != nil {
		return fail("%v", err)
	}
	say("serviceaccount default/default exists (%s)", since())

	// Written last so that its existence means "usable".
	if err := copyFile(a.internalKubeconfig, a.kubeconfig); err != nil {
		return fail("kubeconfig: %v", err)
	}
	close(readyCh)
	say("ready kubeconfig=%s", a.kubeconfig)

	reason := <-stopCh
	say("stopping: %s", reason)
	done := make(chan struct{})
	go func() {
		stopAll()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		say("shutdown took longer than 60s, exiting anyway")
	}
	if strings.Contains(reason, "unexpectedly") {
		return 1
	}
	return 0
}

func waitFor(ctx context.Context, what string, check func(context.Context) (bool, string)) error {
	say("waiting for %s", what)
	lastSaid := time.Now()
	detail := ""
	for {
		ok, d := check(ctx)
		if ok {
			return nil
		}
		if d != "" {
			detail = d
		}
		if time.Since(lastSaid) >= 5*time.Second {
			lastSaid = time.Now()
			say("still waiting for %s (%s) %s", what, since(), detail)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gave up waiting for %s after %s (%v); last status: %s", what, since(), context.Cause(ctx), detail)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// watchParent polls the parent pid: when the parent dies the process is
// re-parented, so a changed parent pid means the caller is gone.
func watchParent(stopCh chan<- string) {
	ppid := os.Getppid()
	if ppid <= 1 {
		return
	}
	go func() {
		for range time.Tick(time.Second) {
			if os.Getppid() != ppid {
				stopCh <- fmt.Sprintf("parent process %d exited", ppid)
				return
			}
		}
	}()
}

func tailLog(path string, n int) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1024*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	fmt.Fprintf(os.Stderr, "---- last %d lines of %s ----\n", len(lines), path)
	for _, l := range lines {
		fmt.Fprintln(os.Stderr, l)
	}
	fmt.Fprintln(os.Stderr, "----")
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// runningPid reports the pid in pidFile if that process is still a localplane.
func runningPid(pidFile string) (int, bool) {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	// Guard against a recycled pid belonging to something else.
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !strings.Contains(string(cmdline), "localplane") {
		return 0, false
	}
	return pid, true
}

func down(args []string) int {
	fs := flag.NewFlagSet("down", flag.ExitOnError)
	dir := fs.String("dir", "", "directory given to up (required)")
	timeout := fs.Duration("timeout", 60*time.Second, "how long to wait for a clean exit")
	_ = fs.Parse(args)
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "localplane down: --dir is required")
		return 2
	}
	pid, ok := runningPid(filepath.Join(*dir, "localplane.pid"))
	if !ok {
		say("not running in %s", *dir)
		return 0
	}
	say("sending SIGTERM to pid %d", pid)
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		fmt.Fprintln(os.Stderr, "localplane down:", err)
		return 1
	}
	deadline := time.Now().Add(*timeout)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			say("stopped")
			return 0
		}
		if _, ok := runningPid(filepath.Join(*dir, "localplane.pid")); !ok {
			// The pid file is removed last, right before exit.
			time.Sleep(200 * time.Millisecond)
			say("stopped")
			return 0
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "localplane down: pid %d still running after %s\n", pid, *timeout)
	return 1
}
