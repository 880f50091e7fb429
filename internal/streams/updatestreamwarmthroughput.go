package streams

// UpdateStreamWarmThroughput sets the write throughput (MiB/s) an on-demand
// stream should be ready for at once. The on-demand scaler keeps at least
// that many shards open (1 MiB/s each); WarmThroughput.CurrentMiBps reports
// the capacity the open shards give now.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) UpdateStreamWarmThroughput(ctx context.Context, in *kinesisapi.UpdateStreamWarmThroughputInput) (*kinesisapi.UpdateStreamWarmThroughputOutput, error) {
	var out *kinesisapi.UpdateStreamWarmThroughputOutput
	err := s.change(ctx, in.StreamName, in.StreamARN, in.StreamId, func(c caller, st *stream, sn *snapshot) error {
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		if sn.m.Mode != modeOnDemand {
			return errWarmThroughputProvisioned(sn.m.Name, c.acct)
		}
		m := cloneMeta(sn.m)
		m.WarmThroughput.TargetMiBps = int(in.WarmThroughputMiBps)
		if err := s.commitLocked(st, m, sn.shardMetas(), nil); err != nil {
			return err
		}
		out = &kinesisapi.UpdateStreamWarmThroughputOutput{
			StreamName: ptr(sn.m.Name), StreamARN: ptr(sn.m.ARN),
			WarmThroughput: &kinesisapi.WarmThroughputObject{
				TargetMiBps:  ptr(in.WarmThroughputMiBps),
				CurrentMiBps: ptr(int32(sn.openShardCount() * shardWriteMiBps)),
			},
		}
		// Scale towards the target now rather than at the next tick.
		return s.scaleLocked(c, st, 0)
	})
	return out, err
}
