package streams

// ListTagsForResource lists the tags of a stream or a consumer (by ARN) in
// key order.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) ListTagsForResource(ctx context.Context, in *kinesisapi.ListTagsForResourceInput) (*kinesisapi.ListTagsForResourceOutput, error) {
	r, err := s.viewResource(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return &kinesisapi.ListTagsForResourceOutput{Tags: sortedTags(r.tags())}, nil
}
