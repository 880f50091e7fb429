// Package crash kills a real eddy process with SIGKILL while eddy bench
// writes to it, restarts it, and checks after every restart that every
// acknowledged record is present exactly once, in order and intact. The
// long version is bench/crash.sh; this one (5 kills) runs in `go test ./...`.
package crash

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/bench"
	"github.com/eddy-streams/eddy/internal/testenv"
)

var (
	kills = flag.Int("kills", 5, "number of SIGKILLs")
	seed  = flag.Uint64("seed", 0, "random seed (0: from the clock)")
)

func TestSIGKILLUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the eddy binary")
	}
	testenv.ClearAWSEnv(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "eddy")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := exec.Command(gobin, "build", "-o", bin, "github.com/eddy-streams/eddy/cmd/eddy")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building eddy: %v\n%s", err, out)
	}
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d", s)
	rng := rand.New(rand.NewPCG(s, 1))

	data := filepath.Join(dir, "data")
	srv := startServer(t, bin, data, dir)
	base := bench.Config{Endpoint: srv.url, Stream: "crash", Shards: 4, Producers: 4, Batch: 100, RecordSize: 200,
		Rate: 20000, RequestTimeout: 5 * time.Second, Keys: bench.KeyDist{Kind: "fixed", K: 16}}
	var ackLogs []string
	for i := range *kills {
		// Load, then SIGKILL at a random moment while it runs.
		ackLog := filepath.Join(dir, fmt.Sprintf("acks-%d", i))
		ackLogs = append(ackLogs, ackLog)
		cfg := base
		cfg.Mode, cfg.Duration, cfg.AckLog, cfg.ProducerBase = bench.ModePut, time.Hour, ackLog, uint32(i*100)
		ctx, stop := context.WithCancel(context.Background())
		type result struct {
			rep *bench.Report
			err error
		}
		done := make(chan result, 1)
		go func() {
			rep, err := bench.Run(ctx, cfg)
			done <- result{rep, err}
		}()
		time.Sleep(time.Duration(200+rng.IntN(600)) * time.Millisecond)
		srv.kill(t)
		stop()
		res := <-done
		if res.err != nil {
			t.Fatalf("kill %d: load: %v", i+1, res.err)
		}
		if res.rep.Put.Records == 0 {
			t.Fatalf("kill %d: no record was acknowledged before the kill: %+v", i+1, res.rep.Errors)
		}

		srv = startServer(t, bin, data, dir)
		base.Endpoint = srv.url
		ver := base
		ver.Mode, ver.AckLogs, ver.Rate = bench.ModeVerify, ackLogs, 0
		rep, err := bench.Run(context.Background(), ver)
		if err != nil {
			t.Fatalf("kill %d: verify: %v", i+1, err)
		}
		v := rep.Verify
		t.Logf("kill %d: %d records acknowledged in this run, %d lost responses; so far %d acknowledged, %d read back exactly once, %d written with lost responses",
			i+1, res.rep.Put.Records, res.rep.Put.AmbiguousRecords, v.Acknowledged, v.ExactlyOnce, v.UnacknowledgedPresent+v.RetryDuplicates)
		if !v.OK {
			for _, x := range v.Violations {
				t.Errorf("kill %d: %s", i+1, x)
			}
			t.Fatalf("kill %d: integrity violations %v (data directory kept at %s)", i+1, v.Counts, data)
		}
	}
	srv.kill(t)
}

type server struct {
	cmd *exec.Cmd
	url string
}

// startServer runs eddy on a free loopback port and waits until it is ready.
func startServer(t *testing.T, bin, data, dir string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logf, err := os.OpenFile(filepath.Join(dir, "server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve", "--data", data, "--listen", addr, "--tls-listen", "", "--create-delay", "0s", "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, url: "http://" + addr}
	t.Cleanup(func() { s.kill(t) })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(s.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
	t.Fatalf("eddy did not become ready:\n%s", log)
	return nil
}

// kill sends SIGKILL and reaps the process (idempotent).
func (s *server) kill(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	if err := s.cmd.Process.Kill(); err != nil {
		t.Logf("kill: %v", err)
	}
	s.cmd.Wait()
}
