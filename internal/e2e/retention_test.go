package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func retention(t *testing.T, k *kinesis.Client, name string) int32 {
	t.Helper()
	d, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)})
	noErr(t, err)
	return *d.StreamDescription.RetentionPeriodHours
}

func TestRetentionPeriodChanges(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 1)
	inc := func(h int32) error {
		_, err := k.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(h)})
		return err
	}
	dec := func(h int32) error {
		_, err := k.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(h)})
		return err
	}
	noErr(t, inc(24)) // equal: a no-op
	noErr(t, inc(8760))
	if h := retention(t, k, "s"); h != 8760 {
		t.Fatalf("after increase: %d", h)
	}
	noErr(t, dec(48))
	if h := retention(t, k, "s"); h != 48 {
		t.Fatalf("after decrease: %d", h)
	}
	noErr(t, dec(48))
	wantErr(t, inc(23), "InvalidArgumentException", "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.")
	wantErr(t, dec(23), "InvalidArgumentException", "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.")
	wantErr(t, inc(-1), "InvalidArgumentException", "Minimum allowed retention period is 24 hours. Requested retention period (-1 hours) is too short.")
	wantErr(t, inc(8761), "InvalidArgumentException", "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.")
	wantErr(t, dec(8761), "InvalidArgumentException", "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.")
	wantErr(t, inc(47), "InvalidArgumentException", "Requested retention period (47 hours) for stream s can not be shorter than existing retention period (48 hours). Use DecreaseRetentionPeriod API.")
	wantErr(t, dec(49), "InvalidArgumentException", "Requested retention period (49 hours) for stream s can not be longer than existing retention period (48 hours). Use IncreaseRetentionPeriod API.")
	if h := retention(t, k, "s"); h != 48 {
		t.Fatalf("after refused changes: %d", h)
	}
	_, err := k.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("nope"), RetentionPeriodHours: aws.Int32(10)})
	wantErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
	code, body := callJSON(t, e, "IncreaseStreamRetentionPeriod", `{"StreamName":"s"}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value null at 'retentionPeriodHours' failed to satisfy constraint: Member must not be null")
	code, body = callJSON(t, e, "DecreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":48}`)
	if code != 200 || body != nil {
		t.Fatalf("Decrease answers with an empty body: %d %v", code, body)
	}
}

// TestRetentionEnforced: records past the retention period are not read,
// with a fake clock; decreasing hides older records at once, increasing
// keeps what is still retained.
func TestRetentionEnforced(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	createFake(t, e, fc, "s", 1)
	put := func(data string) string {
		out, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte(data)})
		noErr(t, err)
		return *out.SequenceNumber
	}
	readFrom := func(typ types.ShardIteratorType, seq *string, ts *time.Time) string {
		t.Helper()
		it, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("0"), ShardIteratorType: typ, StartingSequenceNumber: seq, Timestamp: ts})
		noErr(t, err)
		return strings.Join(dataOf(read(t, k, it.ShardIterator).Records), ",")
	}
	s0 := put("old")
	fc.Advance(20 * time.Hour)
	put("mid")
	fc.Advance(5 * time.Hour) // "old" is 25 hours old, "mid" 5
	put("new")
	if got := readFrom(types.ShardIteratorTypeTrimHorizon, nil, nil); got != "mid,new" {
		t.Fatalf("TRIM_HORIZON after 25 h: %s", got)
	}
	// A position before the trim horizon reads from the horizon.
	if got := readFrom(types.ShardIteratorTypeAtSequenceNumber, &s0, nil); got != "mid,new" {
		t.Fatalf("AT_SEQUENCE_NUMBER of an expired record: %s", got)
	}
	if got := readFrom(types.ShardIteratorTypeAtTimestamp, nil, aws.Time(t0)); got != "mid,new" {
		t.Fatalf("AT_TIMESTAMP before the horizon: %s", got)
	}
	_, err := k.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(48)})
	noErr(t, err)
	// Increasing does not bring "old" back.
	if got := readFrom(types.ShardIteratorTypeTrimHorizon, nil, nil); got != "mid,new" {
		t.Fatalf("after increasing: %s", got)
	}
	fc.Advance(20 * time.Hour) // "mid" is 25 h old: kept under 48 h retention
	if got := readFrom(types.ShardIteratorTypeTrimHorizon, nil, nil); got != "mid,new" {
		t.Fatalf("48 h retention: %s", got)
	}
	// Decreasing hides "mid" at once, also from an iterator taken before.
	it := iter(t, k, "s", "0", types.ShardIteratorTypeTrimHorizon)
	_, err = k.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(24)})
	noErr(t, err)
	if got := readFrom(types.ShardIteratorTypeTrimHorizon, nil, nil); got != "new" {
		t.Fatalf("after decreasing to 24 h: %s", got)
	}
	if got := strings.Join(dataOf(read(t, k, it).Records), ","); got != "new" {
		t.Fatalf("iterator from before the decrease: %s", got)
	}
	fc.Advance(24 * time.Hour)
	if got := readFrom(types.ShardIteratorTypeTrimHorizon, nil, nil); got != "" {
		t.Fatalf("everything expired: %s", got)
	}
	// New records are read after everything before them expired.
	put("later")
	if got := readFrom(types.ShardIteratorTypeTrimHorizon, nil, nil); got != "later" {
		t.Fatalf("after expiry: %s", got)
	}
}
