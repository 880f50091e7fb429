package streams

// DecreaseStreamRetentionPeriod lowers a stream's retention (down to 24
// hours); records older than the new period stop being readable at once.
// See changeRetention.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) DecreaseStreamRetentionPeriod(ctx context.Context, in *kinesisapi.DecreaseStreamRetentionPeriodInput) error {
	return s.changeRetention(ctx, in.StreamName, in.StreamARN, in.StreamId, int(in.RetentionPeriodHours), false)
}
