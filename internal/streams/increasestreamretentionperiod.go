package streams

// IncreaseStreamRetentionPeriod raises a stream's retention (up to 8,760
// hours); see changeRetention.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) IncreaseStreamRetentionPeriod(ctx context.Context, in *kinesisapi.IncreaseStreamRetentionPeriodInput) error {
	return s.changeRetention(ctx, in.StreamName, in.StreamARN, in.StreamId, int(in.RetentionPeriodHours), true)
}
