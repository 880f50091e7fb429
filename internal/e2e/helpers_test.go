package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/testenv"
)

// TestMain clears inherited AWS_* variables once for the whole package, so
// that testenv.Start never needs t.Setenv and tests may run in parallel.
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			os.Unsetenv(k)
		}
	}
	os.Exit(m.Run())
}

var ctx = context.Background()

// acct is the account of the default test client (its access key id is not
// 12 digits).
const acct = "000000000000"

// t0 is where fake clocks start: a fixed, recent time with whole seconds.
var t0 = time.Date(2024, 3, 15, 7, 58, 30, 0, time.UTC)

// start runs a node with the real clock.
func start(t *testing.T) *testenv.Env {
	t.Helper()
	return startWith(t, testenv.Options{})
}

// startFake runs a node driven by a fake clock set to t0.
func startFake(t *testing.T) (*testenv.Env, *clock.Fake) {
	t.Helper()
	fc := clock.NewFake(t0)
	return startWith(t, testenv.Options{Clock: fc}), fc
}

// startWith runs a node with opts and gives it a client that retries
// closed connections (see testenv.ClosedConnRetryer).
func startWith(t *testing.T, opts testenv.Options) *testenv.Env {
	t.Helper()
	return withRetries(testenv.Start(t, opts))
}

// withRetries replaces e's client by one that retries closed connections.
func withRetries(e *testenv.Env) *testenv.Env {
	e.Kinesis = client(e, "", "")
	return e
}

// client returns a client of e for another account (access key id) and/or
// region; empty strings keep the env's.
func client(e *testenv.Env, accessKey, region string) *kinesis.Client {
	return e.Client(func(o *kinesis.Options) {
		o.Retryer, o.RetryMaxAttempts = testenv.ClosedConnRetryer(), 0 // 0: the retryer's own maximum
		if accessKey != "" {
			o.Credentials = credentials.NewStaticCredentialsProvider(accessKey, "secret", "")
		}
		if region != "" {
			o.Region = region
		}
	})
}

// create makes a provisioned stream and waits until it is ACTIVE (with the
// real clock; a fake clock is advanced past the create delay instead).
func create(t *testing.T, e *testenv.Env, k *kinesis.Client, name string, shards int32) {
	t.Helper()
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatalf("CreateStream %s: %v", name, err)
	}
	waitActive(t, k, name)
}

// waitActive waits with the SDK's waiter until the stream is ACTIVE.
func waitActive(t *testing.T, k *kinesis.Client, name string) {
	t.Helper()
	w := kinesis.NewStreamExistsWaiter(k, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 10*time.Millisecond
	})
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 10*time.Second); err != nil {
		t.Fatalf("wait for %s: %v", name, err)
	}
}

// createFake makes a provisioned stream on a fake-clock node and makes it
// ACTIVE by advancing the clock past the create delay.
func createFake(t *testing.T, e *testenv.Env, fc *clock.Fake, name string, shards int32) {
	t.Helper()
	if _, err := e.Kinesis.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatalf("CreateStream %s: %v", name, err)
	}
	fc.Advance(time.Second)
	if s := status(t, e.Kinesis, name); s != types.StreamStatusActive {
		t.Fatalf("%s is %s after the create delay", name, s)
	}
}

func status(t *testing.T, k *kinesis.Client, name string) types.StreamStatus {
	t.Helper()
	out, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeStreamSummary %s: %v", name, err)
	}
	return out.StreamDescriptionSummary.StreamStatus
}

// wantErr checks that err is the API error code with message msg exactly
// (any message when msg is "").
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want %s %q", err, code, msg)
	}
	if ae.ErrorCode() != code || msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("got %s %q\nwant %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// wantErrPrefix is wantErr with a message prefix.
func wantErrPrefix(t *testing.T, err error, code, prefix string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.HasPrefix(ae.ErrorMessage(), prefix) {
		t.Fatalf("got %v\nwant %s %q...", err, code, prefix)
	}
}

// noErr fails the test on an error.
func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// callJSON posts a raw JSON 1.1 request (body marshalled with
// encoding/json unless it is a string or []byte) and returns the status
// and the decoded body (nil for an empty body).
func callJSON(t *testing.T, e *testenv.Env, op string, body any) (int, map[string]any) {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	code, out := e.Call(op, "application/x-amz-json-1.1", raw)
	if len(out) == 0 {
		return code, nil
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(out))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%s: response is not a JSON object: %q", op, out)
	}
	return code, m
}

// wantJSONErr checks a raw JSON error response.
func wantJSONErr(t *testing.T, code int, body map[string]any, typ, msg string) {
	t.Helper()
	if code != 400 || body["__type"] != typ || body["message"] != msg {
		t.Fatalf("got %d %v\nwant 400 %s %q", code, body, typ, msg)
	}
}

// putN writes n records to a stream with partition keys pk0, pk1, ... and
// data d0, d1, ..., 500 per request, and returns the result entries.
func putN(t *testing.T, k *kinesis.Client, name string, n int) []types.PutRecordsResultEntry {
	t.Helper()
	var all []types.PutRecordsResultEntry
	for i := 0; i < n; {
		var recs []types.PutRecordsRequestEntry
		for ; i < n && len(recs) < 500; i++ {
			recs = append(recs, types.PutRecordsRequestEntry{PartitionKey: aws.String("pk" + itoa(i)), Data: []byte("d" + itoa(i))})
		}
		out, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: recs})
		noErr(t, err)
		if *out.FailedRecordCount != 0 {
			t.Fatalf("PutRecords: %d failed", *out.FailedRecordCount)
		}
		all = append(all, out.Records...)
	}
	return all
}

// iter returns an iterator of the given type on a shard.
func iter(t *testing.T, k *kinesis.Client, name, shard string, typ types.ShardIteratorType) *string {
	t.Helper()
	out, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String(shard), ShardIteratorType: typ})
	noErr(t, err)
	return out.ShardIterator
}

// readAll reads a shard from TRIM_HORIZON until a read returns nothing.
func readAll(t *testing.T, k *kinesis.Client, name, shard string) []types.Record {
	t.Helper()
	it := iter(t, k, name, shard, types.ShardIteratorTypeTrimHorizon)
	var out []types.Record
	for {
		r, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
		noErr(t, err)
		out = append(out, r.Records...)
		if len(r.Records) == 0 || r.NextShardIterator == nil {
			return out
		}
		it = r.NextShardIterator
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func shardID(i int) string { return fmt.Sprintf("shardId-%012d", i) }
