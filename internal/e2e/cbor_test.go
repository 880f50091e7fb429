package e2e

import (
	"bytes"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/testenv"
)

// The CBOR suite speaks application/x-amz-cbor-1.1 as the AWS SDK for Java
// does: blobs are byte strings, timestamps tag 1 with integer epoch
// milliseconds, errors maps with __type and message.

const cborType = "application/x-amz-cbor-1.1"

// cborMsg is a decoded CBOR map whose members stay raw until inspected.
type cborMsg map[string]cbor.RawMessage

// callCBOR posts v (encoded with fxamacker/cbor) and decodes the response
// map (nil for an empty body).
func callCBOR(t *testing.T, e *testenv.Env, op string, v any) (int, cborMsg) {
	t.Helper()
	body, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	code, out := e.Call(op, cborType, body)
	if len(out) == 0 {
		return code, nil
	}
	var m cborMsg
	if err := cbor.Unmarshal(out, &m); err != nil {
		t.Fatalf("%s: response is not a CBOR map: %x (%v)", op, out, err)
	}
	return code, m
}

func (m cborMsg) str(t *testing.T, key string) string {
	t.Helper()
	var s string
	if err := cbor.Unmarshal(m[key], &s); err != nil {
		t.Fatalf("%s is not a text string: %x", key, []byte(m[key]))
	}
	return s
}

func (m cborMsg) int(t *testing.T, key string) int64 {
	t.Helper()
	raw := m[key]
	if len(raw) == 0 || raw[0]>>5 > 1 {
		t.Fatalf("%s is not an integer: %x", key, []byte(raw))
	}
	var n int64
	noErr(t, cbor.Unmarshal(raw, &n))
	return n
}

func (m cborMsg) bool(t *testing.T, key string) bool {
	t.Helper()
	var b bool
	if err := cbor.Unmarshal(m[key], &b); err != nil {
		t.Fatalf("%s is not a boolean: %x", key, []byte(m[key]))
	}
	return b
}

// bytes checks that key is a byte string (major type 2) and returns it.
func (m cborMsg) bytes(t *testing.T, key string) []byte {
	t.Helper()
	raw := m[key]
	if len(raw) == 0 || raw[0]>>5 != 2 {
		t.Fatalf("%s is not a byte string: %x", key, []byte(raw))
	}
	var b []byte
	noErr(t, cbor.Unmarshal(raw, &b))
	return b
}

// millis checks that key is tag 1 around an integer and returns it.
func (m cborMsg) millis(t *testing.T, key string) int64 {
	t.Helper()
	raw := m[key]
	if len(raw) < 2 || raw[0] != 0xc1 || raw[1]>>5 != 0 {
		t.Fatalf("%s is not tag 1 + an unsigned integer: %x", key, []byte(raw))
	}
	var n int64
	noErr(t, cbor.Unmarshal(raw[1:], &n))
	return n
}

func (m cborMsg) obj(t *testing.T, key string) cborMsg {
	t.Helper()
	var o cborMsg
	if err := cbor.Unmarshal(m[key], &o); err != nil {
		t.Fatalf("%s is not a map: %x", key, []byte(m[key]))
	}
	return o
}

func (m cborMsg) list(t *testing.T, key string) []cborMsg {
	t.Helper()
	var l []cborMsg
	if err := cbor.Unmarshal(m[key], &l); err != nil {
		t.Fatalf("%s is not a list of maps: %x", key, []byte(m[key]))
	}
	return l
}

func wantCBORErr(t *testing.T, code int, m cborMsg, typ, msg string) {
	t.Helper()
	if code != 400 || m == nil || m.str(t, "__type") != typ || msg != "" && m.str(t, "message") != msg {
		t.Fatalf("got %d %v\nwant 400 %s %q", code, m, typ, msg)
	}
}

func TestCBORRoundTrip(t *testing.T) {
	fc := clock.NewFake(t0)
	e := startWith(t, testenv.Options{Clock: fc})

	code, m := callCBOR(t, e, "CreateStream", map[string]any{"StreamName": "s", "ShardCount": 2})
	if code != 200 || len(m) != 0 {
		t.Fatalf("CreateStream: %d %v", code, m)
	}
	code, m = callCBOR(t, e, "DescribeStream", map[string]any{"StreamName": "s"})
	if code != 200 || m.obj(t, "StreamDescription").str(t, "StreamStatus") != "CREATING" {
		t.Fatalf("DescribeStream while CREATING: %d %v", code, m)
	}
	fc.Advance(time.Second)

	code, m = callCBOR(t, e, "DescribeStream", map[string]any{"StreamName": "s", "Limit": 1})
	if code != 200 {
		t.Fatalf("DescribeStream: %d %v", code, m)
	}
	d := m.obj(t, "StreamDescription")
	if d.str(t, "StreamStatus") != "ACTIVE" || d.str(t, "StreamARN") != "arn:aws:kinesis:us-east-1:000000000000:stream/s" ||
		d.int(t, "RetentionPeriodHours") != 24 || !d.bool(t, "HasMoreShards") || d.millis(t, "StreamCreationTimestamp") != t0.UnixMilli() {
		t.Fatalf("description: %v", d)
	}
	shards := d.list(t, "Shards")
	if len(shards) != 1 || shards[0].str(t, "ShardId") != shardID(0) ||
		shards[0].obj(t, "HashKeyRange").str(t, "EndingHashKey") != "170141183460469231731687303715884105727" {
		t.Fatalf("shards: %v", shards)
	}

	// Binary data, including bytes that are not UTF-8, round-trips as a
	// byte string.
	data := []byte{0, 1, 2, 0xff, 0xfe, 'x'}
	fc.Advance(time.Second)
	written := fc.Now()
	code, m = callCBOR(t, e, "PutRecord", map[string]any{"StreamName": "s", "PartitionKey": "a", "Data": data})
	if code != 200 || m.str(t, "ShardId") != shardID(0) || len(m.str(t, "SequenceNumber")) != 56 {
		t.Fatalf("PutRecord: %d %v", code, m)
	}
	seq := m.str(t, "SequenceNumber")
	code, m = callCBOR(t, e, "PutRecords", map[string]any{"StreamName": "s", "Records": []any{
		map[string]any{"PartitionKey": "b", "Data": []byte("second")},
		map[string]any{"PartitionKey": "a", "Data": []byte{}, "ExplicitHashKey": "0"},
	}})
	if code != 200 || m.int(t, "FailedRecordCount") != 0 {
		t.Fatalf("PutRecords: %d %v", code, m)
	}
	if recs := m.list(t, "Records"); len(recs) != 2 || recs[0].str(t, "ShardId") != shardID(1) || recs[1].str(t, "ShardId") != shardID(0) {
		t.Fatalf("PutRecords results: %v", recs)
	}

	// AT_TIMESTAMP with a tag-1 millisecond timestamp.
	fc.Advance(time.Second)
	code, m = callCBOR(t, e, "GetShardIterator", map[string]any{"StreamName": "s", "ShardId": shardID(0), "ShardIteratorType": "AT_TIMESTAMP",
		"Timestamp": cbor.Tag{Number: 1, Content: written.UnixMilli()}})
	if code != 200 || len(m) != 1 {
		t.Fatalf("GetShardIterator: %d %v", code, m)
	}
	it := m.str(t, "ShardIterator")
	code, m = callCBOR(t, e, "GetRecords", map[string]any{"ShardIterator": it})
	if code != 200 || m.int(t, "MillisBehindLatest") != 0 || m.str(t, "NextShardIterator") == it {
		t.Fatalf("GetRecords: %d %v", code, m)
	}
	recs := m.list(t, "Records")
	if len(recs) != 2 {
		t.Fatalf("records: %v", recs)
	}
	r := recs[0]
	if !bytes.Equal(r.bytes(t, "Data"), data) || r.str(t, "PartitionKey") != "a" || r.str(t, "SequenceNumber") != seq ||
		r.millis(t, "ApproximateArrivalTimestamp") != written.UnixMilli() {
		t.Fatalf("record: %v", r)
	}
	if _, ok := r["EncryptionType"]; ok {
		t.Fatalf("EncryptionType on an unencrypted record: %v", r)
	}
	if b := recs[1].bytes(t, "Data"); len(b) != 0 {
		t.Fatalf("empty record: %x", b)
	}
	// The same timestamp given as a plain integer or as tag 1 around a
	// float also means milliseconds in CBOR.
	for _, ts := range []any{written.UnixMilli(), cbor.Tag{Number: 1, Content: float64(written.UnixMilli())}} {
		code, m = callCBOR(t, e, "GetShardIterator", map[string]any{"StreamName": "s", "ShardId": "0", "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": ts})
		if code != 200 {
			t.Fatalf("Timestamp %v: %d %v", ts, code, m)
		}
		_, m = callCBOR(t, e, "GetRecords", map[string]any{"ShardIterator": m.str(t, "ShardIterator")})
		if n := len(m.list(t, "Records")); n != 2 {
			t.Fatalf("Timestamp %v: %d records", ts, n)
		}
	}

	// Other responses with timestamps and booleans.
	code, m = callCBOR(t, e, "ListStreams", map[string]any{})
	if code != 200 || m.bool(t, "HasMoreStreams") || m.list(t, "StreamSummaries")[0].millis(t, "StreamCreationTimestamp") != t0.UnixMilli() {
		t.Fatalf("ListStreams: %d %v", code, m)
	}
	code, m = callCBOR(t, e, "ListShards", map[string]any{"StreamName": "s", "ShardFilter": map[string]any{"Type": "AT_TIMESTAMP", "Timestamp": cbor.Tag{Number: 1, Content: t0.UnixMilli()}}})
	if code != 200 || len(m.list(t, "Shards")) != 2 {
		t.Fatalf("ListShards: %d %v", code, m)
	}
	code, m = callCBOR(t, e, "DescribeStreamSummary", map[string]any{"StreamName": "s"})
	if code != 200 || m.obj(t, "StreamDescriptionSummary").int(t, "OpenShardCount") != 2 {
		t.Fatalf("DescribeStreamSummary: %d %v", code, m)
	}
	code, m = callCBOR(t, e, "AddTagsToStream", map[string]any{"StreamName": "s", "Tags": map[string]string{"k": "v"}})
	if code != 200 || len(m) != 0 {
		t.Fatalf("AddTagsToStream: %d %v", code, m)
	}
	code, m = callCBOR(t, e, "ListTagsForStream", map[string]any{"StreamName": "s"})
	if code != 200 || m.list(t, "Tags")[0].str(t, "Value") != "v" || m.bool(t, "HasMoreTags") {
		t.Fatalf("ListTagsForStream: %d %v", code, m)
	}
	code, m = callCBOR(t, e, "UpdateAccountSettings", map[string]any{"MinimumThroughputBillingCommitment": map[string]any{"Status": "ENABLED"}})
	if code != 200 || m.obj(t, "MinimumThroughputBillingCommitment").millis(t, "StartedAt") != fc.Now().UnixMilli() {
		t.Fatalf("UpdateAccountSettings: %d %v", code, m)
	}
	code, m = callCBOR(t, e, "DeleteStream", map[string]any{"StreamName": "s"})
	if code != 200 || len(m) != 0 {
		t.Fatalf("DeleteStream: %d %v", code, m)
	}
}

func TestCBORErrors(t *testing.T) {
	fc := clock.NewFake(t0)
	e := startWith(t, testenv.Options{Clock: fc})
	code, m := callCBOR(t, e, "DescribeStream", map[string]any{"StreamName": "nope"})
	wantCBORErr(t, code, m, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
	code, m = callCBOR(t, e, "CreateStream", map[string]any{"ShardCount": 0})
	wantCBORErr(t, code, m, "ValidationException", "2 validation errors detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null; "+
		"Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1")
	callCBOR(t, e, "CreateStream", map[string]any{"StreamName": "s", "ShardCount": 1})
	fc.Advance(time.Second)
	// A blob given as a text string is a type error.
	code, m = callCBOR(t, e, "PutRecord", map[string]any{"StreamName": "s", "PartitionKey": "a", "Data": "not bytes"})
	wantCBORErr(t, code, m, "SerializationException", "")
	// A timestamp in the future, in milliseconds as CBOR gives them.
	future := fc.Now().Add(time.Hour).UnixMilli()
	code, m = callCBOR(t, e, "GetShardIterator", map[string]any{"StreamName": "s", "ShardId": "0", "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": cbor.Tag{Number: 1, Content: future}})
	wantCBORErr(t, code, m, "InvalidArgumentException", "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: "+
		itoa(int(future))+", currentTimestampInMillis: "+itoa(int(fc.Now().UnixMilli())))
	code, m = callCBOR(t, e, "GetRecords", map[string]any{"ShardIterator": "AAAA"})
	wantCBORErr(t, code, m, "InvalidArgumentException", "Invalid ShardIterator.")
	// Not CBOR at all.
	c, out := e.Call("DescribeStream", cborType, []byte{0xff, 0x00})
	if c != 400 {
		t.Fatalf("malformed CBOR: %d %x", c, out)
	}
	var em cborMsg
	noErr(t, cbor.Unmarshal(out, &em))
	wantCBORErr(t, c, em, "SerializationException", "")
	// Error bodies are CBOR with the CBOR content type.
	_, raw := e.Call("DescribeStream", cborType, mustCBOR(t, map[string]any{"StreamName": "nope"}))
	if raw[0] != 0xbf && raw[0]>>5 != 5 {
		t.Fatalf("error body is not a CBOR map: %x", raw)
	}
}

func mustCBOR(t *testing.T, v any) []byte {
	t.Helper()
	b, err := cbor.Marshal(v)
	noErr(t, err)
	return b
}
