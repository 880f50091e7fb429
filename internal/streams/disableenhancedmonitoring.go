package streams

// DisableEnhancedMonitoring turns off shard-level metrics ("ALL" means all
// seven); see setMonitoring.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) DisableEnhancedMonitoring(ctx context.Context, in *kinesisapi.DisableEnhancedMonitoringInput) (*kinesisapi.EnhancedMonitoringOutput, error) {
	return s.setMonitoring(ctx, in.StreamName, in.StreamARN, in.StreamId, in.ShardLevelMetrics, false)
}
