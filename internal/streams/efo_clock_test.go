package streams_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/node"
	"github.com/eddy-streams/eddy/internal/testenv"
)

// Time-dependent fan-out rules, driven by a fake clock: nothing here sleeps.

// fakeFanOut starts a node on a fake clock with an ACTIVE one-shard stream
// and an ACTIVE consumer.
func fakeFanOut(t *testing.T, stream string) (*testenv.Env, *clock.Fake, string) {
	t.Helper()
	return fakeFanOutWith(t, stream, nil)
}

func fakeFanOutWith(t *testing.T, stream string, configure func(*node.Config)) (*testenv.Env, *clock.Fake, string) {
	t.Helper()
	fake := clock.NewFake(time.Now())
	e := testenv.Start(t, testenv.Options{Clock: fake, Configure: configure})
	if _, err := e.Kinesis.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	fake.Advance(time.Second)
	arn := register(t, e.Kinesis, stream, "reader")
	fake.Advance(time.Second)
	waitConsumer(t, e.Kinesis, arn, types.ConsumerStatusActive)
	return e, fake, arn
}

// TestFanOutIdleEventsAndExpiry: an idle subscription gets an empty event
// every 5 seconds whose ContinuationSequenceNumber resumes where it stands
// (before any record, the number just before the start: for TRIM_HORIZON
// on an empty shard the shard's StartingSequenceNumber), and ends cleanly
// after 5 minutes.
func TestFanOutIdleEventsAndExpiry(t *testing.T) {
	e, fake, arn := fakeFanOut(t, "idle")
	start := *listShards(t, e, "idle")[0].SequenceNumberRange.StartingSequenceNumber
	s := subscribeTo(t, fresh(t, e), arn, "shardId-000000000000", &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon})

	fake.Advance(5 * time.Second)
	ev := s.next()
	if len(ev.Records) != 0 || *ev.ContinuationSequenceNumber != start || *ev.MillisBehindLatest != 0 || ev.ChildShards != nil {
		t.Fatalf("first idle event: %+v (start %s)", ev, start)
	}
	seq := putRecords(t, e.Kinesis, "idle", "r1")[0]
	if ev := s.next(); len(ev.Records) != 1 || *ev.ContinuationSequenceNumber != seq {
		t.Fatalf("record event: %+v", ev)
	}
	// 5 s after the last event, not after the last idle event.
	fake.Advance(4 * time.Second)
	putRecords(t, e.Kinesis, "idle", "r2")
	seq = *s.next().ContinuationSequenceNumber
	fake.Advance(4 * time.Second)
	select {
	case ev := <-s.events:
		t.Fatalf("event 4 s after the last one: %+v", ev)
	default:
	}
	fake.Advance(time.Second)
	if ev := s.next(); len(ev.Records) != 0 || *ev.ContinuationSequenceNumber != seq {
		t.Fatalf("idle event after a record: %+v", ev)
	}

	// 5 minutes after the subscription started, it ends without an error.
	fake.Advance(5 * time.Minute)
	evs, err := s.end()
	if err != nil {
		t.Fatalf("expired subscription: %v", err)
	}
	for _, ev := range evs {
		if len(ev.Records) != 0 {
			t.Errorf("unexpected records at expiry: %+v", ev)
		}
	}
	waitReleased(t, e, 0)
	// The client resubscribes from the continuation number.
	putRecords(t, e.Kinesis, "idle", "r3")
	s = subscribeTo(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(seq)})
	if recs, _ := s.records(1); string(recs[0].Data) != "r3" {
		t.Fatalf("resubscribed: %s", recs[0].Data)
	}
}

// TestFanOutTakeover: a second subscription for the same consumer and
// shard fails within 5 seconds of the first and takes over after that; the
// first ends with ResourceInUseException. Other consumers are independent.
func TestFanOutTakeover(t *testing.T) {
	e, fake, arn := fakeFanOut(t, "take")
	latest := &types.StartingPosition{Type: types.ShardIteratorTypeLatest}
	first := subscribeTo(t, fresh(t, e), arn, "shardId-000000000000", latest)

	fake.Advance(4 * time.Second)
	_, err := trySubscribe(t, fresh(t, e), arn, "shardId-000000000000", latest)
	riu, ok := errAs[*types.ResourceInUseException](err)
	if !ok || riu.ErrorMessage() != "Another active subscription exists for this consumer: 000000000000:take:shardId-000000000000:reader" {
		t.Fatalf("second subscription within 5 s: %v", err)
	}
	other := registerOther(t, e, fake, "take", "other")
	third := subscribeTo(t, fresh(t, e), other, "shardId-000000000000", latest)

	fake.Advance(time.Second)
	second := subscribeTo(t, fresh(t, e), arn, "0", latest)
	_, err = first.end()
	if riu, ok := errAs[*types.ResourceInUseException](err); !ok || !strings.HasPrefix(riu.ErrorMessage(), "Another active subscription exists for this consumer") {
		t.Fatalf("replaced subscription ended with %v", err)
	}
	seq := putRecords(t, e.Kinesis, "take", "x")[0]
	for _, s := range []*sub{second, third} {
		if recs, _ := s.records(1); *recs[0].SequenceNumber != seq {
			t.Fatalf("record %s", *recs[0].SequenceNumber)
		}
	}
}

// registerOther registers a second consumer and makes it ACTIVE.
func registerOther(t *testing.T, e *testenv.Env, fake *clock.Fake, stream, name string) string {
	t.Helper()
	arn := register(t, e.Kinesis, stream, name)
	// CREATING lasts the default CreateDelay of the test env (1 ms).
	fake.Advance(time.Millisecond)
	waitConsumer(t, e.Kinesis, arn, types.ConsumerStatusActive)
	return arn
}

// TestFanOutMillisBehindLatest: an event that does not reach the tip says
// how far behind it is; one that does says 0.
func TestFanOutMillisBehindLatest(t *testing.T) {
	e, fake, arn := fakeFanOut(t, "behind")
	big := strings.Repeat("x", 1000<<10)
	// Four records of 1000 KiB: the first read (2 MiB) stops after three.
	putRecords(t, e.Kinesis, "behind", big, big, big, big)
	fake.Advance(7 * time.Second)
	s := subscribeTo(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon})
	_, evs := s.records(4)
	if *evs[0].MillisBehindLatest != 7000 {
		t.Errorf("first event %d records, %d ms behind, want 7000", len(evs[0].Records), *evs[0].MillisBehindLatest)
	}
	if last := evs[len(evs)-1]; *last.MillisBehindLatest != 0 {
		t.Errorf("last event %d ms behind", *last.MillisBehindLatest)
	}
	for i, ev := range evs {
		for _, r := range ev.Records {
			if len(r.Data) != len(big) {
				t.Fatalf("event %d: record of %d bytes", i, len(r.Data))
			}
		}
	}
}

// TestFanOutAtTimestamp: AT_TIMESTAMP starts at the first record that
// arrived at or after the timestamp; a future one is refused.
func TestFanOutAtTimestamp(t *testing.T) {
	e, fake, arn := fakeFanOut(t, "ts")
	putRecords(t, e.Kinesis, "ts", "early")
	fake.Advance(time.Second)
	at := fake.Now()
	putRecords(t, e.Kinesis, "ts", "late")
	s := subscribeTo(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp, Timestamp: &at})
	if recs, _ := s.records(1); string(recs[0].Data) != "late" {
		t.Fatalf("AT_TIMESTAMP read %s", recs[0].Data)
	}
	s.close()
	waitReleased(t, e, 0)
	future := fake.Now().Add(time.Hour)
	_, err := trySubscribe(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp, Timestamp: &future})
	if ia, ok := errAs[*types.InvalidArgumentException](err); !ok || !strings.HasPrefix(ia.ErrorMessage(), "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis.") {
		t.Fatalf("future AT_TIMESTAMP: %v", err)
	}
}

// pacer is a FanOutLimiter that asks for a fixed wait and records its calls.
type pacer struct {
	wait  time.Duration
	mu    sync.Mutex
	calls []string
}

func (p *pacer) Delay(stream, consumerARN, shardID string, n int, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, fmt.Sprintf("%s %s %s %d", stream, consumerARN, shardID, n))
	return p.wait
}

// TestFanOutLimiterHook: Options.FanOutLimiter is asked before each event
// with records and its wait is kept, on the service's clock.
func TestFanOutLimiterHook(t *testing.T) {
	p := &pacer{wait: time.Second}
	e, fake, arn := fakeFanOutWith(t, "paced", func(c *node.Config) { c.Streams.FanOutLimiter = p })
	s := subscribeTo(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeLatest})
	timers := fake.PendingTimers()
	putRecords(t, e.Kinesis, "paced", "slow")
	// The subscription arms its wait.
	for i := 0; fake.PendingTimers() == timers; i++ {
		if i > 5000 {
			t.Fatal("the limiter's wait was never armed")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case ev := <-s.events:
		t.Fatalf("event before the limiter's wait: %+v", ev)
	default:
	}
	fake.Advance(time.Second)
	if recs, _ := s.records(1); string(recs[0].Data) != "slow" {
		t.Fatalf("read %s", recs[0].Data)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if want := "paced " + arn + " shardId-000000000000 6"; len(p.calls) != 1 || p.calls[0] != want {
		t.Errorf("limiter calls %q, want %q", p.calls, want)
	}
}
