package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/testenv"
)

// TestPersistence restarts the node on its data directory: streams and
// their settings, records, sequence numbers, iterators, NextTokens and
// account settings survive; numbering continues above what was issued.
func TestPersistence(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "a", 2)
	create(t, e, k, "b", 1)
	name := aws.String("a")
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/a")
	_, err := k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"team": "x"}})
	noErr(t, err)
	_, err = k.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(72)})
	noErr(t, err)
	_, err = k.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(4096)})
	noErr(t, err)
	_, err = k.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingRecords}})
	noErr(t, err)
	_, err = k.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(`{"Version":"2012-10-17","Statement":[]}`)})
	noErr(t, err)
	_, err = k.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: types.MinimumThroughputBillingCommitmentInputStatusEnabled}})
	noErr(t, err)
	written := putN(t, k, "a", 20)
	before, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
	noErr(t, err)
	it := iter(t, k, "a", shardID(0), types.ShardIteratorTypeTrimHorizon)
	page, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
	noErr(t, err)
	shards, err := k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name, MaxResults: aws.Int32(1)})
	noErr(t, err)
	last := map[string]string{}
	for _, r := range written {
		last[*r.ShardId] = *r.SequenceNumber
	}

	e = withRetries(e.Restart())
	k = e.Kinesis
	after, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
	noErr(t, err)
	b, a := before.StreamDescription, after.StreamDescription
	if a.StreamStatus != types.StreamStatusActive || *a.RetentionPeriodHours != 72 || !a.StreamCreationTimestamp.Equal(*b.StreamCreationTimestamp) ||
		len(a.Shards) != 2 || *a.Shards[1].HashKeyRange.StartingHashKey != *b.Shards[1].HashKeyRange.StartingHashKey ||
		*a.Shards[0].SequenceNumberRange.StartingSequenceNumber != *b.Shards[0].SequenceNumberRange.StartingSequenceNumber ||
		len(a.EnhancedMonitoring[0].ShardLevelMetrics) != 1 {
		t.Fatalf("description after restart: %+v", a)
	}
	sum, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name})
	noErr(t, err)
	if *sum.StreamDescriptionSummary.MaxRecordSizeInKiB != 4096 {
		t.Fatalf("MaxRecordSizeInKiB %d", *sum.StreamDescriptionSummary.MaxRecordSizeInKiB)
	}
	tags, err := k.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: name})
	noErr(t, err)
	if tagString(tags.Tags) != "team=x" {
		t.Fatalf("tags %s", tagString(tags.Tags))
	}
	pol, err := k.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
	noErr(t, err)
	if *pol.Policy != `{"Version":"2012-10-17","Statement":[]}` {
		t.Fatalf("policy %s", *pol.Policy)
	}
	as, err := k.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
	noErr(t, err)
	if as.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled {
		t.Fatalf("account settings %+v", as.MinimumThroughputBillingCommitment)
	}
	// Tokens issued before the restart still work.
	r := read(t, k, it)
	if len(r.Records) == 0 {
		t.Fatal("iterator from before the restart reads nothing")
	}
	next, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: page.NextToken})
	noErr(t, err)
	if len(next.StreamNames) != 1 || next.StreamNames[0] != "b" {
		t.Fatalf("ListStreams token after restart: %v", next.StreamNames)
	}
	more, err := k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: shards.NextToken})
	noErr(t, err)
	if len(more.Shards) != 1 || *more.Shards[0].ShardId != shardID(1) {
		t.Fatalf("ListShards token after restart: %v", shardIDs(more.Shards))
	}
	// Every record is there, and new ones number above the old ones.
	n := 0
	for s := 0; s < 2; s++ {
		n += len(readAll(t, k, "a", shardID(s)))
	}
	if n != 20 {
		t.Fatalf("%d records after restart", n)
	}
	for _, r := range putN(t, k, "a", 20) {
		checkSeq(t, *r.SequenceNumber, last[*r.ShardId])
	}
}

// TestRestartFinishesTransitions: a stream CREATING or DELETING when the
// node stops completes its transition after the restart.
func TestRestartFinishesTransitions(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	createFake(t, e, fc, "doomed", 1)
	_, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("young"), ShardCount: aws.Int32(1)})
	noErr(t, err)
	_, err = k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("doomed")})
	noErr(t, err)
	e.Close()
	fc.Advance(time.Second)
	e = startWith(t, testenv.Options{Clock: fc, Data: e.Data})
	k = e.Kinesis
	if s := status(t, k, "young"); s != types.StreamStatusActive {
		t.Fatalf("young: %s", s)
	}
	_, err = k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("doomed")})
	wantErr(t, err, "ResourceNotFoundException", "Stream doomed under account 000000000000 not found.")
	createFake(t, e, fc, "doomed", 1)
}
