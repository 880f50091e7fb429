package streams_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/node"
	"github.com/eddy-streams/eddy/internal/streams"
	"github.com/eddy-streams/eddy/internal/testenv"
)

// eventually polls cond (real time) while the scaler goroutine runs.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func status(t *testing.T, e *testenv.Env, name string) (types.StreamStatus, int32, types.StreamMode) {
	t.Helper()
	out, err := e.Kinesis.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	d := out.StreamDescriptionSummary
	return d.StreamStatus, *d.OpenShardCount, d.StreamModeDetails.StreamMode
}

func TestCapacityModes(t *testing.T) {
	fake := clock.NewFake(time.Now())
	e := testenv.Start(t, testenv.Options{Clock: fake})
	ctx := context.Background()
	k := e.Kinesis
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od")}); err != nil {
		t.Fatal(err)
	}
	fake.Advance(time.Second)
	st, open, mode := status(t, e, "od")
	if st != types.StreamStatusActive || open != 4 || mode != types.StreamModeOnDemand {
		t.Fatalf("new default stream: %s %d %s", st, open, mode)
	}
	_, err := k.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("od"), ShardToSplit: aws.String("0"), NewStartingHashKey: aws.String("100")})
	if err == nil || !contains(err.Error(), "ValidationException: Request is invalid. Stream od under account 000000000000 is in On-Demand mode.") {
		t.Fatalf("split on-demand: %v", err)
	}
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/od")
	for i, m := range []types.StreamMode{types.StreamModeProvisioned, types.StreamModeOnDemand} {
		if _, err := k.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: m}}); err != nil {
			t.Fatalf("switch %d: %v", i, err)
		}
		if st, _, got := status(t, e, "od"); st != types.StreamStatusUpdating || got != m {
			t.Fatalf("switch %d: %s %s", i, st, got)
		}
		fake.Advance(time.Second)
	}
	_, err = k.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	var le *types.LimitExceededException
	if !asErr(err, &le) {
		t.Fatalf("third switch within 24 h: %v", err)
	}
	fake.Advance(25 * time.Hour)
	if _, err := k.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}}); err != nil {
		t.Fatalf("switch after 24 h: %v", err)
	}
}

func TestOnDemandScaler(t *testing.T) {
	fake := clock.NewFake(time.Now())
	e := testenv.Start(t, testenv.Options{Clock: fake})
	ctx := context.Background()
	k := e.Kinesis
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	fake.Advance(time.Second)
	// Warm throughput: 6 MiB/s needs 6 shards.
	if _, err := k.UpdateStreamWarmThroughput(ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamName: aws.String("od"), WarmThroughputMiBps: aws.Int32(6)}); err != nil {
		t.Fatal(err)
	}
	fake.Advance(time.Second)
	if _, open, _ := status(t, e, "od"); open != 6 {
		t.Fatalf("warm throughput 6: %d open shards", open)
	}
	// A hot key: 40 MiB in one interval (a minute) is ~680 KiB/s on one shard.
	data := bytes.Repeat([]byte("x"), 1<<20)
	for i := 0; i < 40; i++ {
		if _, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("od"), PartitionKey: aws.String("hot"), Data: data[:1000<<10]}); err != nil {
			t.Fatal(err)
		}
	}
	fake.Advance(streams.DefaultScaleInterval)
	eventually(t, "the scaler to split the hot shard", func() bool { st, _, _ := status(t, e, "od"); return st == types.StreamStatusUpdating })
	fake.Advance(time.Second)
	if _, open, _ := status(t, e, "od"); open != 7 {
		t.Fatalf("after a hot interval: %d open shards, want 7", open)
	}
	// Quiet intervals: cold adjacent shards merge, down to the warm target.
	for i := 0; i < 10; i++ {
		fake.Advance(streams.DefaultScaleInterval)
		time.Sleep(5 * time.Millisecond)
		fake.Advance(time.Second)
	}
	eventually(t, "cold shards to merge", func() bool { _, open, _ := status(t, e, "od"); return open == 6 })
}

func TestAWSLimits(t *testing.T) {
	fake := clock.NewFake(time.Now())
	e := testenv.Start(t, testenv.Options{Clock: fake, Configure: func(c *node.Config) { c.Streams.Limits.AWS = true }})
	ctx := context.Background()
	k := e.Kinesis
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("l"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	fake.Advance(time.Second)
	var entries []types.PutRecordsRequestEntry
	for i := 0; i < 500; i++ {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("d")})
	}
	var ok, throttled int
	for i := 0; i < 3; i++ {
		out, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("l"), Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Records {
			if r.ErrorCode == nil {
				ok++
				continue
			}
			throttled++
			if *r.ErrorCode != "ProvisionedThroughputExceededException" || *r.ErrorMessage != "Rate exceeded for shard shardId-000000000000 in stream l under account 000000000000." {
				t.Fatalf("throttled entry: %s %s", *r.ErrorCode, *r.ErrorMessage)
			}
		}
	}
	if ok != 1000 || throttled != 500 {
		t.Fatalf("1,500 records in a second: %d written, %d throttled", ok, throttled)
	}
	it, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("l"), ShardId: aws.String("0"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1)}); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	_, err = k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1)})
	var pt *types.ProvisionedThroughputExceededException
	if !asErr(err, &pt) || !contains(err.Error(), "Rate exceeded for Shard - 000000000000/l/shardId-000000000000") {
		t.Fatalf("sixth read in a second: %v", err)
	}
	fake.Advance(time.Second)
	if _, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1)}); err != nil {
		t.Fatalf("read after a second: %v", err)
	}
}

func TestAWSControlPlaneRates(t *testing.T) {
	fake := clock.NewFake(time.Now())
	e := testenv.Start(t, testenv.Options{Clock: fake, Configure: func(c *node.Config) { c.Streams.Limits.AWS = true }})
	ctx := context.Background()
	if _, err := e.Kinesis.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{}); err != nil {
		t.Fatal(err)
	}
	_, err := e.Kinesis.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	var le *types.LimitExceededException
	if !asErr(err, &le) {
		t.Fatalf("second DescribeLimits within a second: %v", err)
	}
	fake.Advance(time.Second)
	if _, err := e.Kinesis.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Kinesis.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("r"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	fake.Advance(time.Second)
	for i := 0; i < 10; i++ {
		if _, err := e.Kinesis.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("r")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.Kinesis.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("r")})
	if !asErr(err, &le) || !contains(err.Error(), "Rate exceeded for stream r under account 000000000000.") {
		t.Fatalf("11th DescribeStream: %v", err)
	}
}
