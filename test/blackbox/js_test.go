package blackbox

import (
	"os"
	"path/filepath"
	"testing"
)

// TestJavaScriptSDK runs js/kinesis_session.mjs with the AWS SDK for
// JavaScript v3 against one server, once per transport: the client's
// default NodeHttp2Handler over cleartext HTTP/2 (h2c, prior knowledge) and
// over TLS (ALPN h2), a NodeHttp2Handler that multiplexes requests on one
// session, and NodeHttpHandler (HTTP/1.1). The script reports the protocol
// of every HTTP/2 session it opened, so the test knows which transport
// really carried the requests.
func TestJavaScriptSDK(t *testing.T) {
	t.Parallel()
	node := clientBinary(t, "EDDY_NODE", "node")
	id := identity{AccessKey: "AKIAEDDYBLACKBOX", Region: "eu-west-1", Account: "000000000000"}
	env := clientEnv(t, id)
	r := runClient(t, env, "", node, "--version")
	if v := majorVersion(r.Stdout); r.Code != 0 || v < 20 {
		missing(t, "%s --version = %q: the AWS SDK for JavaScript v3 needs Node.js 20 or later", node, r.Stdout)
	}
	dir, err := filepath.Abs("js")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-kinesis")); err != nil {
		missing(t, "@aws-sdk/client-kinesis is not installed: run `npm ci` in test/blackbox/js")
	}
	srv := startServer(t)

	for _, c := range []struct {
		name, endpoint, handler string
		protocol                string // of every HTTP/2 session; "" for HTTP/1.1
		wantHandler             string
	}{
		{"h2c-default", srv.URL, "default", "h2c", "h2"},
		{"h2-tls-default", srv.TLSURL, "default", "h2", "h2"},
		{"h2-tls-shared", srv.TLSURL, "h2-shared", "h2", "h2"},
		{"http1", srv.URL, "http1", "", "http/1.1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			prefix := "js-" + c.name
			runEnv := append(env[:len(env):len(env)], "NODE_EXTRA_CA_CERTS="+srv.CertFile)
			r := runClient(t, runEnv, dir, node, "kinesis_session.mjs", "--endpoint", c.endpoint, "--prefix", prefix, "--handler", c.handler)
			if r.Code != 0 {
				t.Fatalf("kinesis_session.mjs failed: %s", r)
			}
			t.Logf("JavaScript session took %s", r.Took.Round(1e6))
			var s session
			decodeJSON(t, "kinesis_session.mjs", r.Stdout, &s)
			checkSession(t, s, prefix, id)

			if s.Handler != c.wantHandler || s.HTTP2Sessions == nil {
				t.Fatalf("request handler %q, HTTP/2 sessions %v; want %q", s.Handler, s.HTTP2Sessions, c.wantHandler)
			}
			h := s.HTTP2Sessions
			if c.protocol == "" {
				if h.Count != 0 {
					t.Errorf("HTTP/1.1 handler opened %d HTTP/2 sessions", h.Count)
				}
				return
			}
			if h.Count == 0 || len(h.Protocols) != h.Count {
				t.Errorf("%d HTTP/2 sessions opened, %d connected (%v)", h.Count, len(h.Protocols), h.Protocols)
			}
			for _, p := range h.Protocols {
				if p != c.protocol {
					t.Errorf("an HTTP/2 session negotiated %q, want %q (all: %v)", p, c.protocol, h.Protocols)
					break
				}
			}
			// The shared handler multiplexes: far fewer sessions than the
			// 80-odd requests of a session.
			if c.handler == "h2-shared" && h.Count > 5 {
				t.Errorf("the shared HTTP/2 handler opened %d sessions, want a few", h.Count)
			}
		})
	}
}
