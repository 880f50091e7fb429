package streams_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/testenv"
)

// TestFanOutBoto3 runs boto3's subscribe_to_shard (testdata/efo_subscribe.py)
// against the server over HTTP/1.1. It is skipped when python3 with boto3
// is missing, unless EDDY_BLACKBOX_REQUIRE=1.
func TestFanOutBoto3(t *testing.T) {
	python := requirePython(t, "boto3")
	e := testenv.Start(t, testenv.Options{})
	createActive(t, e, "boto", 1)
	arn := registerActive(t, e.Kinesis, "boto", "py")
	var data []string
	for i := range 25 {
		data = append(data, fmt.Sprintf("rec-%02d", i))
	}
	seqs := putRecords(t, e.Kinesis, "boto", data...)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, filepath.Join("testdata", "efo_subscribe.py"), e.URL, arn, "shardId-000000000000", fmt.Sprint(len(data)))
	cmd.Env = pythonEnv(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("efo_subscribe.py: %v\n%s", err, stderr.String())
	}
	type event struct {
		Records []struct {
			Data string `json:"data"`
			Seq  string `json:"seq"`
		} `json:"records"`
		Continuation *string `json:"continuation"`
		Behind       *int64  `json:"behind"`
		Error        *string `json:"error"`
		Message      string  `json:"message"`
	}
	var got []string
	var last event
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		if ev.Error != nil || ev.Message != "" {
			last = ev
			continue
		}
		for _, r := range ev.Records {
			if r.Seq != seqs[len(got)] {
				t.Errorf("record %d: sequence number %s, want %s", len(got), r.Seq, seqs[len(got)])
			}
			got = append(got, r.Data)
		}
		if ev.Continuation == nil || ev.Behind == nil || len(ev.Records) > 0 && *ev.Continuation != ev.Records[len(ev.Records)-1].Seq {
			t.Errorf("event %s", sc.Text())
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(data) {
		t.Errorf("boto3 read %v, want %v", got, data)
	}
	if last.Error == nil || *last.Error != "ResourceNotFoundException" || last.Message != "Shard shardId-000000000099 in stream boto under account 000000000000 does not exist" {
		t.Errorf("unknown shard: %+v", last)
	}
}

// requirePython returns python3's path if it imports module.
func requirePython(t *testing.T, module string) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(python, "-c", "import "+module).Run()
	}
	if err != nil {
		if os.Getenv("EDDY_BLACKBOX_REQUIRE") == "1" {
			t.Fatalf("python3 with %s is required: %v", module, err)
		}
		t.Skipf("python3 with %s not available: %v", module, err)
	}
	return python
}

// pythonEnv is a hermetic environment for a Python AWS client: no AWS_*
// variables of the developer, no config or credential files.
func pythonEnv(t *testing.T) []string {
	dir := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if len(kv) < 4 || kv[:4] != "AWS_" {
			env = append(env, kv)
		}
	}
	return append(env,
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	)
}
