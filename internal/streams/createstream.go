package streams

// CreateStream creates a provisioned stream with ShardCount shards or an
// on-demand stream (StreamModeDetails ON_DEMAND, 4 shards; also the default
// when neither is given, as on AWS), with tags, a maximum record size and an
// on-demand warm throughput. Shards split the 128-bit hash key space evenly.
// The stream is CREATING for Options.CreateDelay, then ACTIVE. Enforced:
// name in use (any status), the account's shard limit and on-demand stream
// limit, and with AWS limits at most five streams CREATING at once.

import (
	"context"
	"fmt"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/hashkey"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/logstore"
	"github.com/eddy-streams/eddy/internal/meta"
)

const onDemandInitialShards = 4

func (s *Service) CreateStream(ctx context.Context, in *kinesisapi.CreateStreamInput) error {
	c := s.callerOf(ctx)
	mode := modeProvisioned
	if in.StreamModeDetails != nil {
		mode = string(in.StreamModeDetails.StreamMode)
	} else if in.ShardCount == nil {
		mode = modeOnDemand
	}
	shardCount := int(deref(in.ShardCount))
	switch {
	case mode == modeOnDemand && in.ShardCount != nil:
		// AWS (seen through CloudFormation).
		return awsproto.Errorf(awsproto.InvalidArgument, "ShardCount is not expected when StreamMode=ON_DEMAND")
	case mode == modeOnDemand:
		shardCount = onDemandInitialShards
	case in.ShardCount == nil:
		// eddy (LocalStack's wording; AWS's is not public).
		return awsproto.Errorf(awsproto.InvalidArgument, "ShardCount cannot be null when creating stream in PROVISIONED StreamMode")
	}
	if in.WarmThroughputMiBps != nil && mode != modeOnDemand {
		// eddy.
		return awsproto.Errorf(awsproto.InvalidArgument, "WarmThroughputMiBps can only be set for streams in ON_DEMAND mode.")
	}
	if err := checkNewTags(in.StreamName, c.acct, nil, in.Tags); err != nil {
		return err
	}

	s.createMu.Lock()
	defer s.createMu.Unlock()
	s.mu.RLock()
	old := s.streams[streamKey{c.ns, in.StreamName}]
	s.mu.RUnlock()
	if old != nil {
		// A deleted stream whose delete delay has passed is gone even if
		// its timer has not run yet: reap it first.
		if err := s.settle(old); err != nil {
			return err
		}
		if !old.isGone() {
			return errStreamExists(in.StreamName, c.acct)
		}
	}
	if s.opts.Limits.AWS && s.creatingCount(c.ns) >= maxCreating {
		// eddy: AWS documents the limit, not its text.
		return awsproto.Errorf(awsproto.LimitExceeded, "Stream %s under account %s cannot be created: %d streams are already CREATING, the most allowed at once.", in.StreamName, c.acct, maxCreating)
	}
	open, onDemand := s.namespaceUsage(c.ns)
	if open+shardCount > s.opts.ShardLimit {
		return errShardLimit(c.acct, c.region, open, s.opts.ShardLimit, shardCount)
	}
	if mode == modeOnDemand && onDemand+1 > s.opts.OnDemandStreamLimit {
		return errOnDemandStreamLimit(c.acct, c.region, onDemand, s.opts.OnDemandStreamLimit)
	}

	now := s.now()
	m := &meta.Stream{
		Namespace:        c.ns,
		Name:             in.StreamName,
		ARN:              c.streamARN(in.StreamName),
		Status:           statusCreating,
		StatusUntil:      now.Add(s.opts.CreateDelay),
		Created:          now,
		Mode:             mode,
		RetentionHours:   defaultRetentionHours,
		EncryptionType:   string(kinesisapi.EncryptionTypeNone),
		MaxRecordSizeKiB: int(deref(in.MaxRecordSizeInKiB)),
		Tags:             in.Tags,
		NextShardIndex:   uint64(shardCount),
	}
	if m.MaxRecordSizeKiB == 0 {
		m.MaxRecordSizeKiB = defaultMaxRecordSizeKiB
	}
	if m.Tags == nil {
		m.Tags = map[string]string{}
	}
	if in.WarmThroughputMiBps != nil {
		m.WarmThroughput.TargetMiBps = int(*in.WarmThroughputMiBps)
	}
	shards := make([]meta.Shard, shardCount)
	err := s.catalog.Update(func(tx *meta.Tx) error {
		if err := tx.CreateStream(m); err != nil {
			return err
		}
		for i, r := range hashkey.SplitEvenly(shardCount) {
			id, err := tx.NextLogID()
			if err != nil {
				return err
			}
			shards[i] = meta.Shard{Index: uint64(i), LogID: id, StartingHashKey: r.Start, EndingHashKey: r.End, Created: now}
			if err := tx.PutShard(m.Namespace, m.Name, shards[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create stream %s: %w", in.StreamName, err)
	}
	// The logs are created after the commit: a crash in between leaves
	// catalog shards without logs, which New creates (they never held data).
	for _, sh := range shards {
		if err := s.logs.CreateLog(logstore.LogID(sh.LogID), logstore.LogConfig{Retention: hoursDuration(m.RetentionHours)}); err != nil {
			return fmt.Errorf("create stream %s: %w", in.StreamName, err)
		}
	}
	st := newStream(c.ns, in.StreamName)
	st.publish(buildSnapshot(m, shards, nil))
	s.register(st)
	s.schedule(st)
	return nil
}

// register adds a stream to the lookup maps.
func (s *Service) register(st *stream) {
	sn := st.load()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streams[streamKey{st.ns, st.name}] = st
	s.byTag[sn.m.Incarnation] = st
	s.byID[sn.m.ID] = st
}

// maxCreating is how many streams may be CREATING at once (AWS limits).
const maxCreating = 5

// creatingCount counts a namespace's streams in CREATING.
func (s *Service) creatingCount(ns string) int {
	n, now := 0, s.now()
	for _, st := range s.namespaceStreams(ns) {
		if st.load().status(now) == statusCreating {
			n++
		}
	}
	return n
}

// namespaceUsage counts the open shards and the on-demand streams of a
// namespace, for the account limits.
func (s *Service) namespaceUsage(ns string) (openShards, onDemandStreams int) {
	now := s.now()
	for _, st := range s.namespaceStreams(ns) {
		sn := st.load()
		if sn.status(now) == statusGone {
			continue
		}
		openShards += sn.openShardCount()
		if sn.m.Mode == modeOnDemand {
			onDemandStreams++
		}
	}
	return openShards, onDemandStreams
}

// namespaceStreams lists the streams of one namespace.
func (s *Service) namespaceStreams(ns string) []*stream {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*stream
	for k, st := range s.streams {
		if k.ns == ns {
			out = append(out, st)
		}
	}
	return out
}
