package blackbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// identity is who a client says it is. eddy takes the account from a
// 12-digit access key id, else 000000000000, and the region from the
// signature's credential scope.
type identity struct {
	AccessKey, Region, Account string
}

// clientEnv is the environment every client runs in: the inherited one
// without anything that could point a client elsewhere (AWS_* settings,
// profiles, CA bundles, proxies, Node's extra CAs), plus dummy credentials
// and config files that do not exist. HOME is a fresh directory so that the
// CLI finds no ~/.aws and writes its caches there.
func clientEnv(t *testing.T, id identity, extra ...string) []string {
	t.Helper()
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "AWS_"), k == "HOME", k == "NODE_EXTRA_CA_CERTS",
			strings.EqualFold(k, "HTTP_PROXY"), strings.EqualFold(k, "HTTPS_PROXY"),
			strings.EqualFold(k, "ALL_PROXY"), strings.EqualFold(k, "NO_PROXY"):
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"HOME="+home,
		"AWS_ACCESS_KEY_ID="+id.AccessKey,
		"AWS_SECRET_ACCESS_KEY=eddy-blackbox-dummy-secret",
		"AWS_REGION="+id.Region,
		"AWS_DEFAULT_REGION="+id.Region,
		"AWS_CONFIG_FILE="+filepath.Join(home, "no-such-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "no-such-credentials"),
		"AWS_PAGER=",
		// Never ask an instance metadata service for anything.
		"AWS_EC2_METADATA_DISABLED=true",
		// One attempt: an error must show as itself, not after retries.
		"AWS_MAX_ATTEMPTS=1",
		"AWS_RETRY_MODE=standard",
	)
	return append(env, extra...)
}

// requireClients reports whether CI demands every client (a missing one
// fails instead of skipping).
func requireClients() bool { return os.Getenv("EDDY_BLACKBOX_REQUIRE") == "1" }

// missing skips the test, or fails it when clients are required.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if requireClients() {
		t.Fatalf("EDDY_BLACKBOX_REQUIRE=1 but "+format, args...)
	}
	t.Skipf(format+" (set EDDY_BLACKBOX_REQUIRE=1 to fail instead)", args...)
}

// clientBinary is $envVar if set, else name on PATH.
func clientBinary(t *testing.T, envVar, name string) string {
	t.Helper()
	if v := os.Getenv(envVar); v != "" {
		if _, err := exec.LookPath(v); err != nil {
			missing(t, "$%s=%s is not an executable: %v", envVar, v, err)
		}
		return v
	}
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s not found on PATH and $%s not set", name, envVar)
	}
	return p
}

var versionRE = regexp.MustCompile(`(\d+)\.(\d+)\.(\d+)`)

// majorVersion is the first x.y.z version's major number in s, or -1.
func majorVersion(s string) int {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// boto3Imports caches, by Python binary, whether it imports boto3 (the
// error text if not): each check costs half a second.
var boto3Imports sync.Map

// boto3Python is the Python that runs the boto3 scripts: $EDDY_PYTHON or
// python3, which must import boto3.
func boto3Python(t *testing.T, env []string) string {
	t.Helper()
	python := clientBinary(t, "EDDY_PYTHON", "python3")
	failure, ok := boto3Imports.Load(python)
	if !ok {
		r := runClient(t, env, "", python, "-c", "import boto3")
		msg := ""
		if r.Code != 0 {
			msg = r.Stderr
		}
		failure, _ = boto3Imports.LoadOrStore(python, msg)
	}
	if failure != "" {
		missing(t, "%s cannot import boto3 (Debian: python3-boto3): %s", python, failure)
	}
	return python
}

// script is the absolute path of a client script in this package.
func script(t *testing.T, parts ...string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
