package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"golang.org/x/net/http2"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/clock"
)

const unknownOp = `{"__type":"UnknownOperationException"}`

func start(t *testing.T, o Options) *Server {
	t.Helper()
	if o.API == nil {
		h, err := awsproto.NewHandler(awsproto.HandlerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		o.API = h
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.CertDir == "" {
		o.CertDir = filepath.Join(t.TempDir(), "tls")
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s
}

func apiRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	r, err := http.NewRequest("POST", url, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
	return r
}

func checkUnknown(t *testing.T, name string, c *http.Client, url string, wantProto int) {
	t.Helper()
	// Idle HTTP/2 connections would make the server's graceful shutdown
	// wait for the client to answer its GOAWAY.
	defer c.CloseIdleConnections()
	res, err := c.Do(apiRequest(t, url))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 400 || string(b) != unknownOp {
		t.Errorf("%s: %d %s", name, res.StatusCode, b)
	}
	if res.ProtoMajor != wantProto {
		t.Errorf("%s: answered over %s", name, res.Proto)
	}
}

func TestH2CAndHTTP1OnOnePort(t *testing.T) {
	s := start(t, Options{})
	url := "http://" + s.Addr().String() + "/"

	checkUnknown(t, "http/1.1", &http.Client{}, url, 1)

	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	checkUnknown(t, "net/http h2c", &http.Client{Transport: tr}, url, 2)

	xnet := &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	checkUnknown(t, "x/net/http2 h2c", &http.Client{Transport: xnet}, url, 2)

	if curl, err := exec.LookPath("curl"); err == nil {
		out, err := exec.Command(curl, "-s", "-i", "--http2-prior-knowledge",
			"-H", "Content-Type: application/x-amz-json-1.1", "-H", "X-Amz-Target: Kinesis_20131202.ListStreams",
			"--data", "{}", url).CombinedOutput()
		if err != nil {
			t.Fatalf("curl: %v\n%s", err, out)
		}
		if !bytes.HasPrefix(out, []byte("HTTP/2 400")) || !bytes.HasSuffix(out, []byte(unknownOp)) {
			t.Errorf("curl --http2-prior-knowledge:\n%s", out)
		}
	} else {
		t.Log("curl not installed; skipped its h2c check")
	}
}

func tlsClient(t *testing.T, certFile string, forceHTTP1 bool) *http.Client {
	t.Helper()
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("no certificate in", certFile)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, Protocols: new(http.Protocols)}
	tr.Protocols.SetHTTP1(true)
	if !forceHTTP1 {
		tr.Protocols.SetHTTP2(true)
	}
	return &http.Client{Transport: tr}
}

func TestTLSSelfSigned(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	s := start(t, Options{TLSListen: "127.0.0.1:0", CertDir: dir, TLSNames: []string{"eddy.test", "10.1.2.3"}})
	if s.CertFile() != filepath.Join(dir, CertFileName) {
		t.Fatalf("cert file %q", s.CertFile())
	}
	if fi, err := os.Stat(filepath.Join(dir, KeyFileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	port := s.TLSAddr().(*net.TCPAddr).Port
	for _, host := range []string{"localhost", "127.0.0.1"} {
		url := "https://" + net.JoinHostPort(host, itoa(port)) + "/"
		checkUnknown(t, "h2 via "+host, tlsClient(t, s.CertFile(), false), url, 2)
		checkUnknown(t, "http/1.1 via "+host, tlsClient(t, s.CertFile(), true), url, 1)
	}
	c, err := tls.LoadX509KeyPair(s.CertFile(), filepath.Join(dir, KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	leaf := c.Leaf
	if err := leaf.VerifyHostname("eddy.test"); err != nil {
		t.Error(err)
	}
	if err := leaf.VerifyHostname("10.1.2.3"); err != nil {
		t.Error(err)
	}
	if err := leaf.VerifyHostname("::1"); err != nil {
		t.Error(err)
	}
}

func TestSelfSignedReuseAndRenewal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	fake := clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	api := http.NotFoundHandler()
	mk := func(names ...string) []byte {
		t.Helper()
		s, err := New(Options{API: api, TLSListen: "127.0.0.1:0", CertDir: dir, TLSNames: names, Clock: fake})
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(s.CertFile())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := mk()
	if again := mk(); !bytes.Equal(first, again) {
		t.Error("certificate not reused")
	}
	withName := mk("eddy.test")
	if bytes.Equal(first, withName) {
		t.Error("certificate not replaced for a new name")
	}
	if again := mk("eddy.test"); !bytes.Equal(withName, again) {
		t.Error("certificate with the name not reused")
	}
	fake.Advance(certLifetime - renewBefore + time.Hour)
	if renewed := mk("eddy.test"); bytes.Equal(withName, renewed) {
		t.Error("certificate near expiry not renewed")
	}
	// A damaged file is replaced, not fatal.
	os.WriteFile(filepath.Join(dir, CertFileName), []byte("garbage"), 0o644)
	if fixed := mk(); bytes.Contains(fixed, []byte("garbage")) {
		t.Error("damaged certificate kept")
	}
}

func TestConfiguredCertificate(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM, err := selfSigned([]string{"localhost"}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cf, kf := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	os.WriteFile(cf, certPEM, 0o644)
	os.WriteFile(kf, keyPEM, 0o600)
	s := start(t, Options{TLSListen: "127.0.0.1:0", TLSCertFile: cf, TLSKeyFile: kf, CertDir: filepath.Join(dir, "unused")})
	if s.CertFile() != cf {
		t.Errorf("cert file %q", s.CertFile())
	}
	if _, err := os.Stat(filepath.Join(dir, "unused")); !errors.Is(err, os.ErrNotExist) {
		t.Error("self-signed certificate made although one was configured")
	}
	if _, err := New(Options{API: http.NotFoundHandler(), TLSListen: ":0", TLSCertFile: cf}); err == nil {
		t.Error("certificate without key accepted")
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	var ready atomic.Bool
	set := metrics.NewSet()
	set.NewCounter(`eddy_test_total`).Add(3)
	s := start(t, Options{Ready: ready.Load, Metrics: set})
	base := "http://" + s.Addr().String()
	get := func(path string) (int, string) {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("healthz %d", code)
	}
	if code, _ := get("/readyz"); code != 503 {
		t.Errorf("readyz before ready: %d", code)
	}
	ready.Store(true)
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("readyz when ready: %d", code)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "eddy_test_total 3") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics %d:\n%s", code, body)
	}
	// Other GETs belong to the API, which answers them as AWS does.
	if code, body := get("/whatever"); code != 403 || !strings.Contains(body, "AccessDeniedException") {
		t.Errorf("GET /whatever: %d %s", code, body)
	}
	// POST /healthz is an API request too.
	res, err := http.Post(base+"/healthz", "application/x-amz-json-1.1", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Errorf("POST /healthz: %d", res.StatusCode)
	}
}

func TestGracefulShutdown(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	var hooks atomic.Int32
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "done")
	})
	s := start(t, Options{API: api, OnShutdown: []func(){func() { hooks.Add(1) }}})
	url := "http://" + s.Addr().String() + "/"
	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		res, err := http.Post(url, "text/plain", nil)
		if err != nil {
			got <- result{err: err}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got <- result{body: string(b)}
	}()
	<-entered
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	// Shutdown must wait for the in-flight request.
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned while a request was in flight: %v", err)
	case r := <-got:
		t.Fatalf("request finished early: %+v", r)
	default:
	}
	close(release)
	if r := <-got; r.err != nil || r.body != "done" {
		t.Errorf("in-flight request: %+v", r)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if hooks.Load() != 1 {
		t.Errorf("OnShutdown ran %d times", hooks.Load())
	}
	if _, err := http.Get(url + "healthz"); err == nil {
		t.Error("still accepting after Shutdown")
	}
}

func TestShutdownTimeout(t *testing.T) {
	entered := make(chan struct{})
	block := make(chan struct{})
	defer close(block)
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		select {
		case <-block:
		case <-r.Context().Done():
		}
	})
	s := start(t, Options{API: api})
	go http.Post("http://"+s.Addr().String()+"/", "text/plain", nil)
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no time at all for in-flight requests
	if err := s.Shutdown(ctx); err == nil || !strings.Contains(err.Error(), "did not finish") {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestStartErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s, err := New(Options{API: http.NotFoundHandler(), Listen: ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("Start on a busy port: %v", err)
	}
	if _, err := New(Options{API: http.NotFoundHandler()}); err == nil {
		t.Error("no listeners accepted")
	}
	if _, err := New(Options{Listen: ":0"}); err == nil {
		t.Error("no API accepted")
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func TestPprof(t *testing.T) {
	for _, on := range []bool{false, true} {
		s := start(t, Options{Pprof: on})
		res, err := http.Get("http://" + s.Addr().String() + "/debug/pprof/heap?debug=1")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		served := res.StatusCode == 200 && strings.Contains(string(b), "heap profile")
		if served != on {
			t.Errorf("Pprof %v: GET /debug/pprof/heap answered %d %.80q", on, res.StatusCode, b)
		}
	}
}
