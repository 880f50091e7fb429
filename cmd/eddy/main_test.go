package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Black-box tests: they build the eddy binary once and run it.

var eddyBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "eddy-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	eddyBin = filepath.Join(dir, "eddy")
	build := exec.Command("go", "build", "-o", eddyBin, "-ldflags", "-X main.version=v0.0.0-test -X main.commit=feedbeef", ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building eddy:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cleanEnv is the environment without inherited AWS settings.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}

// runEddy runs a command that is expected to exit on its own.
func runEddy(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(eddyBin, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), o.String(), e.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, o.String(), e.String()
}

// eddyProc is a running `eddy serve`.
type eddyProc struct {
	t        *testing.T
	cmd      *exec.Cmd
	lines    chan map[string]any // JSON log lines, closed at exit
	exited   chan struct{}
	http     string // http://host:port of the h2c listener
	https    string
	certFile string
	seen     []map[string]any
}

// startEddy runs `eddy serve` on free ports with JSON logs and waits until
// it says it is ready.
func startEddy(t *testing.T, dir string, args ...string) *eddyProc {
	t.Helper()
	args = append([]string{"serve", "--log-format", "json", "--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0"}, args...)
	cmd := exec.Command(eddyBin, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	return attach(t, cmd)
}

// until yields log lines up to and including the one whose msg is msg.
func (p *eddyProc) until(t *testing.T, msg string) func(func(map[string]any) bool) {
	return func(yield func(map[string]any) bool) {
		timeout := time.After(20 * time.Second)
		for {
			select {
			case m, ok := <-p.lines:
				if !ok {
					t.Fatalf("eddy exited before logging %q; log: %v", msg, p.seen)
				}
				p.seen = append(p.seen, m)
				if !yield(m) || m["msg"] == msg {
					return
				}
			case <-timeout:
				t.Fatalf("eddy did not log %q in time; log: %v", msg, p.seen)
			}
		}
	}
}

// stop sends sig and returns the exit code.
func (p *eddyProc) stop(sig syscall.Signal) int {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	for m := range p.lines {
		p.seen = append(p.seen, m)
	}
	err := p.cmd.Wait()
	close(p.exited)
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		p.t.Fatal(err)
	}
	return 0
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestVersion(t *testing.T) {
	code, out, _ := runEddy(t, t.TempDir(), "version")
	if code != 0 || !strings.HasPrefix(out, "eddy v0.0.0-test (commit feedbeef, go1.") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unknownYAML := write("unknown.yaml", "server:\n  listen: 127.0.0.1:0\n  lissten: x\n")
	unknownTOML := write("unknown.toml", "[server]\nlisten = \"127.0.0.1:0\"\n[storage]\ndta = \"x\"\n")
	badValue := write("bad.yaml", "log:\n  level: loud\n")
	badDuration := write("dur.toml", "[server]\nshutdown_timeout = \"soon\"\n")
	cases := []struct {
		args []string
		want string // in the single stderr line
	}{
		{[]string{}, ""},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"serve", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"serve", "extra"}, `unexpected argument "extra"`},
		{[]string{"serve", "--log-level", "loud"}, `log level "loud"`},
		{[]string{"serve", "--log-format", "xml"}, `log format "xml"`},
		{[]string{"serve", "--listen", "nonsense"}, `listen address "nonsense"`},
		{[]string{"serve", "--listen", "", "--tls-listen", ""}, "nothing to serve on"},
		{[]string{"serve", "--tls-cert", "c.pem"}, "tls-cert and tls-key must be given together"},
		{[]string{"serve", "--shutdown-timeout", "-1s"}, "shutdown timeout"},
		{[]string{"serve", "--memory-limit", "1000"}, "memory limit 1000"},
		{[]string{"serve", "--config", filepath.Join(dir, "missing.yaml")}, "config file"},
		{[]string{"serve", "--config", write("c.json", "{}")}, "must end in .yaml, .yml or .toml"},
		{[]string{"serve", "--config", unknownYAML}, "lissten"},
		{[]string{"serve", "--config", unknownTOML}, "unknown setting storage.dta"},
		{[]string{"serve", "--config", badValue}, `log level "loud"`},
		{[]string{"serve", "--config", badDuration}, `invalid duration "soon"`},
		{[]string{"version", "x"}, `unexpected argument "x"`},
		{[]string{"help", "nope"}, `unknown command "nope"`},
	}
	for _, c := range cases {
		code, _, stderr := runEddy(t, dir, c.args...)
		if code != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %q)", c.args, code, stderr)
			continue
		}
		if c.want == "" {
			continue // bare eddy prints the usage
		}
		if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: stderr %q, want one line containing %q", c.args, stderr, c.want)
		}
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"help", "serve"}, {"serve", "-h"}, {"serve", "--help"}} {
		code, out, stderr := runEddy(t, dir, args...)
		if code != 0 || !strings.Contains(out, "Usage:") || stderr != "" {
			t.Errorf("%q: %d %q %q", args, code, out, stderr)
		}
	}
	if _, out, _ := runEddy(t, dir, "help", "serve"); !strings.Contains(out, "-tls-listen") {
		t.Errorf("serve help lacks flags:\n%s", out)
	}
}

func TestServeLifecycle(t *testing.T) {
	dir := t.TempDir()
	p := startEddy(t, dir)
	if p.http == "" || p.https == "" {
		t.Fatalf("listeners: %q %q", p.http, p.https)
	}
	if code, _ := get(t, p.http+"/healthz"); code != 200 {
		t.Errorf("healthz %d", code)
	}
	if code, _ := get(t, p.http+"/readyz"); code != 200 {
		t.Errorf("readyz %d", code)
	}
	if code, body := get(t, p.http+"/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "eddy-data", "LOCK")); err != nil {
		t.Errorf("default data directory: %v", err)
	}

	// A second server on the same directory fails at once, in one line.
	code, _, stderr := runEddy(t, dir, "serve", "--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0")
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, filepath.Join(dir, "eddy-data")) || !strings.Contains(stderr, "in use") {
		t.Errorf("second server: %d %q", code, stderr)
	}
	// The first one is unaffected.
	if code, _ := get(t, p.http+"/healthz"); code != 200 {
		t.Errorf("healthz after the second server: %d", code)
	}

	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("SIGTERM: exit %d; log %v", code, p.seen)
	}
	if last := p.seen[len(p.seen)-1]; last["msg"] != "stopped" {
		t.Errorf("last log line %v", last)
	}
	// The lock is released: the directory can be served again.
	p = startEddy(t, dir)
	if code := p.stop(syscall.SIGINT); code != 0 {
		t.Errorf("SIGINT: exit %d", code)
	}
}

func TestConfigFilePrecedence(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, content string }{
		{"eddy.yaml", "server:\n  listen: 127.0.0.1:0\n  tls_listen: \"\"\n  shutdown_timeout: 5s\nstorage:\n  data: from-file\nlog:\n  format: json\n  level: debug\n"},
		{"eddy.toml", "[server]\nlisten = \"127.0.0.1:0\"\ntls_listen = \"\"\nshutdown_timeout = \"5s\"\n[storage]\ndata = \"from-file\"\n[log]\nformat = \"json\"\nlevel = \"debug\"\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := filepath.Join(dir, c.name)
			os.WriteFile(cfg, []byte(c.content), 0o644)
			// The file's values apply: its data directory, no TLS listener.
			cmd := exec.Command(eddyBin, "serve", "--config", cfg)
			cmd.Dir = dir
			cmd.Env = cleanEnv()
			p := attach(t, cmd)
			if p.https != "" || p.http == "" {
				t.Errorf("listeners from file: %q %q", p.http, p.https)
			}
			if _, err := os.Stat(filepath.Join(dir, "from-file", "LOCK")); err != nil {
				t.Errorf("data directory from file: %v", err)
			}
			p.stop(syscall.SIGTERM)

			// Flags override the file.
			cmd = exec.Command(eddyBin, "serve", "--config", cfg, "--data", "from-flag", "--log-format", "json")
			cmd.Dir = dir
			cmd.Env = cleanEnv()
			p = attach(t, cmd)
			if _, err := os.Stat(filepath.Join(dir, "from-flag", "LOCK")); err != nil {
				t.Errorf("data directory from flag: %v", err)
			}
			p.stop(syscall.SIGTERM)
		})
	}
}

// attach starts cmd (which must log JSON) and waits until it is ready.
func attach(t *testing.T, cmd *exec.Cmd) *eddyProc {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &eddyProc{t: t, cmd: cmd, lines: make(chan map[string]any, 100), exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				m = map[string]any{"msg": "non-JSON line", "line": sc.Text()}
			}
			p.lines <- m
		}
		close(p.lines)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	for m := range p.until(t, "ready") {
		if m["msg"] == "listening" {
			addr, _ := m["addr"].(string)
			if cert, ok := m["certificate"].(string); ok {
				p.https, p.certFile = "https://"+addr, cert
			} else {
				p.http = "http://" + addr
			}
		}
	}
	return p
}

func TestTLSAndH2C(t *testing.T) {
	dir := t.TempDir()
	p := startEddy(t, dir, "--tls-name", "eddy.test")
	wantCert := filepath.Join(dir, "eddy-data", "tls", "cert.pem")
	if p.certFile != wantCert {
		t.Errorf("certificate %q, want %q", p.certFile, wantCert)
	}
	created := false
	for _, m := range p.seen {
		if m["msg"] == "created self-signed TLS certificate" {
			created = true
		}
	}
	if !created {
		t.Error("no log line about creating the certificate")
	}
	first, err := os.ReadFile(wantCert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(first)

	h2 := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}, ForceAttemptHTTP2: true}
	h2c := &http.Transport{Protocols: new(http.Protocols)}
	h2c.Protocols.SetUnencryptedHTTP2(true)
	for _, c := range []struct {
		name string
		tr   *http.Transport
		url  string
	}{{"h2c", h2c, p.http}, {"TLS h2", h2, p.https}} {
		req, _ := http.NewRequest("POST", c.url+"/", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00")
		req.Header.Set("X-Amz-Date", "20240101T000000Z")
		res, err := (&http.Client{Transport: c.tr}).Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		c.tr.CloseIdleConnections()
		if res.ProtoMajor != 2 || res.StatusCode != 200 || !strings.HasPrefix(string(b), `{"StreamNames":[],"HasMoreStreams":false`) ||
			res.Header.Get("Content-Type") != "application/x-amz-json-1.1" || res.Header.Get("X-Amzn-Requestid") == "" {
			t.Errorf("%s: %s %d %v %s", c.name, res.Proto, res.StatusCode, res.Header, b)
		}
	}
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit %d", code)
	}

	// The certificate is reused on the next start.
	p = startEddy(t, dir, "--tls-name", "eddy.test")
	for _, m := range p.seen {
		if m["msg"] == "created self-signed TLS certificate" || m["msg"] == "replacing self-signed TLS certificate" {
			t.Errorf("certificate made again: %v", m)
		}
	}
	if again, _ := os.ReadFile(wantCert); !bytes.Equal(first, again) {
		t.Error("certificate changed between starts")
	}
	p.stop(syscall.SIGTERM)
}
