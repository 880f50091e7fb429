package streams

// EnableEnhancedMonitoring turns on shard-level metrics ("ALL" means all
// seven); see setMonitoring.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) EnableEnhancedMonitoring(ctx context.Context, in *kinesisapi.EnableEnhancedMonitoringInput) (*kinesisapi.EnhancedMonitoringOutput, error) {
	return s.setMonitoring(ctx, in.StreamName, in.StreamARN, in.StreamId, in.ShardLevelMetrics, true)
}
