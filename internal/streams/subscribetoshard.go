package streams

// SubscribeToShard (enhanced fan-out) pushes a shard's records to an ACTIVE
// consumer over an event stream (HTTP/2 with h2c or TLS, or HTTP/1.1):
// after checking the consumer, the shard and the StartingPosition
// (TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER,
// AT_TIMESTAMP, with GetShardIterator's rules and texts) it sends the
// initial-response, then SubscribeToShardEvents as records are acknowledged
// (woken by the log, never by polling), an empty event after 5 seconds
// without one, and at the end of a closed shard a last event with
// ChildShards and no ContinuationSequenceNumber. Every other event's
// ContinuationSequenceNumber is the number of the last record delivered or,
// before the first, the number just before the start position (for a shard
// read from its beginning, its StartingSequenceNumber), so that resubscribing
// with AFTER_SEQUENCE_NUMBER and it resumes exactly where the event left
// off; MillisBehindLatest is 0 when the event reaches the tip of the shard,
// else how long ago its last record arrived (as in GetRecords). Events stay
// under the 16 MiB event cap (large reads are split). A subscription lasts 5
// minutes. A second one for the same consumer and shard fails with
// ResourceInUseException within 5 seconds of the first and takes over
// after that (the first then ends with ResourceInUseException). Deregistering
// the consumer or deleting the stream ends it with the error a new
// subscription would get; server shutdown ends it quietly. Delivery is
// described in subscription.go.

import (
	"context"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/meta"
)

func (s *Service) SubscribeToShard(ctx context.Context, in *kinesisapi.SubscribeToShardInput, es awsproto.EventSender) error {
	d, err := s.subscribe(ctx, in)
	if err != nil {
		return err
	}
	defer d.stop()
	if err := es.Start(); err != nil {
		return err
	}
	return d.run(ctx, es)
}

// subscribe checks a SubscribeToShard request and claims its slot.
func (s *Service) subscribe(ctx context.Context, in *kinesisapi.SubscribeToShardInput) (*delivery, error) {
	c := s.callerOf(ctx)
	streamName, consumerName, err := parseConsumerARN(c, in.ConsumerARN)
	if err != nil {
		return nil, err
	}
	_, st, sn, err := s.resolve(ctx, &streamName, nil, in.StreamId)
	if err != nil {
		if isNotFound(err) {
			return nil, errConsumerARNNotFound(in.ConsumerARN)
		}
		return nil, err
	}
	now := s.now()
	cons, err := readyConsumer(c, sn, in.ConsumerARN, consumerName, now)
	if err != nil {
		return nil, err
	}
	idx, ok := parseShardID(in.ShardId)
	if !ok {
		return nil, errCouldNotFindShard(in.ShardId, sn.m.Name, c.acct)
	}
	if err := s.consumerLimits.admitSubscribe(in.ConsumerARN, shardIDString(idx), now); err != nil {
		return nil, err
	}
	sh := sn.byIndex[idx]
	if sh == nil || !readable(sn.status(now)) {
		return nil, errShardDoesNotExist(shardIDString(idx), sn.m.Name, c.acct)
	}
	sp := in.StartingPosition
	if sp == nil {
		// The model requires it; Validate has already refused its absence.
		sp = &kinesisapi.StartingPosition{}
	}
	var pos uint64
	if pos, err = s.startPosition(c, st, sn, sh, sp.Type, sp.SequenceNumber, sp.Timestamp); err != nil {
		return nil, err
	}
	// Record numbers start at 1; position 0 (a shard's
	// StartingSequenceNumber) reads from the first record.
	pos = max(pos, 1)
	slot, ok := s.fan.acquire(subKey{consumer: cons.ARN, shard: idx}, now)
	if !ok {
		return nil, errSubscriptionInUse(c.acct, sn.m.Name, sh.id, cons.Name)
	}
	d := &delivery{
		s: s, c: c, st: st, slot: slot,
		shard: idx, shardID: sh.id,
		consumerARN:  strings.Clone(cons.ARN),
		consumerName: cons.Name,
		pos:          pos,
		// Before any record, the number just before the start position:
		// AFTER_SEQUENCE_NUMBER with it resumes exactly here.
		cont: string(sh.base.Append(nil, pos-1)),
	}
	// The timers exist before the client sees the initial response, so
	// that tests driving a fake clock cannot advance it past them.
	d.expiry = s.clock.NewTimer(subscriptionLifetime)
	d.idle = s.clock.NewTimer(idleEventInterval)
	return d, nil
}

// readyConsumer returns the consumer with ARN arn (named name) if it may
// read now.
func readyConsumer(c caller, sn *snapshot, arn, name string, now time.Time) (*meta.Consumer, error) {
	cons := sn.consumers[name]
	if cons == nil || cons.ARN != arn || consumerStatus(cons, now) == statusGone {
		return nil, errConsumerARNNotFound(arn)
	}
	// A stream being deleted takes its consumers with it.
	switch sn.status(now) {
	case statusGone:
		return nil, errConsumerARNNotFound(arn)
	case statusDeleting:
		return nil, errConsumerNotActive(cons.Name, cons.Created, sn.m.Name, c.acct)
	}
	if consumerStatus(cons, now) != statusActive {
		return nil, errConsumerNotActive(cons.Name, cons.Created, sn.m.Name, c.acct)
	}
	return cons, nil
}
