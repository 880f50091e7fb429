package streams

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/logstore"
)

// A subscription's delivery loop runs in the request's goroutine, which owns
// the response: it reads from its position, sends what it read, and when
// it has caught up waits for whichever comes first of
//
//   - the log's Watch channel (closed by the append that is acknowledged,
//     so a record goes out as soon as it is durable: no polling),
//   - the stream's snapshot changing (deregistration, deletion, resharding),
//   - the idle timer (an empty event after 5 s without one),
//   - the 5-minute expiry, a takeover, the client leaving, shutdown.
//
// Each subscriber reads the shard log itself: records of the tail are in
// memory and shared, so many subscribers on one shard cost one decode and
// one encode each, and a slow subscriber never holds back a fast one.

// Read sizes and the event budget. An event must stay under the event-stream
// payload cap (16 MiB). A batch is split by a worst-case estimate of its
// JSON size (base64 data, partition keys at 6 bytes per character when
// every one is escaped, fixed fields); any single record fits on its own,
// since data and partition key together are at most 10 MiB.
const (
	subscribeReadRecords = 10000
	subscribeReadBytes   = 2 << 20
	eventBudget          = 8 << 20
	eventRecordOverhead  = 200 // sequence number, timestamp, member names, encryption type (JSON: 180)
)

// delivery is one subscription being served.
type delivery struct {
	s            *Service
	c            caller
	st           *stream
	slot         *subscription
	shard        uint64
	shardID      string
	consumerARN  string
	consumerName string

	pos  uint64 // next record number to deliver
	cont string // ContinuationSequenceNumber: the last delivered record's number

	expiry, idle clock.Timer
}

// stop releases the subscription's slot and timers.
func (d *delivery) stop() {
	d.expiry.Stop()
	d.idle.Stop()
	d.s.fan.release(d.slot)
}

// errEnded ends a subscription without an error event (expiry, shutdown,
// client gone).
var errEnded = errors.New("subscription ended")

// run delivers until the subscription ends.
func (d *delivery) run(ctx context.Context, es awsproto.EventSender) error {
	err := d.loop(ctx, es)
	if errors.Is(err, errEnded) {
		return nil
	}
	return err
}

func (d *delivery) loop(ctx context.Context, es awsproto.EventSender) error {
	s := d.s
	for {
		if err := d.ended(ctx); err != nil {
			return err
		}
		sn := d.st.load()
		if _, err := readyConsumer(d.c, sn, d.consumerARN, d.consumerName, s.now()); err != nil || d.st.isGone() {
			if err == nil {
				err = errConsumerARNNotFound(d.consumerARN)
			}
			return err
		}
		sh := sn.byIndex[d.shard]
		if sh == nil {
			return errShardDoesNotExist(d.shardID, sn.m.Name, d.c.acct)
		}
		res, err := s.logs.Read(sh.log, d.pos, subscribeReadRecords, subscribeReadBytes)
		if err != nil {
			return d.readError(sh, err)
		}
		if len(res.Records) > 0 {
			if err := d.sendRecords(ctx, es, sn, sh, res); err != nil {
				return err
			}
			continue
		}
		if res.Next < res.Tail {
			// Records exist but none came back: waiting would spin.
			return &awsproto.Error{Exception: awsproto.InternalFailure, Message: "Internal service failure.",
				Err: fmt.Errorf("read of %s at %d returned nothing below the tail %d", sh.id, res.Next, res.Tail)}
		}
		d.pos = max(d.pos, res.Next)
		var wake <-chan struct{}
		switch {
		case res.Closed && sh.m.Closed:
			return d.sendShardEnd(es, sn, sh)
		case res.Closed:
			// The log closes a moment before the resharding that closed
			// it is published: wait for the snapshot (sn.changed).
		default:
			if wake, err = s.logs.Watch(sh.log, d.pos); err != nil {
				return d.readError(sh, err)
			}
		}
		select {
		case <-wake:
		case <-sn.changed:
		case <-d.idle.C():
			ev := &kinesisapi.SubscribeToShardEvent{Records: []kinesisapi.Record{}, ContinuationSequenceNumber: d.cont}
			if err := d.send(es, ev); err != nil {
				return err
			}
		case <-d.expiry.C():
			return errEnded
		case <-d.slot.replaced:
			return d.replacedError(sn)
		case <-ctx.Done():
			return errEnded
		case <-s.closed:
			return errEnded
		}
	}
}

// ended reports, without waiting, why the subscription must end, if it must.
func (d *delivery) ended(ctx context.Context) error {
	select {
	case <-d.expiry.C():
		return errEnded
	case <-d.slot.replaced:
		return d.replacedError(d.st.load())
	case <-ctx.Done():
		return errEnded
	case <-d.s.closed:
		return errEnded
	default:
		return nil
	}
}

func (d *delivery) replacedError(sn *snapshot) error {
	return errSubscriptionInUse(d.c.acct, sn.m.Name, d.shardID, d.consumerName)
}

// readError maps a log error met while delivering.
func (d *delivery) readError(sh *shard, err error) error {
	if errors.Is(err, logstore.ErrLogNotFound) {
		// The stream was deleted (its logs go with it).
		return errConsumerARNNotFound(d.consumerARN)
	}
	return d.s.logError(d.st, sh, err)
}

// sendRecords sends a read's records in events under the size budget.
func (d *delivery) sendRecords(ctx context.Context, es awsproto.EventSender, sn *snapshot, sh *shard, res logstore.ReadResult) error {
	s := d.s
	recs := res.Records
	out, err := s.recordsOutput(sn, recs, sh)
	if err != nil {
		return s.logError(d.st, sh, err)
	}
	for start := 0; start < len(recs); {
		end, size := eventEnd(recs, start)
		if err := d.pace(ctx, sn, size); err != nil {
			return err
		}
		now := s.now()
		var behind int64
		if end < len(recs) || res.Next < res.Tail {
			behind = max(0, now.UnixMilli()-recs[end-1].Timestamp)
		}
		ev := &kinesisapi.SubscribeToShardEvent{
			Records:                    out[start:end],
			ContinuationSequenceNumber: out[end-1].SequenceNumber,
			MillisBehindLatest:         behind,
		}
		if err := d.send(es, ev); err != nil {
			return err
		}
		// The sequence numbers share one buffer per read: keep a copy.
		d.cont = strings.Clone(ev.ContinuationSequenceNumber)
		d.pos = recs[end-1].Number + 1
		s.m.recordsOut.Add(end - start)
		s.m.bytesOut.Add(size)
		start = end
	}
	return nil
}

// eventEnd returns where the event starting at recs[start] ends (at least
// one record, then as many as fit the budget) and its data and partition
// key bytes.
func eventEnd(recs []logstore.Record, start int) (end, size int) {
	estimate := 0
	for end = start; end < len(recs); end++ {
		r := &recs[end]
		e := (len(r.Data)+2)/3*4 + 6*len(r.PartitionKey) + eventRecordOverhead
		if end > start && estimate+e > eventBudget {
			break
		}
		estimate += e
		size += len(r.Data) + len(r.PartitionKey)
	}
	return end, size
}

// send sends an event. The idle timer restarts first, so a client that has
// seen the event knows the next idle event is due idleEventInterval later
// (tests driving a fake clock rely on this).
func (d *delivery) send(es awsproto.EventSender, ev *kinesisapi.SubscribeToShardEvent) error {
	resetTimer(d.idle, idleEventInterval)
	return kinesisapi.SendSubscribeToShardEvent(es, ev)
}

// pace waits as long as the FanOutLimiter asks before n bytes go out.
func (d *delivery) pace(ctx context.Context, sn *snapshot, n int) error {
	lim := d.s.opts.FanOutLimiter
	if lim == nil {
		return nil
	}
	wait := lim.Delay(sn.m.Name, d.consumerARN, d.shardID, n, d.s.now())
	if wait <= 0 {
		return nil
	}
	t := d.s.clock.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-d.slot.replaced:
		return d.replacedError(sn)
	case <-ctx.Done():
		return errEnded
	case <-d.s.closed:
		return errEnded
	}
}

// shardEndEvent is the last event of a closed shard: no records,
// ChildShards, and no ContinuationSequenceNumber, which is how clients (the
// KCL checks exactly this) recognise the shard's end. The generated event
// always writes ContinuationSequenceNumber (the model marks it required),
// so this event is written with GetRecordsOutput's encoder, whose members
// Records, MillisBehindLatest and ChildShards are the same.
type shardEndEvent struct{ out kinesisapi.GetRecordsOutput }

func (e *shardEndEvent) AppendAWS(enc awsproto.Encoding, dst []byte) []byte {
	return e.out.AppendAWS(enc, dst)
}

func (d *delivery) sendShardEnd(es awsproto.EventSender, sn *snapshot, sh *shard) error {
	var zero int64
	ev := &shardEndEvent{kinesisapi.GetRecordsOutput{Records: []kinesisapi.Record{}, MillisBehindLatest: &zero, ChildShards: childShards(sn, sh)}}
	if err := es.Send("SubscribeToShardEvent", ev); err != nil {
		return err
	}
	return errEnded
}

// resetTimer re-arms t for d, dropping a fire nobody read.
func resetTimer(t clock.Timer, d time.Duration) {
	if !t.Stop() {
		select {
		case <-t.C():
		default:
		}
	}
	t.Reset(d)
}
