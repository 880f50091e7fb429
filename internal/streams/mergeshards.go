package streams

// MergeShards merges two adjacent open shards of a provisioned stream:
// ShardToMerge's range must end just before AdjacentShardToMerge's begins.
// The stream is UPDATING for Options.UpdateDelay; then both parents close
// and one child covering both ranges takes over, with ParentShardId =
// ShardToMerge and AdjacentParentShardId = AdjacentShardToMerge.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) MergeShards(ctx context.Context, in *kinesisapi.MergeShardsInput) error {
	c := s.callerOf(ctx)
	name, err := s.streamNameOrID(c, in.StreamName, in.StreamARN, in.StreamId)
	if err != nil {
		return err
	}
	lo, ok := parseShardID(in.ShardToMerge)
	if !ok {
		return errCouldNotFindShard(in.ShardToMerge, name, c.acct)
	}
	hi, ok := parseShardID(in.AdjacentShardToMerge)
	if !ok {
		return errCouldNotFindShard(in.AdjacentShardToMerge, name, c.acct)
	}
	return s.change(ctx, in.StreamName, in.StreamARN, in.StreamId, func(c caller, st *stream, sn *snapshot) error {
		a, b := sn.byIndex[lo], sn.byIndex[hi]
		if a == nil {
			return errCouldNotFindShard(shardIDString(lo), sn.m.Name, c.acct)
		}
		if b == nil {
			return errCouldNotFindShard(shardIDString(hi), sn.m.Name, c.acct)
		}
		if next, over := a.hashRange.End.Add(oneKey); over || next != b.hashRange.Start {
			// AWS (no final period).
			return awsproto.Errorf(awsproto.InvalidArgument, "Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging", a.id, b.id, sn.m.Name, c.acct)
		}
		for _, sh := range []*shard{a, b} {
			if sh.m.Closed {
				return errAlreadyResharded(sh.id, sn.m.Name, c.acct)
			}
		}
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		if sn.m.Mode == modeOnDemand {
			return errOnDemand(sn.m.Name, c.acct)
		}
		p := newPlanner(sn, cloneMeta(sn.m))
		p.merge(lo, hi)
		return s.startReshardLocked(st, sn, p, nil)
	})
}
