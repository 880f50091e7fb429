package streams

// ListTagsForStream lists a stream's tags in key order, after
// ExclusiveStartTagKey, at most Limit (default: all) with HasMoreTags.

import (
	"context"
	"sort"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) ListTagsForStream(ctx context.Context, in *kinesisapi.ListTagsForStreamInput) (*kinesisapi.ListTagsForStreamOutput, error) {
	_, _, sn, err := s.resolve(ctx, in.StreamName, in.StreamARN, in.StreamId)
	if err != nil {
		return nil, err
	}
	tags := sortedTags(sn.m.Tags)
	if in.ExclusiveStartTagKey != nil {
		k := *in.ExclusiveStartTagKey
		tags = tags[sort.Search(len(tags), func(i int) bool { return tags[i].Key > k }):]
	}
	out := &kinesisapi.ListTagsForStreamOutput{Tags: tags}
	if in.Limit != nil && len(tags) > int(*in.Limit) {
		out.Tags, out.HasMoreTags = tags[:*in.Limit], true
	}
	return out, nil
}

// sortedTags returns tags as API tags, sorted by key.
func sortedTags(m map[string]string) []kinesisapi.Tag {
	out := make([]kinesisapi.Tag, 0, len(m))
	for k, v := range m {
		out = append(out, kinesisapi.Tag{Key: k, Value: ptr(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
