package blackbox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// server is one running `eddy serve` process.
type server struct {
	URL      string // http://127.0.0.1:PORT (HTTP/1.1 and h2c)
	TLSURL   string // https://127.0.0.1:PORT
	CertFile string // the self-signed certificate the TLS listener serves
	Data     string

	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // cmd.Wait's result, set before exited is closed

	mu     sync.Mutex
	lines  []string // the server's log, one JSON object a line
	errors []string // log lines at level ERROR

	stopOnce sync.Once
}

// startServer runs eddy on loopback ports chosen by the kernel, in a new
// data directory, with streams that become ACTIVE (and disappear) at once.
// args are extra serve flags; a flag given again overrides the default.
// The server is stopped with SIGTERM when the test ends, and the test fails
// if it does not exit cleanly or logged an error.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	if err := noteInputs(); err != nil {
		t.Fatal(err)
	}
	s := &server{Data: t.TempDir(), exited: make(chan struct{})}
	all := append([]string{"serve",
		"--data", s.Data,
		"--listen", "127.0.0.1:0",
		"--tls-listen", "127.0.0.1:0",
		"--log-format", "json",
		"--create-delay", "0s",
		"--delete-delay", "0s",
	}, args...)
	s.cmd = exec.Command(eddyBin, all...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stdout = io.Discard
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting eddy: %v", err)
	}

	// The kernel picks the ports; the server logs where it listens.
	addrs := make(chan map[string]string, 1)
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		s.readLog(stderr, addrs)
	}()
	go func() {
		<-logDone // Wait closes the pipe: read it all first
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() { s.stop(t) })

	select {
	case a := <-addrs:
		s.URL = "http://" + a["plain"]
		s.TLSURL = "https://" + a["tls"]
		s.CertFile = a["cert"]
	case <-s.exited:
		t.Fatalf("eddy exited before listening: %v\n%s", s.err, s.log())
	case <-time.After(30 * time.Second):
		t.Fatalf("eddy did not listen within 30s\n%s", s.log())
	}
	s.waitReady(t)
	return s
}

// readLog keeps the server's log and reports the listening addresses once
// both listeners are up.
func (s *server) readLog(r io.Reader, addrs chan<- map[string]string) {
	found := map[string]string{}
	sent := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var rec struct {
			Level, Msg, Addr, Protocols, Certificate string
		}
		_ = json.Unmarshal([]byte(line), &rec) // a non-JSON line is kept as is
		s.mu.Lock()
		s.lines = append(s.lines, line)
		if rec.Level == "ERROR" {
			s.errors = append(s.errors, line)
		}
		s.mu.Unlock()
		if rec.Msg == "listening" {
			if strings.Contains(rec.Protocols, "TLS") {
				found["tls"], found["cert"] = rec.Addr, rec.Certificate
			} else {
				found["plain"] = rec.Addr
			}
		}
		if !sent && found["plain"] != "" && found["tls"] != "" {
			addrs <- found
			sent = true
		}
	}
}

// waitReady polls /readyz until recovery is done.
func (s *server) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(s.URL + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("eddy exited before it was ready: %v\n%s", s.err, s.log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("eddy not ready within 30s (last: %v)\n%s", err, s.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and checks for a clean exit and a log free of errors.
// A test that needs the server stopped (to look at its data directory)
// calls it; later calls do nothing.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.stopOnce.Do(func() { s.stopNow(t) })
}

func (s *server) stopNow(t *testing.T) {
	select {
	case <-s.exited:
		t.Errorf("eddy exited during the test: %v\n%s", s.err, s.log())
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		t.Errorf("eddy did not stop within 20s of SIGTERM\n%s", s.log())
		return
	}
	if s.err != nil {
		t.Errorf("eddy did not exit cleanly: %v\n%s", s.err, s.log())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errors) > 0 {
		t.Errorf("eddy logged errors:\n%s", strings.Join(s.errors, "\n"))
	}
	if t.Failed() {
		t.Logf("eddy's log:\n%s", strings.Join(s.lines, "\n"))
	}
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "\n")
}

// runResult is what a client process did.
type runResult struct {
	Stdout, Stderr string
	Code           int // exit status
	Took           time.Duration
}

// runClient runs a client binary with env and no shell, failing the test if
// it cannot be started or takes longer than two minutes.
func runClient(t *testing.T, env []string, dir, name string, args ...string) runResult {
	t.Helper()
	r, err := runProcess(env, dir, name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// runProcess is runClient for any goroutine: it returns what would fail
// the test as an error.
func runProcess(env []string, dir, name string, args ...string) (runResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir = env, dir
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := runResult{Stdout: stdout.String(), Stderr: stderr.String(), Took: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return r, fmt.Errorf("%s timed out: %s %s\nstderr:\n%s", name, name, strings.Join(args, " "), r.Stderr)
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	default:
		return r, fmt.Errorf("running %s: %w", name, err)
	}
	return r, nil
}

// decodeJSON decodes a client's JSON output or fails the test.
func decodeJSON(t *testing.T, what string, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%s: output is not the expected JSON (%v):\n%s", what, err, out)
	}
}

func (r runResult) String() string {
	return fmt.Sprintf("exit %d after %s\nstdout:\n%s\nstderr:\n%s", r.Code, r.Took.Round(time.Millisecond), r.Stdout, r.Stderr)
}
