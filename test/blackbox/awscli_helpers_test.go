package blackbox

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// awsCLI runs `aws kinesis ...` against one endpoint, without a shell.
type awsCLI struct {
	t        *testing.T
	bin      string
	major    int // 1 or 2: they differ in how blobs are given and in exit codes
	env      []string
	endpoint []string // --endpoint-url URL [--ca-bundle FILE]
	dir      string   // for fileb:// payloads
}

// cliVersions caches `aws --version` by binary: every start of the CLI
// costs most of a second.
var cliVersions sync.Map

// newCLI finds the AWS CLI, or skips (fails in CI) without one.
func newCLI(t *testing.T, id identity) *awsCLI {
	t.Helper()
	bin := clientBinary(t, "EDDY_AWS_CLI", "aws")
	env := clientEnv(t, id)
	version, ok := cliVersions.Load(bin)
	if !ok {
		r := runClient(t, env, "", bin, "--version")
		if r.Code != 0 {
			missing(t, "%s --version failed: %s", bin, r)
		}
		version, _ = cliVersions.LoadOrStore(bin, strings.TrimSpace(r.Stdout+r.Stderr))
	}
	major := majorVersion(strings.TrimPrefix(version.(string), "aws-cli/"))
	if major != 1 && major != 2 {
		missing(t, "%s is not aws-cli 1 or 2: %s", bin, version)
	}
	t.Logf("%s", version)
	return &awsCLI{t: t, bin: bin, major: major, env: env, dir: t.TempDir()}
}

// at returns a copy of the CLI that talks to url, trusting caBundle if set.
func (c *awsCLI) at(url, caBundle string) *awsCLI {
	d := *c
	d.endpoint = []string{"--endpoint-url", url}
	if caBundle != "" {
		d.endpoint = append(d.endpoint, "--ca-bundle", caBundle)
	}
	return &d
}

func (c *awsCLI) run(args ...string) runResult {
	c.t.Helper()
	all := append(append([]string{}, c.endpoint...), "--output", "json", "kinesis")
	return runClient(c.t, c.env, "", c.bin, append(all, args...)...)
}

// okAll runs commands that must succeed at the same time (each CLI start
// costs most of a second of CPU, mostly spent importing Python modules)
// and decodes their JSON outputs into outs.
func (c *awsCLI) okAll(outs []any, commands ...[]string) {
	c.t.Helper()
	results := make([]runResult, len(commands))
	errs := make([]error, len(commands))
	var wg sync.WaitGroup
	for i, args := range commands {
		wg.Go(func() {
			all := append(append([]string{}, c.endpoint...), "--output", "json", "kinesis")
			results[i], errs[i] = runProcess(c.env, "", c.bin, append(all, args...)...)
		})
	}
	wg.Wait()
	for i, args := range commands {
		switch {
		case errs[i] != nil:
			c.t.Fatal(errs[i])
		case results[i].Code != 0:
			c.t.Fatalf("aws kinesis %s: %s", strings.Join(args, " "), results[i])
		}
		decodeJSON(c.t, "aws kinesis "+args[0], results[i].Stdout, outs[i])
	}
}

// ok runs a command that must succeed and decodes its JSON output into out
// (which may be nil for commands that print nothing).
func (c *awsCLI) ok(out any, args ...string) {
	c.t.Helper()
	r := c.run(args...)
	if r.Code != 0 {
		c.t.Fatalf("aws kinesis %s: %s", strings.Join(args, " "), r)
	}
	if out != nil {
		decodeJSON(c.t, "aws kinesis "+args[0], r.Stdout, out)
	}
}

// cliErrorRE matches the CLI's report of a service error. Newer CLIs add
// "(reached max retries: 0)" after the operation.
var cliErrorRE = regexp.MustCompile(`^An error occurred \((\w+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.*)$`)

// serviceError runs a command that the service must refuse and checks the
// exit status and the error text the CLI prints.
func (c *awsCLI) serviceError(operation, code, message string, args ...string) {
	c.t.Helper()
	r := c.run(args...)
	// The CLI's status for "the service returned an error".
	want := 254
	if c.major == 1 {
		want = 255
	}
	m := cliErrorRE.FindStringSubmatch(strings.TrimSpace(r.Stderr))
	if r.Code != want || m == nil || m[1] != code || m[2] != operation || m[3] != message {
		c.t.Errorf("aws kinesis %s: want exit %d and %s from %s: %q; got %s", strings.Join(args, " "), want, code, operation, message, r)
	}
}

// file writes data for a fileb:// argument, which both CLI versions send as
// raw bytes.
func (c *awsCLI) file(name string, data []byte) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		c.t.Fatal(err)
	}
	return "fileb://" + p
}

// jsonBlob is how a blob inside a JSON argument is written: base64 for CLI
// v2 (its default --cli-binary-format), the raw text for v1.
func (c *awsCLI) jsonBlob(data string) string {
	if c.major == 1 {
		return data
	}
	return base64.StdEncoding.EncodeToString([]byte(data))
}

// CLI output shapes (only the members the tests look at).
type (
	cliStreamDescription struct {
		StreamDescription struct {
			StreamName, StreamARN, StreamStatus string
			HasMoreShards                       bool
			RetentionPeriodHours                int
			Shards                              []cliShard
		}
	}
	cliShard struct {
		ShardID      string `json:"ShardId"`
		HashKeyRange struct{ StartingHashKey, EndingHashKey string }
	}
	cliSummary struct {
		StreamDescriptionSummary struct {
			StreamName, StreamARN, StreamStatus, EncryptionType string
			StreamModeDetails                                   struct{ StreamMode string }
			RetentionPeriodHours, OpenShardCount                int
		}
	}
	cliPut struct {
		ShardID        string `json:"ShardId"`
		SequenceNumber string
	}
	cliRecords struct {
		Records []struct {
			SequenceNumber, PartitionKey string
			Data                         []byte // base64 in the CLI's JSON
		}
		NextShardIterator  string
		MillisBehindLatest *int64
	}
	cliTags struct {
		Tags        []struct{ Key, Value string }
		HasMoreTags bool
	}
	cliMonitoring struct {
		StreamName                                         string
		CurrentShardLevelMetrics, DesiredShardLevelMetrics []string
	}
)

func (s cliStreamDescription) ranges() []shardRange {
	var out []shardRange
	for _, sh := range s.StreamDescription.Shards {
		out = append(out, shardRange{sh.ShardID, sh.HashKeyRange.StartingHashKey, sh.HashKeyRange.EndingHashKey})
	}
	return out
}

func (t cliTags) asMap() map[string]string {
	m := map[string]string{}
	for _, kv := range t.Tags {
		m[kv.Key] = kv.Value
	}
	return m
}

// read gets a shard iterator and one batch of records from it. The tests
// write a few records, which one get-records returns (up to 10,000), and
// every CLI start costs most of a second, so it reads only once.
func (c *awsCLI) read(stream, shard string, iterator ...string) cliRecords {
	c.t.Helper()
	var it struct{ ShardIterator string }
	c.ok(&it, append([]string{"get-shard-iterator", "--stream-name", stream, "--shard-id", shard, "--shard-iterator-type"}, iterator...)...)
	var out cliRecords
	c.ok(&out, "get-records", "--shard-iterator", it.ShardIterator)
	return out
}
