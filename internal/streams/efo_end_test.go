package streams_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/eddy-streams/eddy/internal/testenv"
)

// How subscriptions end besides expiry and takeover.

// TestFanOutEndsWithConsumer: deregistering the consumer or deleting the
// stream ends its subscriptions at once, with the error a new subscription
// would get.
func TestFanOutEndsWithConsumer(t *testing.T) {
	e := testenv.Start(t, testenv.Options{})
	createActive(t, e, "gone", 1)
	k := e.Kinesis
	latest := &types.StartingPosition{Type: types.ShardIteratorTypeLatest}
	first := registerActive(t, k, "gone", "first")
	second := registerActive(t, k, "gone", "second")
	s1 := subscribeTo(t, fresh(t, e), first, "0", latest)
	s2 := subscribeTo(t, fresh(t, e), second, "0", latest)

	if _, err := k.DeregisterStreamConsumer(context.Background(), &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(first)}); err != nil {
		t.Fatal(err)
	}
	_, err := s1.end()
	if api, ok := errAs[smithy.APIError](err); !ok || api.ErrorCode() != "ResourceInUseException" && api.ErrorCode() != "ResourceNotFoundException" {
		t.Errorf("deregistered consumer's subscription ended with %v", err)
	}
	// The other consumer's subscription is unaffected.
	putRecords(t, k, "gone", "still here")
	if recs, _ := s2.records(1); string(recs[0].Data) != "still here" {
		t.Fatalf("read %s", recs[0].Data)
	}

	if _, err := k.DeleteStream(context.Background(), &kinesis.DeleteStreamInput{StreamName: aws.String("gone"), EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = s2.end()
	if api, ok := errAs[smithy.APIError](err); !ok || api.ErrorCode() != "ResourceInUseException" && api.ErrorCode() != "ResourceNotFoundException" ||
		!strings.Contains(api.ErrorMessage(), "second") {
		t.Errorf("subscription of a deleted stream ended with %v", err)
	}
	waitReleased(t, e, 0)
}

// TestFanOutShardEnd: a subscription to a shard that a split closes gets
// the records written before the split, then one last event with the
// ChildShards and no ContinuationSequenceNumber, and ends cleanly; a new
// subscription to the closed shard replays it to the same end.
func TestFanOutShardEnd(t *testing.T) {
	e := testenv.Start(t, testenv.Options{})
	createActive(t, e, "split", 1)
	k := e.Kinesis
	arn := registerActive(t, k, "split", "reader")
	live := subscribeTo(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon})
	seqs := putRecords(t, k, "split", "a", "b", "c")
	live.records(3)

	if _, err := k.SplitShard(context.Background(), &kinesis.SplitShardInput{StreamName: aws.String("split"), ShardToSplit: aws.String("0"),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, e, "split")
	checkEnd := func(name string, s *sub) {
		t.Helper()
		evs, err := s.end()
		if err != nil {
			t.Fatalf("%s: ended with %v", name, err)
		}
		if len(evs) == 0 {
			t.Fatalf("%s: no shard-end event", name)
		}
		last := evs[len(evs)-1]
		if last.ContinuationSequenceNumber != nil || len(last.Records) != 0 || len(last.ChildShards) != 2 {
			t.Fatalf("%s: last event %+v", name, last)
		}
		for i, c := range last.ChildShards {
			if len(c.ParentShards) != 1 || c.ParentShards[0] != "shardId-000000000000" || c.HashKeyRange == nil ||
				*c.ShardId != []string{"shardId-000000000001", "shardId-000000000002"}[i] {
				t.Errorf("%s: child %+v", name, c)
			}
		}
		for _, ev := range evs[:len(evs)-1] {
			if ev.ChildShards != nil || ev.ContinuationSequenceNumber == nil {
				t.Errorf("%s: event before the end %+v", name, ev)
			}
		}
	}
	checkEnd("live", live)
	waitReleased(t, e, 0)

	replay := subscribeTo(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String(seqs[1])})
	if recs, _ := replay.records(2); string(recs[0].Data) != "b" || string(recs[1].Data) != "c" {
		t.Fatalf("replayed %s %s", recs[0].Data, recs[1].Data)
	}
	checkEnd("replay", replay)
	waitReleased(t, e, 0)

	// Resubscribing after the last record of the closed shard (a
	// subscription that expired before the shard-end event) gets that event.
	resume := subscribeTo(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(seqs[2])})
	checkEnd("resume after the last record", resume)

	// The children take the new records.
	child := subscribeTo(t, fresh(t, e), arn, "shardId-000000000001", &types.StartingPosition{Type: types.ShardIteratorTypeLatest})
	if _, err := k.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String("split"), Data: []byte("new"),
		PartitionKey: aws.String("pk"), ExplicitHashKey: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if recs, _ := child.records(1); string(recs[0].Data) != "new" {
		t.Fatalf("child read %s", recs[0].Data)
	}
}
