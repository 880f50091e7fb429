// Package testenv runs a complete eddy node in-process for end-to-end tests:
// the real log store and catalog in a temporary directory, the real HTTP
// server (HTTP/1.1, h2c and TLS) on loopback ports, and an aws-sdk-go-v2
// Kinesis client pointed at it with dummy credentials. Only tests import it.
package testenv

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/node"
	"github.com/eddy-streams/eddy/internal/server"
)

// Options adjust the environment.
type Options struct {
	// Clock, when set, drives the node (use clock.Fake for time-dependent
	// tests). Default: the real clock.
	Clock clock.Clock
	// Configure, when set, changes the node's configuration before it opens
	// (Data is already set).
	Configure func(*node.Config)
	// Data reuses a data directory (to test restarts); default a new
	// t.TempDir().
	Data string
	// AccessKeyID for the client; default "AKIDEXAMPLE" (account
	// 000000000000). A 12-digit id selects that account.
	AccessKeyID string
	// Region for the client; default us-east-1.
	Region string
}

// Env is a running node with a client.
type Env struct {
	T       testing.TB
	Node    *node.Node
	Server  *server.Server
	URL     string // http://127.0.0.1:PORT (HTTP/1.1 and h2c)
	TLSURL  string // https://127.0.0.1:PORT
	Kinesis *kinesis.Client
	Data    string
	Metrics *metrics.Set
	opts    Options
	closed  bool
}

// Start runs a node and registers its shutdown with t.Cleanup.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	ClearAWSEnv(t)
	if opts.Data == "" {
		opts.Data = t.TempDir()
	}
	if opts.AccessKeyID == "" {
		opts.AccessKeyID = "AKIDEXAMPLE"
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	cfg := node.Config{Data: opts.Data, Clock: opts.Clock}
	cfg.Streams.CreateDelay, cfg.Streams.DeleteDelay, cfg.Streams.UpdateDelay = time.Millisecond, time.Millisecond, time.Millisecond
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("EDDY_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	set := metrics.NewSet()
	n, err := node.Open(cfg, log, set)
	if err != nil {
		t.Fatalf("open node: %v", err)
	}
	h, err := awsproto.NewHandler(awsproto.HandlerOptions{Logger: log, Metrics: set}, n.Services()...)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{Listen: "127.0.0.1:0", TLSListen: "127.0.0.1:0", CertDir: opts.Data + "/tls", API: h, Logger: log, Metrics: set,
		// Event streams (SubscribeToShard) would hold shutdown for minutes.
		OnShutdown: []func(){h.EndStreams}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	e := &Env{T: t, Node: n, Server: srv, URL: "http://" + srv.Addr().String(), TLSURL: "https://" + srv.TLSAddr().String(), Data: opts.Data, Metrics: set, opts: opts}
	e.Kinesis = e.Client(nil)
	t.Cleanup(e.Close)
	return e
}

// Client returns a Kinesis client for the env; change may adjust options.
func (e *Env) Client(change func(*kinesis.Options)) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:           e.opts.Region,
		BaseEndpoint:     aws.String(e.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(e.opts.AccessKeyID, "secret", ""),
		HTTPClient:       &http.Client{Timeout: 30 * time.Second},
		RetryMaxAttempts: 1,
	}, func(o *kinesis.Options) {
		if change != nil {
			change(o)
		}
	})
}

// ClosedConnRetryer retries a call only when the client's own connection
// was closed under it. net/http's transport can close a connection while
// the SDK reads a response that has already arrived (aws-sdk-go-v2 issue
// #2737; fast local servers make it likelier), and the SDK's answer is to
// retry net.ErrClosed. Everything else is returned at once, so tests see
// server errors (throttles included) as they are.
func ClosedConnRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.RateLimiter = ratelimit.None
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			if errors.Is(err, net.ErrClosed) {
				return aws.TrueTernary
			}
			return aws.FalseTernary
		})}
	})
}

// Close shuts the server and the node down (idempotent).
func (e *Env) Close() {
	if e.closed {
		return
	}
	e.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Server.Shutdown(ctx); err != nil {
		e.T.Errorf("server shutdown: %v", err)
	}
	if err := e.Node.Close(); err != nil {
		e.T.Errorf("node close: %v", err)
	}
}

// Restart closes the node and opens a new one on the same data directory.
func (e *Env) Restart() *Env {
	e.Close()
	opts := e.opts
	opts.Data = e.Data
	return Start(e.T, opts)
}

// Call posts a raw request body to operation op (X-Amz-Target
// Kinesis_20131202.op) with content type ct, signed with a dummy SigV4
// header, and returns the status and body.
func (e *Env) Call(op, ct string, body []byte) (int, []byte) {
	e.T.Helper()
	req, _ := http.NewRequest("POST", e.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+e.opts.AccessKeyID+"/20240101/"+e.opts.Region+"/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("call %s: %v", op, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// InsecureTLS is an HTTP client for the self-signed TLS listener.
func InsecureTLS() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}}
}

// ClearAWSEnv unsets inherited AWS_* variables for the test, so that a
// developer's profile, CA bundle or endpoint cannot leak into tests.
func ClearAWSEnv(t testing.TB) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}
