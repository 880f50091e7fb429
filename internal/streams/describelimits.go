package streams

// DescribeLimits reports the account's shard limit and on-demand stream
// limit (Options.ShardLimit, Options.OnDemandStreamLimit) and current use in
// the caller's account and region.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) DescribeLimits(ctx context.Context, _ *kinesisapi.DescribeLimitsInput) (*kinesisapi.DescribeLimitsOutput, error) {
	c := s.callerOf(ctx)
	open, onDemand := s.namespaceUsage(c.ns)
	return &kinesisapi.DescribeLimitsOutput{
		ShardLimit:               int32(s.opts.ShardLimit),
		OpenShardCount:           int32(open),
		OnDemandStreamCount:      int32(onDemand),
		OnDemandStreamCountLimit: int32(s.opts.OnDemandStreamLimit),
	}, nil
}
