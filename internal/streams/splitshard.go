package streams

// SplitShard splits an open shard of a provisioned stream in two at
// NewStartingHashKey, which must lie strictly inside the shard's range
// (each child gets at least two hash keys). The stream is UPDATING for
// Options.UpdateDelay, writes still going to the parent; then the parent
// closes (keeping its records readable until they expire) and two children
// take over: [start, key-1] and [key, end], with the next shard ids.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/hashkey"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) SplitShard(ctx context.Context, in *kinesisapi.SplitShardInput) error {
	c := s.callerOf(ctx)
	name, err := s.streamNameOrID(c, in.StreamName, in.StreamARN, in.StreamId)
	if err != nil {
		return err
	}
	idx, ok := parseShardID(in.ShardToSplit)
	if !ok {
		return errCouldNotFindShard(in.ShardToSplit, name, c.acct)
	}
	return s.change(ctx, in.StreamName, in.StreamARN, in.StreamId, func(c caller, st *stream, sn *snapshot) error {
		sh := sn.byIndex[idx]
		if sh == nil {
			return errCouldNotFindShard(shardIDString(idx), sn.m.Name, c.acct)
		}
		key, err := hashkey.Parse(in.NewStartingHashKey)
		start2 := sh.hashRange.Start.AddUint64(1)
		if err != nil || key.Cmp(start2) <= 0 || key.Cmp(sh.hashRange.End) >= 0 {
			// AWS.
			return awsproto.Errorf(awsproto.InvalidArgument, "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.",
				in.NewStartingHashKey, sh.id, sn.m.Name, c.acct, sh.hashRange.Start, sh.hashRange.End)
		}
		if sh.m.Closed {
			return errAlreadyResharded(sh.id, sn.m.Name, c.acct)
		}
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		if sn.m.Mode == modeOnDemand {
			return errOnDemand(sn.m.Name, c.acct)
		}
		if err := s.checkShardLimit(c, 1); err != nil {
			return err
		}
		p := newPlanner(sn, cloneMeta(sn.m))
		p.split(idx, key)
		return s.startReshardLocked(st, sn, p, nil)
	})
}

// AWS.
func errAlreadyResharded(shardID, name, acct string) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for merging or splitting.", shardID, name, acct)
}
