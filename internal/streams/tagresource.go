package streams

// TagResource adds or overwrites tags on a stream or a consumer (by ARN),
// up to 50 per resource.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) TagResource(ctx context.Context, in *kinesisapi.TagResourceInput) error {
	return s.changeResource(ctx, in.ResourceARN, func(r resource) error {
		if err := checkNewTags(r.sn.m.Name, r.c.acct, r.tags(), in.Tags); err != nil {
			return err
		}
		return s.setResourceTags(r, in.Tags, nil)
	})
}

// setResourceTags commits a resource's tags with add merged in and remove
// taken out.
func (s *Service) setResourceTags(r resource, add map[string]string, remove []string) error {
	if r.consumer == nil {
		if err := s.requireActive(r.c, r.sn); err != nil {
			return err
		}
		return s.setStreamTags(r.st, r.sn, add, remove)
	}
	c := cloneConsumer(r.consumer)
	for k, v := range add {
		c.Tags[k] = v
	}
	for _, k := range remove {
		delete(c.Tags, k)
	}
	return s.putConsumerLocked(r.st, c)
}
