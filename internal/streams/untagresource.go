package streams

// UntagResource removes tags from a stream or a consumer (by ARN); unknown
// keys are ignored.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) UntagResource(ctx context.Context, in *kinesisapi.UntagResourceInput) error {
	return s.changeResource(ctx, in.ResourceARN, func(r resource) error {
		if err := tagCharsError("remove tags from", r.sn.m.Name, r.c.acct, in.TagKeys...); err != nil {
			return err
		}
		return s.setResourceTags(r, nil, in.TagKeys)
	})
}
