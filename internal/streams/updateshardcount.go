package streams

// UpdateShardCount rescales a provisioned stream to TargetShardCount shards
// of equal width (UNIFORM_SCALING) by splits and merges (see
// planner.scaleTo), with AWS's limits: at most double or half the open shard
// count, at most 10,000 shards, within the account's shard limit, and at
// most 10 scalings in a rolling 24 hours. The stream is UPDATING for
// Options.UpdateDelay; then the new shards take over.

import (
	"context"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/meta"
)

const (
	maxShardsPerStream = 10000
	maxScalingsPerDay  = 10
)

func (s *Service) UpdateShardCount(ctx context.Context, in *kinesisapi.UpdateShardCountInput) (*kinesisapi.UpdateShardCountOutput, error) {
	var out *kinesisapi.UpdateShardCountOutput
	err := s.change(ctx, in.StreamName, in.StreamARN, in.StreamId, func(c caller, st *stream, sn *snapshot) error {
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		if sn.m.Mode == modeOnDemand {
			return errOnDemand(sn.m.Name, c.acct)
		}
		open, target := sn.openShardCount(), int(in.TargetShardCount)
		switch {
		case target > 2*open:
			// AWS (as kinesalite words it).
			return awsproto.Errorf(awsproto.LimitExceeded, "UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: %d, Target shard count: %d", open, target)
		case 2*target < open:
			return awsproto.Errorf(awsproto.LimitExceeded, "UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: %d, Target shard count: %d", open, target)
		case target > maxShardsPerStream:
			return awsproto.Errorf(awsproto.LimitExceeded, "Target shard count or number of open shards cannot be greater than %d. Current open shard count: %d, Target shard count: %d", maxShardsPerStream, open, target)
		}
		now := s.now()
		recent := recentTimes(sn.m.ShardCountUpdates, now)
		if len(recent) >= maxScalingsPerDay {
			// eddy: AWS's text is not public.
			return awsproto.Errorf(awsproto.LimitExceeded, "UpdateShardCount cannot be called more than %d times in a rolling 24 hour period for stream %s under account %s.", maxScalingsPerDay, sn.m.Name, c.acct)
		}
		if err := s.checkShardLimit(c, target-open); err != nil {
			return err
		}
		out = &kinesisapi.UpdateShardCountOutput{
			StreamName: ptr(sn.m.Name), StreamARN: ptr(sn.m.ARN),
			CurrentShardCount: ptr(int32(open)), TargetShardCount: ptr(int32(target)),
		}
		if target == open {
			return nil
		}
		p := newPlanner(sn, cloneMeta(sn.m))
		p.scaleTo(sn.open, target)
		return s.startReshardLocked(st, sn, p, func(m *meta.Stream) {
			m.ShardCountUpdates = append(recent, now)
		})
	})
	return out, err
}

// recentTimes keeps the times of the last 24 hours.
func recentTimes(ts []time.Time, now time.Time) []time.Time {
	var out []time.Time
	for _, t := range ts {
		if now.Sub(t) < 24*time.Hour {
			out = append(out, t)
		}
	}
	return out
}
