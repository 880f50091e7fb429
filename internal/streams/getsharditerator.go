package streams

// GetShardIterator returns a sealed, stateless iterator (valid 5 minutes)
// for TRIM_HORIZON (the oldest retained record), LATEST (after the newest),
// AT_SEQUENCE_NUMBER / AFTER_SEQUENCE_NUMBER (a number of this shard and
// this incarnation of the stream; the shard's StartingSequenceNumber reads
// from its first record) and AT_TIMESTAMP (the first record that arrived at
// or after Timestamp; before the trim horizon means the oldest retained
// record). Closed shards still give iterators.

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/logstore"
)

func (s *Service) GetShardIterator(ctx context.Context, in *kinesisapi.GetShardIteratorInput) (*kinesisapi.GetShardIteratorOutput, error) {
	c := s.callerOf(ctx)
	name, err := s.streamNameOrID(c, in.StreamName, in.StreamARN, in.StreamId)
	if err != nil {
		return nil, err
	}
	idx, ok := parseShardID(in.ShardId)
	if !ok {
		return nil, errCouldNotFindShard(in.ShardId, name, c.acct)
	}
	shardID := shardIDString(idx)
	_, st, sn, err := s.resolve(ctx, in.StreamName, in.StreamARN, in.StreamId)
	if err != nil {
		// AWS reports a missing stream as a missing shard here; other
		// errors (conflicting identifiers) stand.
		if awsproto.AsError(err).Exception == awsproto.ResourceNotFound {
			return nil, errShardDoesNotExist(shardID, name, c.acct)
		}
		return nil, err
	}
	sh := sn.byIndex[idx]
	if sh == nil || !readable(sn.status(s.now())) {
		return nil, errShardDoesNotExist(shardID, name, c.acct)
	}
	pos, err := s.startPosition(c, st, sn, sh, in.ShardIteratorType, in.StartingSequenceNumber, in.Timestamp)
	if err != nil {
		return nil, err
	}
	now := s.now()
	tok := s.tokens.Seal(iteratorToken{Epoch: sn.epoch, Tag: sn.m.Incarnation, Shard: idx, Position: pos, IssuedMs: now.UnixMilli(), Stream: sn.m.Name})
	return &kinesisapi.GetShardIteratorOutput{ShardIterator: &tok}, nil
}

// startPosition is the read position of sh that an iterator type and its
// StartingSequenceNumber or Timestamp name, with GetShardIterator's checks
// and texts (SubscribeToShard's StartingPosition shares them).
func (s *Service) startPosition(c caller, st *stream, sn *snapshot, sh *shard, typ kinesisapi.ShardIteratorType, seq *string, ts *time.Time) (uint64, error) {
	hasSeq := seq != nil
	switch typ {
	case kinesisapi.ShardIteratorTypeAtSequenceNumber, kinesisapi.ShardIteratorTypeAfterSequenceNumber:
		if !hasSeq {
			return 0, errIteratorSpec(string(typ), false)
		}
	case kinesisapi.ShardIteratorTypeTrimHorizon, kinesisapi.ShardIteratorTypeLatest:
		if hasSeq {
			return 0, errIteratorSpec(string(typ), true)
		}
	case kinesisapi.ShardIteratorTypeAtTimestamp:
		if ts == nil {
			return 0, errNoTimestamp()
		}
	}
	var pos uint64
	var err error
	switch typ {
	case kinesisapi.ShardIteratorTypeTrimHorizon:
		pos, err = s.logs.TrimHorizon(sh.log)
	case kinesisapi.ShardIteratorTypeLatest:
		var info logstore.LogInfo
		info, err = s.logs.Info(sh.log)
		pos = info.Tail
	case kinesisapi.ShardIteratorTypeAtTimestamp:
		now := s.now().UnixMilli()
		if ms := ts.UnixMilli(); ms > now {
			return 0, errFutureTimestamp(ms, now)
		}
		pos, err = s.logs.SeekTimestamp(sh.log, ts.UnixMilli())
	default:
		pos, err = s.seqPosition(c, sn, sh, *seq, typ == kinesisapi.ShardIteratorTypeAfterSequenceNumber)
	}
	var apiErr *awsproto.Error
	if err != nil && !errors.As(err, &apiErr) {
		err = s.logError(st, sh, err)
	}
	return pos, err
}

// readable reports whether a stream in status serves reads.
func readable(status string) bool {
	return status == statusActive || status == statusUpdating || status == statusDeleting
}

// seqPosition turns a StartingSequenceNumber into a read position.
func (s *Service) seqPosition(c caller, sn *snapshot, sh *shard, seq string, after bool) (uint64, error) {
	n, err := ParseSeqNum(seq)
	if err != nil {
		return 0, errStartingSeqInvalid(seq, sh.id, sn.m.Name, c.acct)
	}
	if n.Shard != sh.m.Index {
		return 0, errStartingSeqOtherShard(shardIDString(n.Shard), sh.id)
	}
	if n.Epoch != sn.epoch || n.Tag != sn.m.Incarnation {
		return 0, errStartingSeqForeign(seq, sh.id, sn.m.Name, c.acct)
	}
	if sh.m.Closed && n.Record == endRecordMarker {
		if after {
			return 0, errAfterShardEnd()
		}
		return sh.m.EndingRecord + 1, nil
	}
	info, err := s.logs.Info(sh.log)
	if err != nil {
		return 0, err
	}
	if n.Record >= info.Tail {
		// A number this shard has not issued yet.
		return 0, errStartingSeqInvalid(seq, sh.id, sn.m.Name, c.acct)
	}
	if !after {
		return n.Record, nil
	}
	return n.Record + 1, nil
}

// streamNameOrID is the stream name a request addresses, for messages
// produced before the stream is looked up.
func (s *Service) streamNameOrID(c caller, name, arn, id *string) (string, error) {
	if name == nil && arn == nil && id != nil {
		return *id, nil
	}
	return s.streamName(c, name, arn)
}

// logError maps a log store error met while serving a shard; errors meant
// for the client pass through.
func (s *Service) logError(st *stream, sh *shard, err error) error {
	var ce *logstore.CorruptionError
	var ae *awsproto.Error
	switch {
	case errors.As(err, &ae):
		return err // already the client's error (a check of the request)
	case errors.Is(err, logstore.ErrLogNotFound):
		return errShardDoesNotExist(sh.id, st.name, strings.SplitN(st.ns, "/", 2)[0])
	case errors.As(err, &ce):
		s.log.Error("read of damaged shard", "stream", st.name, "shard", sh.id, "err", err)
	}
	return &awsproto.Error{Exception: awsproto.InternalFailure, Message: "Internal service failure.", Err: err}
}
