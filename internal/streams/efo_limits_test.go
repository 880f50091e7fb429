package streams_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/node"
	"github.com/eddy-streams/eddy/internal/streams"
)

// TestFanOutConsumerRate: a consumer reads a shard at most at its quota
// (AWS: 2 MiB/s; here a per-stream quota of 1 MiB/s): an event whose
// records overdraw the budget waits until the debt is paid back.
func TestFanOutConsumerRate(t *testing.T) {
	e, fake, arn := fakeFanOutWith(t, "paced", func(c *node.Config) {
		c.Streams.Limits.Streams = map[string]streams.ShardLimits{"paced": {ConsumerBytesPerSec: 1 << 20}}
	})
	s := subscribeTo(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon})
	big := string(bytes.Repeat([]byte("x"), 750<<10))
	timers := fake.PendingTimers()
	putRecords(t, e.Kinesis, "paced", big, big) // 1.5 MiB: 0.5 MiB over the budget
	for i := 0; fake.PendingTimers() == timers; i++ {
		if i > 5000 {
			t.Fatal("the subscription never waited for its budget")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case ev := <-s.events:
		t.Fatalf("event delivered over the consumer's rate: %d records", len(ev.Records))
	default:
	}
	fake.Advance(500 * time.Millisecond)
	if recs, _ := s.records(2); len(recs) != 2 {
		t.Fatalf("read %d records", len(recs))
	}
}

// TestFanOutSubscribeRate: with --limits aws a consumer may call
// SubscribeToShard on a shard once per second.
func TestFanOutSubscribeRate(t *testing.T) {
	e, fake, arn := fakeFanOutWith(t, "limited", func(c *node.Config) { c.Streams.Limits.AWS = true })
	subscribeTo(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeLatest})
	_, err := trySubscribe(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeLatest})
	if _, ok := errAs[*types.LimitExceededException](err); !ok {
		t.Fatalf("second SubscribeToShard within a second: %v", err)
	}
	fake.Advance(time.Second)
	// After a second the rate allows it; the 5-second takeover rule answers.
	_, err = trySubscribe(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeLatest})
	if _, ok := errAs[*types.ResourceInUseException](err); !ok {
		t.Fatalf("SubscribeToShard after a second: %v", err)
	}
}
