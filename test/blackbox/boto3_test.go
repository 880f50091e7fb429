package blackbox

import (
	"path/filepath"
	"testing"
)

// TestBoto3 runs python/kinesis_session.py with boto3 against one server,
// over HTTP and over HTTPS with eddy's self-signed certificate as the CA
// bundle. boto3 speaks HTTP/1.1.
func TestBoto3(t *testing.T) {
	t.Parallel()
	python := clientBinary(t, "EDDY_PYTHON", "python3")
	// A 12-digit access key id selects that account.
	id := identity{AccessKey: "123456789012", Region: "us-west-2", Account: "123456789012"}
	env := clientEnv(t, id)
	if r := runClient(t, env, "", python, "-c", "import boto3"); r.Code != 0 {
		missing(t, "%s cannot import boto3 (Debian: python3-boto3): %s", python, r.Stderr)
	}
	script, err := filepath.Abs(filepath.Join("python", "kinesis_session.py"))
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t)

	for _, c := range []struct {
		name, prefix string
		args         []string
	}{
		{"http", "boto3-http", []string{"--endpoint", srv.URL}},
		{"https", "boto3-https", []string{"--endpoint", srv.TLSURL, "--ca-bundle", srv.CertFile}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runClient(t, env, "", python, append([]string{script, "--prefix", c.prefix}, c.args...)...)
			if r.Code != 0 {
				t.Fatalf("kinesis_session.py failed: %s", r)
			}
			t.Logf("boto3 session took %s", r.Took.Round(1e6))
			var s session
			decodeJSON(t, "kinesis_session.py", r.Stdout, &s)
			checkSession(t, s, c.prefix, id)
		})
	}
}
