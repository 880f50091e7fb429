package streams

// AddTagsToStream adds or overwrites tags on a stream (up to 50 tags per
// stream; AWS's character rules). The stream must be ACTIVE.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) AddTagsToStream(ctx context.Context, in *kinesisapi.AddTagsToStreamInput) error {
	return s.change(ctx, in.StreamName, in.StreamARN, in.StreamId, func(c caller, st *stream, sn *snapshot) error {
		if err := checkNewTags(sn.m.Name, c.acct, sn.m.Tags, in.Tags); err != nil {
			return err
		}
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		return s.setStreamTags(st, sn, in.Tags, nil)
	})
}

// setStreamTags commits a stream's tags with add merged in and remove taken
// out; st.mu is held.
func (s *Service) setStreamTags(st *stream, sn *snapshot, add map[string]string, remove []string) error {
	m := cloneMeta(sn.m)
	for k, v := range add {
		m.Tags[k] = v
	}
	for _, k := range remove {
		delete(m.Tags, k)
	}
	return s.commitLocked(st, m, sn.shardMetas(), nil)
}
