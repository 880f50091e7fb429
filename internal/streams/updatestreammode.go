package streams

// UpdateStreamMode switches a stream between PROVISIONED and ON_DEMAND
// capacity, at most twice in a rolling 24 hours (as on AWS). The shards are
// kept at the switch; the stream is UPDATING for Options.UpdateDelay.
// Switching to ON_DEMAND may set WarmThroughputMiBps, and counts against the
// on-demand stream limit. From then on the on-demand scaler (scaler.go)
// manages the shard count.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/meta"
)

const maxModeChangesPerDay = 2

func (s *Service) UpdateStreamMode(ctx context.Context, in *kinesisapi.UpdateStreamModeInput) error {
	return s.change(ctx, nil, &in.StreamARN, in.StreamId, func(c caller, st *stream, sn *snapshot) error {
		target := string(in.StreamModeDetails.StreamMode)
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		if target == sn.m.Mode {
			// eddy: AWS's text is not public.
			return awsproto.Errorf(awsproto.InvalidArgument, "Stream %s under account %s is already in %s mode.", sn.m.Name, c.acct, target)
		}
		if in.WarmThroughputMiBps != nil && target != modeOnDemand {
			return errWarmThroughputProvisioned(sn.m.Name, c.acct)
		}
		now := s.now()
		recent := recentTimes(sn.m.ModeChanges, now)
		if len(recent) >= maxModeChangesPerDay {
			// eddy: AWS's text is not public.
			return awsproto.Errorf(awsproto.LimitExceeded, "Stream %s under account %s can switch capacity mode at most %d times in a rolling 24 hour period.", sn.m.Name, c.acct, maxModeChangesPerDay)
		}
		if target == modeOnDemand {
			if _, onDemand := s.namespaceUsage(c.ns); onDemand+1 > s.opts.OnDemandStreamLimit {
				return errOnDemandStreamLimit(c.acct, c.region, onDemand, s.opts.OnDemandStreamLimit)
			}
		}
		m := cloneMeta(sn.m)
		m.Mode, m.ModeChanges = target, append(recent, now)
		m.Status, m.StatusUntil = statusUpdating, now.Add(s.opts.UpdateDelay)
		if in.WarmThroughputMiBps != nil {
			m.WarmThroughput.TargetMiBps = int(*in.WarmThroughputMiBps)
		}
		if target == modeProvisioned {
			m.WarmThroughput = meta.WarmThroughput{}
		}
		return s.commitLocked(st, m, sn.shardMetas(), nil)
	})
}

// eddy: AWS's text is not public.
func errWarmThroughputProvisioned(name, acct string) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "WarmThroughputMiBps can only be set for stream %s under account %s in ON_DEMAND mode.", name, acct)
}
