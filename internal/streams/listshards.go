package streams

// ListShards lists a stream's shards in shard-id order, 1,000 per page, with
// ExclusiveStartShardId, StreamCreationTimestamp (to address one incarnation
// of a name), NextToken (sealed, valid 300 seconds, re-applying the first
// call's filter) and every ShardFilter type: AFTER_SHARD_ID,
// AT_TRIM_HORIZON, FROM_TRIM_HORIZON (the default), AT_LATEST, AT_TIMESTAMP
// and FROM_TIMESTAMP. Closed shards whose records have all expired are not
// listed.

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

const listShardsMax = 1000

// shardFilter is a ShardFilter resolved to a predicate's parameters.
type shardFilter struct {
	typ      kinesisapi.ShardFilterType
	after    uint64 // AFTER_SHARD_ID and ExclusiveStartShardId
	hasAfter bool
	at       time.Time // AT_TIMESTAMP / FROM_TIMESTAMP
}

func (s *Service) ListShards(ctx context.Context, in *kinesisapi.ListShardsInput) (*kinesisapi.ListShardsOutput, error) {
	c := s.callerOf(ctx)
	named := in.StreamName != nil || in.StreamARN != nil || in.StreamId != nil
	f := shardFilter{typ: kinesisapi.ShardFilterTypeFromTrimHorizon}
	var st *stream
	var sn *snapshot
	if in.NextToken != nil {
		switch {
		case named:
			return nil, errListShardsArgs("NextToken and StreamName cannot be provided together.") // AWS
		case in.ShardFilter != nil:
			return nil, errListShardsArgs("NextToken and ShardFilter cannot be provided together.") // AWS
		case in.ExclusiveStartShardId != nil:
			return nil, errListShardsArgs("NextToken and ExclusiveStartShardId cannot be provided together.") // eddy
		case in.StreamCreationTimestamp != nil:
			return nil, errListShardsArgs("NextToken and StreamCreationTimestamp cannot be provided together.") // eddy
		}
		t, err := s.openPage(*in.NextToken, pageListShards, c.ns)
		if err != nil {
			return nil, err
		}
		if st, sn, err = s.lookup(c, t.Stream); err != nil {
			return nil, err
		}
		if sn.epoch != t.Epoch {
			return nil, errStreamNotFound(t.Stream, c.acct)
		}
		if f, err = decodeShardFilter(t.Filter); err != nil {
			return nil, errInvalidNextToken()
		}
		f.after, f.hasAfter = parseShardID(t.After)
	} else {
		if !named {
			return nil, errListShardsArgs("Either NextToken or StreamName should be provided.") // AWS
		}
		var err error
		if _, st, sn, err = s.resolve(ctx, in.StreamName, in.StreamARN, in.StreamId); err != nil {
			return nil, err
		}
		if in.StreamCreationTimestamp != nil && in.StreamCreationTimestamp.UnixMilli()/1000 != sn.m.Created.Unix() {
			return nil, errStreamNotFound(sn.m.Name, c.acct)
		}
		if f, err = s.filterFrom(c, in, sn); err != nil {
			return nil, err
		}
	}
	now := s.now()
	if status := sn.status(now); status == statusCreating || status == statusDeleting {
		return nil, errNotActive(sn.m.Name, c.acct, status)
	}
	limit := listShardsMax
	if in.MaxResults != nil && int(*in.MaxResults) < limit {
		limit = int(*in.MaxResults)
	}
	horizon := now.Add(-hoursDuration(sn.m.RetentionHours))
	out := &kinesisapi.ListShardsOutput{Shards: []kinesisapi.Shard{}}
	more := false
	for _, sh := range sn.shards {
		if f.hasAfter && sh.m.Index <= f.after || sn.expired(sh, now) || !f.keep(sh, sn, horizon) {
			continue
		}
		if len(out.Shards) == limit {
			more = true
			break
		}
		out.Shards = append(out.Shards, sh.describe())
	}
	if more {
		out.NextToken = ptr(s.sealPage(pageToken{
			Kind: pageListShards, NS: c.ns, Stream: st.name, Epoch: sn.epoch,
			After: out.Shards[len(out.Shards)-1].ShardId, IssuedMs: now.UnixMilli(), Filter: f.encode(),
		}))
	}
	return out, nil
}

// filterFrom checks and resolves the request's ShardFilter and
// ExclusiveStartShardId.
func (s *Service) filterFrom(c caller, in *kinesisapi.ListShardsInput, sn *snapshot) (shardFilter, error) {
	f := shardFilter{typ: kinesisapi.ShardFilterTypeFromTrimHorizon}
	if in.ExclusiveStartShardId != nil {
		f.after, f.hasAfter = parseShardID(*in.ExclusiveStartShardId)
	}
	sf := in.ShardFilter
	if sf == nil {
		return f, nil
	}
	f.typ = sf.Type
	switch sf.Type {
	case kinesisapi.ShardFilterTypeAfterShardId:
		if sf.ShardId == nil {
			// eddy.
			return f, awsproto.Errorf(awsproto.InvalidArgument, "ShardId must be specified in the ShardFilter when its Type is AFTER_SHARD_ID.")
		}
		idx, ok := parseShardID(*sf.ShardId)
		if !ok {
			return f, errCouldNotFindShard(*sf.ShardId, sn.m.Name, c.acct)
		}
		if !f.hasAfter || idx > f.after {
			f.after, f.hasAfter = idx, true
		}
	case kinesisapi.ShardFilterTypeAtTimestamp, kinesisapi.ShardFilterTypeFromTimestamp:
		if sf.Timestamp == nil {
			// eddy.
			return f, awsproto.Errorf(awsproto.InvalidArgument, "Timestamp must be specified in the ShardFilter when its Type is %s.", sf.Type)
		}
		f.at = *sf.Timestamp
	}
	return f, nil
}

// keep reports whether the filter lists sh. horizon is the trim horizon.
func (f shardFilter) keep(sh *shard, sn *snapshot, horizon time.Time) bool {
	openAt := func(t time.Time) bool {
		// Shards created with the stream count as open from its creation.
		if t.Before(sn.m.Created) {
			t = sn.m.Created
		}
		return !sh.m.Created.After(t) && (!sh.m.Closed || !sh.m.ClosedAt.Before(t))
	}
	switch f.typ {
	case kinesisapi.ShardFilterTypeAtLatest:
		return !sh.m.Closed
	case kinesisapi.ShardFilterTypeAtTrimHorizon:
		return openAt(horizon)
	case kinesisapi.ShardFilterTypeAtTimestamp:
		t := f.at
		if t.Before(horizon) {
			t = horizon
		}
		return openAt(t)
	case kinesisapi.ShardFilterTypeFromTimestamp:
		t := f.at
		if t.Before(horizon) {
			t = horizon
		}
		return !sh.m.Closed || !sh.m.ClosedAt.Before(t)
	}
	return true // FROM_TRIM_HORIZON, AFTER_SHARD_ID: every retained shard
}

// encode and decodeShardFilter carry a filter inside a NextToken.
func (f shardFilter) encode() []byte {
	var ms int64
	if !f.at.IsZero() {
		ms = f.at.UnixMilli()
	}
	b := binary.BigEndian.AppendUint64(nil, uint64(ms))
	return append(b, f.typ...)
}

func decodeShardFilter(b []byte) (shardFilter, error) {
	if len(b) < 8 {
		return shardFilter{}, errTokenFormat
	}
	f := shardFilter{typ: kinesisapi.ShardFilterType(b[8:])}
	if ms := int64(binary.BigEndian.Uint64(b)); ms != 0 {
		f.at = time.UnixMilli(ms)
	}
	return f, nil
}
