package streams

// RemoveTagsFromStream removes tags from a stream; unknown keys are ignored.
// The stream must be ACTIVE.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) RemoveTagsFromStream(ctx context.Context, in *kinesisapi.RemoveTagsFromStreamInput) error {
	return s.change(ctx, in.StreamName, in.StreamARN, in.StreamId, func(c caller, st *stream, sn *snapshot) error {
		if err := tagCharsError("remove tags from", sn.m.Name, c.acct, in.TagKeys...); err != nil {
			return err
		}
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		return s.setStreamTags(st, sn, nil, in.TagKeys)
	})
}
