package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/node"
	"github.com/eddy-streams/eddy/internal/testenv"
)

// TestStatusTransitions walks a stream through CREATING -> ACTIVE ->
// DELETING -> gone with a fake clock and checks what each status allows.
func TestStatusTransitions(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	name := aws.String("s")
	_, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: name, ShardCount: aws.Int32(2)})
	noErr(t, err)

	// CREATING: described without shards; writes see no stream, reads no
	// shard; changes are refused as not ACTIVE.
	d, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
	noErr(t, err)
	if sd := d.StreamDescription; sd.StreamStatus != types.StreamStatusCreating || len(sd.Shards) != 0 || *sd.HasMoreShards {
		t.Fatalf("CREATING description: %+v", sd)
	}
	sum, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name})
	noErr(t, err)
	if ss := sum.StreamDescriptionSummary; ss.StreamStatus != types.StreamStatusCreating || *ss.OpenShardCount != 0 {
		t.Fatalf("CREATING summary: %+v", ss)
	}
	ls, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{})
	noErr(t, err)
	if len(ls.StreamSummaries) != 1 || ls.StreamSummaries[0].StreamStatus != types.StreamStatusCreating {
		t.Fatalf("ListStreams while CREATING: %+v", ls.StreamSummaries)
	}
	_, err = k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("a"), Data: []byte("x")})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
	_, err = k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	wantErr(t, err, "ResourceNotFoundException", "Shard shardId-000000000000 in stream s under account 000000000000 does not exist")
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name})
	wantErr(t, err, "ResourceInUseException", "Stream s under account 000000000000 not ACTIVE, instead in state CREATING")
	_, err = k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"a": "b"}})
	wantErr(t, err, "ResourceInUseException", "Stream s under account 000000000000 not ACTIVE, instead in state CREATING")
	_, err = k.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(48)})
	wantErr(t, err, "ResourceInUseException", "Stream s under account 000000000000 not ACTIVE, instead in state CREATING")

	// ACTIVE once the create delay has passed.
	fc.Advance(time.Second)
	d, err = k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
	noErr(t, err)
	if sd := d.StreamDescription; sd.StreamStatus != types.StreamStatusActive || len(sd.Shards) != 2 {
		t.Fatalf("ACTIVE description: %+v", sd)
	}
	put, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("a"), Data: []byte("x")})
	noErr(t, err)

	// DELETING: described without shards; a second delete sees no stream
	// (eddy's choice where AWS's behaviour is unknown); the name stays
	// taken; reads keep working until the stream is gone (AWS documents
	// that they may).
	it := iter(t, k, "s", *put.ShardId, types.ShardIteratorTypeTrimHorizon)
	_, err = k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: name})
	noErr(t, err)
	d, err = k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
	noErr(t, err)
	if sd := d.StreamDescription; sd.StreamStatus != types.StreamStatusDeleting || len(sd.Shards) != 0 {
		t.Fatalf("DELETING description: %+v", sd)
	}
	_, err = k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: name})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: name, ShardCount: aws.Int32(1)})
	wantErr(t, err, "ResourceInUseException", "Stream s under account 000000000000 already exists.")
	_, err = k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"a": "b"}})
	wantErr(t, err, "ResourceInUseException", "Stream s under account 000000000000 not ACTIVE, instead in state DELETING")
	r, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
	noErr(t, err)
	if len(r.Records) != 1 {
		t.Fatalf("read while DELETING: %+v", r.Records)
	}
	_, err = k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: put.ShardId, ShardIteratorType: types.ShardIteratorTypeLatest})
	noErr(t, err)
	// Writes are refused as to a missing stream (kinesalite, checked
	// against AWS, takes writes only when ACTIVE or UPDATING).
	_, err = k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("a"), Data: []byte("x")})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
	ls, err = k.ListStreams(ctx, &kinesis.ListStreamsInput{})
	noErr(t, err)
	if len(ls.StreamSummaries) != 1 || ls.StreamSummaries[0].StreamStatus != types.StreamStatusDeleting {
		t.Fatalf("ListStreams while DELETING: %+v", ls.StreamSummaries)
	}

	// Gone after the delete delay: every operation reports it missing, old
	// iterators name their shard.
	fc.Advance(time.Second)
	_, err = k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
	_, err = k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
	_, err = k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("a"), Data: []byte("x")}}})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
	_, err = k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: r.NextShardIterator})
	wantErr(t, err, "ResourceNotFoundException", "Shard "+*put.ShardId+" in stream s under account 000000000000 does not exist")
	ls, err = k.ListStreams(ctx, &kinesis.ListStreamsInput{})
	noErr(t, err)
	if len(ls.StreamNames) != 0 {
		t.Fatalf("deleted stream listed: %v", ls.StreamNames)
	}

	// The name can be used again; the new stream starts empty, and an
	// iterator of the old incarnation does not read it. (AWS let an old
	// iterator read a recreated stream of the same name; eddy binds
	// iterators to the incarnation, as the behaviour notes recommend.)
	createFake(t, e, fc, "s", 2)
	if recs := readAll(t, k, "s", *put.ShardId); len(recs) != 0 {
		t.Fatalf("recreated stream has records: %+v", recs)
	}
	_, err = k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: r.NextShardIterator})
	wantErr(t, err, "ResourceNotFoundException", "Shard "+*put.ShardId+" in stream s under account 000000000000 does not exist")
}

// TestDeleteWhileCreating deletes a stream that is still CREATING: it goes
// DELETING, then away (AWS allows this).
func TestDeleteWhileCreating(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	_, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	noErr(t, err)
	_, err = k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s"), EnforceConsumerDeletion: aws.Bool(true)})
	noErr(t, err)
	if s := status(t, k, "s"); s != types.StreamStatusDeleting {
		t.Fatalf("status %s", s)
	}
	fc.Advance(time.Second)
	_, err = k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
}

// TestWaiters uses the SDK's stream-exists and stream-not-exists waiters
// with delays long enough for CREATING and DELETING to be seen.
func TestWaiters(t *testing.T) {
	e := startWith(t, testenv.Options{Configure: func(c *node.Config) {
		c.Streams.CreateDelay, c.Streams.DeleteDelay = 50*time.Millisecond, 50*time.Millisecond
	}})
	k := e.Kinesis
	_, err := k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")

	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	noErr(t, err)
	if s := status(t, k, "s"); s != types.StreamStatusCreating {
		t.Fatalf("just created: %s", s)
	}
	waitActive(t, k, "s")

	_, err = k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	noErr(t, err)
	if s := status(t, k, "s"); s != types.StreamStatusDeleting {
		t.Fatalf("just deleted: %s", s)
	}
	w := kinesis.NewStreamNotExistsWaiter(k, func(o *kinesis.StreamNotExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 10*time.Millisecond
	})
	noErr(t, w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")}, 10*time.Second))

	// The SDK's DeleteStream answers with an empty body, too.
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	noErr(t, err)
	waitActive(t, k, "s")
	code, body := callJSON(t, e, "DeleteStream", `{"StreamName":"s"}`)
	if code != 200 || body != nil {
		t.Fatalf("DeleteStream: %d %v", code, body)
	}
}
