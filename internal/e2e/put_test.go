package e2e

import (
	"bytes"
	"math/big"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Routing on a 3-shard stream: MD5 test vectors observed on AWS (a, b, e,
// f) and computed with the same rule (1, test); explicit hash keys at the
// range boundaries.
var (
	pkRoutes = map[string]int{"a": 0, "b": 1, "e": 2, "f": 1, "1": 2, "test": 0}
	third    = new(big.Int).Div(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(3))
	ehkRoute = map[string]int{
		"0": 0,
		new(big.Int).Sub(third, big.NewInt(1)).String(): 0,
		third.String(): 1,
		new(big.Int).Sub(new(big.Int).Mul(third, big.NewInt(2)), big.NewInt(1)).String(): 1,
		new(big.Int).Mul(third, big.NewInt(2)).String():                                  2,
		"340282366920938463463374607431768211455":                                        2,
	}
)

func TestPutRecordRouting(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 3)
	last := map[string]string{}
	for pk, want := range pkRoutes {
		out, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(pk), Data: []byte(pk)})
		noErr(t, err)
		if *out.ShardId != shardID(want) {
			t.Errorf("partition key %q went to %s, want %s", pk, *out.ShardId, shardID(want))
		}
		checkSeq(t, *out.SequenceNumber, last[*out.ShardId])
		last[*out.ShardId] = *out.SequenceNumber
		if out.EncryptionType != "" {
			t.Errorf("EncryptionType %q on an unencrypted stream", out.EncryptionType)
		}
	}
	for ehk, want := range ehkRoute {
		// The partition key would route elsewhere: the explicit key wins.
		out, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("a"), ExplicitHashKey: aws.String(ehk), Data: []byte("x")})
		noErr(t, err)
		if *out.ShardId != shardID(want) {
			t.Errorf("ExplicitHashKey %s went to %s, want %s", ehk, *out.ShardId, shardID(want))
		}
		checkSeq(t, *out.SequenceNumber, last[*out.ShardId])
		last[*out.ShardId] = *out.SequenceNumber
	}
	_, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("a"), ExplicitHashKey: aws.String("340282366920938463463374607431768211456"), Data: []byte("x")})
	wantErr(t, err, "InvalidArgumentException", "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456")

	// The response is exactly ShardId and SequenceNumber.
	code, body := callJSON(t, e, "PutRecord", `{"StreamName":"s","PartitionKey":"a","Data":"eA=="}`)
	if code != 200 || len(body) != 2 || body["ShardId"] != shardID(0) || len(body["SequenceNumber"].(string)) != 56 {
		t.Fatalf("raw PutRecord: %d %v", code, body)
	}

	// Shard 0 holds, in sequence order, the records routed to it: two by
	// partition key, two by explicit hash key, and the raw one.
	recs := readAll(t, k, "s", shardID(0))
	if len(recs) != 5 {
		t.Fatalf("shard 0 holds %d records, want 5", len(recs))
	}
	for i := 1; i < len(recs); i++ {
		checkSeq(t, *recs[i].SequenceNumber, *recs[i-1].SequenceNumber)
	}
	if last := recs[4]; *last.SequenceNumber != body["SequenceNumber"] || string(last.Data) != "x" || *last.PartitionKey != "a" {
		t.Fatalf("last record %+v", last)
	}
}

// checkSeq checks that seq is a 56-digit sequence number greater than prev
// (when prev is set).
func checkSeq(t *testing.T, seq, prev string) {
	t.Helper()
	if len(seq) != 56 || strings.Trim(seq, "0123456789") != "" {
		t.Fatalf("sequence number %q is not 56 digits", seq)
	}
	if prev != "" && seq <= prev {
		t.Fatalf("sequence number %s not above %s", seq, prev)
	}
}

func TestPutRecordSequenceNumberForOrdering(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 2)
	put := func(pk string, after *string) (*kinesis.PutRecordOutput, error) {
		return k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(pk), Data: []byte("x"), SequenceNumberForOrdering: after})
	}
	first, err := put("a", nil)
	noErr(t, err)
	prev := first.SequenceNumber
	for i := 0; i < 5; i++ {
		out, err := put("a", prev)
		noErr(t, err)
		checkSeq(t, *out.SequenceNumber, *prev)
		prev = out.SequenceNumber
	}
	// A number of another shard, and "0", are accepted (AWS accepts them).
	other, err := put("b", nil)
	noErr(t, err)
	if *other.ShardId == *first.ShardId {
		t.Fatal("a and b share a shard")
	}
	_, err = put("a", other.SequenceNumber)
	noErr(t, err)
	_, err = put("a", aws.String("0"))
	noErr(t, err)
	// Something that is not a sequence number.
	_, err = put("a", aws.String("1234567890"))
	wantErr(t, err, "InvalidArgumentException", "ExclusiveMinimumSequenceNumber 1234567890 used in PutRecord on stream s under account 000000000000 is invalid.")
	code, body := callJSON(t, e, "PutRecord", `{"StreamName":"s","PartitionKey":"a","Data":"eA==","SequenceNumberForOrdering":"01"}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '01' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})")
}

func TestPutRecordErrors(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 1)
	_, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("nope"), PartitionKey: aws.String("a"), Data: []byte("x")})
	wantErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")

	// Data and partition key together up to 1 MiB by default.
	pk := "key"
	_, err = k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(pk), Data: make([]byte, 1<<20-len(pk))})
	noErr(t, err)
	// eddy: AWS's text for a record over the stream's maximum is not public;
	// eddy keeps the validation text AWS used for the old fixed limit.
	_, err = k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(pk), Data: make([]byte, 1<<20-len(pk)+1)})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048574 cap=1048574]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048573")

	// Empty data is a valid record.
	out, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("a"), Data: []byte{}})
	noErr(t, err)
	recs := readAll(t, k, "s", shardID(0))
	if len(recs) != 2 || len(recs[1].Data) != 0 || *recs[1].SequenceNumber != *out.SequenceNumber {
		t.Fatalf("records: %d", len(recs))
	}

	// Validation (raw, as the SDK checks required members itself).
	code, body := callJSON(t, e, "PutRecord", `{"StreamName":"s","PartitionKey":"","Data":"eA=="}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1")
	code, body = callJSON(t, e, "PutRecord", `{"StreamName":"s","PartitionKey":"`+strings.Repeat("k", 257)+`","Data":"eA=="}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '"+strings.Repeat("k", 257)+"' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256")
	code, body = callJSON(t, e, "PutRecord", `{"StreamName":"s","PartitionKey":"a","Data":"eA==","ExplicitHashKey":"-1"}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '-1' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})")
	code, body = callJSON(t, e, "PutRecord", `{"StreamName":"s"}`)
	wantJSONErr(t, code, body, "ValidationException", "2 validation errors detected: Value null at 'data' failed to satisfy constraint: Member must not be null; Value null at 'partitionKey' failed to satisfy constraint: Member must not be null")
	// Partition keys are up to 256 characters (UTF-16 code units, as in
	// Java), not bytes: 768 bytes of three-byte characters are fine, and so
	// are 128 characters outside the BMP; one more is too many.
	for _, pk := range []string{strings.Repeat("中", 256), strings.Repeat("😀", 128)} {
		_, err = k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(pk), Data: []byte("x")})
		noErr(t, err)
	}
	_, err = k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(strings.Repeat("😀", 128) + "a"), Data: []byte("x")})
	wantErrPrefix(t, err, "ValidationException", "1 validation error detected: Value '😀")
	recs = readAll(t, k, "s", shardID(0))
	if len(recs) != 4 || *recs[2].PartitionKey != strings.Repeat("中", 256) || *recs[3].PartitionKey != strings.Repeat("😀", 128) {
		t.Fatalf("%d records after the rejected puts, want 4", len(recs))
	}
}

func TestPutRecords(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 3)
	// Interleave shards: results come back in request order, and within a
	// shard the sequence numbers follow the request order.
	var recs []types.PutRecordsRequestEntry
	var want []int
	for round := 0; round < 3; round++ {
		for _, pk := range []string{"a", "b", "e", "f", "1", "test"} {
			recs = append(recs, types.PutRecordsRequestEntry{PartitionKey: aws.String(pk), Data: []byte(pk + itoa(round))})
			want = append(want, pkRoutes[pk])
		}
	}
	recs = append(recs, types.PutRecordsRequestEntry{PartitionKey: aws.String("a"), ExplicitHashKey: aws.String("340282366920938463463374607431768211455"), Data: []byte("ehk")})
	want = append(want, 2)
	out, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: recs})
	noErr(t, err)
	if *out.FailedRecordCount != 0 || len(out.Records) != len(recs) {
		t.Fatalf("FailedRecordCount %d, %d results", *out.FailedRecordCount, len(out.Records))
	}
	last := map[string]string{}
	bySeq := map[string]string{}
	for i, r := range out.Records {
		if *r.ShardId != shardID(want[i]) || r.ErrorCode != nil || r.ErrorMessage != nil {
			t.Fatalf("result %d: %+v, want shard %d", i, r, want[i])
		}
		checkSeq(t, *r.SequenceNumber, last[*r.ShardId])
		last[*r.ShardId] = *r.SequenceNumber
		bySeq[*r.SequenceNumber] = string(recs[i].Data)
	}
	// What is read back matches, shard by shard.
	n := 0
	for s := 0; s < 3; s++ {
		for _, r := range readAll(t, k, "s", shardID(s)) {
			if bySeq[*r.SequenceNumber] != string(r.Data) {
				t.Fatalf("shard %d: %s holds %q, want %q", s, *r.SequenceNumber, r.Data, bySeq[*r.SequenceNumber])
			}
			n++
		}
	}
	if n != len(recs) {
		t.Fatalf("read %d records, wrote %d", n, len(recs))
	}
	// The raw response: every entry has exactly SequenceNumber and ShardId;
	// FailedRecordCount is present when 0; no EncryptionType.
	code, body := callJSON(t, e, "PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":"a","Data":"eA=="},{"PartitionKey":"b","Data":""}]}`)
	if code != 200 || len(body) != 2 || body["FailedRecordCount"].(interface{ String() string }).String() != "0" {
		t.Fatalf("raw PutRecords: %d %v", code, body)
	}
	for _, r := range body["Records"].([]any) {
		if m := r.(map[string]any); len(m) != 2 || m["ShardId"] == nil || m["SequenceNumber"] == nil {
			t.Fatalf("raw entry %v", m)
		}
	}
}

// TestPutRecordsAllOrNothing: a request that fails, for validation or for
// an entry's ExplicitHashKey, size or the request's total, writes nothing.
func TestPutRecordsAllOrNothing(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 1)
	ok := types.PutRecordsRequestEntry{PartitionKey: aws.String("a"), Data: []byte("fine")}
	check := func(what string) {
		t.Helper()
		if recs := readAll(t, k, "s", shardID(0)); len(recs) != 0 {
			t.Fatalf("%s: %d records written", what, len(recs))
		}
	}

	_, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{
		ok, {PartitionKey: aws.String("a"), ExplicitHashKey: aws.String("340282366920938463463374607431768211456"), Data: []byte("x")}}})
	wantErr(t, err, "InvalidArgumentException", "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456")
	check("explicit hash key")

	_, err = k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{
		ok, ok, {PartitionKey: aws.String("a"), Data: make([]byte, 1<<20)}}})
	// eddy's text for a record over the stream's maximum (see PutRecord).
	wantErr(t, err, "ValidationException", "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048576 cap=1048576]' at 'records.3.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048575")
	check("record size")

	big := types.PutRecordsRequestEntry{PartitionKey: aws.String("a"), Data: bytes.Repeat([]byte{'x'}, 1<<20-1)}
	_, err = k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{big, big, big, big, big, ok}})
	wantErr(t, err, "InvalidArgumentException", "Records size exceeds 5 MB limit")
	check("request size")
	// Exactly 5 MiB of data and keys is fine.
	out, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{big, big, big, big, big}})
	noErr(t, err)
	if *out.FailedRecordCount != 0 {
		t.Fatal("5 MiB request failed")
	}
	if n := len(readAll(t, k, "s", shardID(0))); n != 5 {
		t.Fatalf("%d records after the 5 MiB request", n)
	}
	_, err = k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	noErr(t, err)
	create(t, e, k, "t", 1)

	// Validation: one bad entry in the middle; the whole request is
	// rejected before anything is written.
	code, body := callJSON(t, e, "PutRecords", `{"StreamName":"t","Records":[{"PartitionKey":"a","Data":"eA=="},{"PartitionKey":"","Data":"eA=="},{"PartitionKey":"a","Data":"eA==","ExplicitHashKey":"x"}]}`)
	wantJSONErr(t, code, body, "ValidationException", "2 validation errors detected: Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1; "+
		"Value 'x' at 'records.3.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})")
	code, body = callJSON(t, e, "PutRecords", `{"StreamName":"t","Records":[]}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1")
	// 501 records with empty partition keys: the list's length and nine
	// entries, ten errors at most (AWS-checked shape).
	var sb strings.Builder
	sb.WriteString(`{"StreamName":"t","Records":[`)
	for i := 0; i < 501; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"PartitionKey":"","Data":"eA=="}`)
	}
	sb.WriteString(`]}`)
	code, body = callJSON(t, e, "PutRecords", sb.String())
	msg, _ := body["message"].(string)
	if code != 400 || body["__type"] != "ValidationException" || !strings.HasPrefix(msg, "10 validation errors detected: Value '[com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@") ||
		!strings.Contains(msg, "at 'records' failed to satisfy constraint: Member must have length less than or equal to 500; ") ||
		strings.Count(msg, "member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1") != 9 {
		t.Fatalf("501 records: %d %v", code, body)
	}
	// 500 records are fine.
	putN(t, k, "t", 500)
	if n := len(readAll(t, k, "t", shardID(0))); n != 500 {
		t.Fatalf("%d records, want the 500 of the valid request only", n)
	}
}
