package streams

import (
	"context"
	"strings"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/meta"
)

// The resource operations (TagResource, UntagResource, ListTagsForResource,
// Put/Get/DeleteResourcePolicy) address a stream or a consumer by ARN.

// resource is what a ResourceARN names.
type resource struct {
	c        caller
	st       *stream
	sn       *snapshot
	consumer *meta.Consumer // nil for a stream
}

// changeResource runs fn with the stream of arn locked (see change).
func (s *Service) changeResource(ctx context.Context, arn string, fn func(r resource) error) error {
	c := s.callerOf(ctx)
	name, consumer, err := s.resourceName(c, arn)
	if err != nil {
		return err
	}
	return s.change(ctx, &name, nil, nil, func(c caller, st *stream, sn *snapshot) error {
		r := resource{c: c, st: st, sn: sn}
		if consumer != "" {
			if r.consumer = sn.consumerByARN(arn); r.consumer == nil {
				return errConsumerARNNotFound(arn)
			}
		}
		return fn(r)
	})
}

// viewResource looks up arn without locking.
func (s *Service) viewResource(ctx context.Context, arn string) (resource, error) {
	c := s.callerOf(ctx)
	name, consumer, err := s.resourceName(c, arn)
	if err != nil {
		return resource{}, err
	}
	st, sn, err := s.lookup(c, name)
	if err != nil {
		return resource{}, err
	}
	r := resource{c: c, st: st, sn: sn}
	if consumer != "" {
		if r.consumer = sn.consumerByARN(arn); r.consumer == nil {
			return resource{}, errConsumerARNNotFound(arn)
		}
	}
	return r, nil
}

// resourceName parses a stream or consumer ARN in the caller's namespace.
func (s *Service) resourceName(c caller, arn string) (stream, consumer string, err error) {
	region, acct, name, rest, ok := parseStreamARN(arn)
	if !ok {
		// eddy.
		return "", "", awsproto.Errorf(awsproto.InvalidArgument, "ResourceARN %s is not a stream or consumer ARN.", arn)
	}
	if region != c.region || acct != c.acct {
		return "", "", errARNNamespace(arn, c.acct, c.region)
	}
	if rest != "" {
		consumer, ok = strings.CutPrefix(rest, "/consumer/")
		if !ok || consumer == "" {
			return "", "", awsproto.Errorf(awsproto.InvalidArgument, "ResourceARN %s is not a stream or consumer ARN.", arn)
		}
	}
	return name, consumer, nil
}

// consumerByARN finds a consumer of the stream by its ARN.
func (sn *snapshot) consumerByARN(arn string) *meta.Consumer {
	for _, c := range sn.consumers {
		if c.ARN == arn {
			return c
		}
	}
	return nil
}

// tags returns the resource's tags.
func (r resource) tags() map[string]string {
	if r.consumer != nil {
		return r.consumer.Tags
	}
	return r.sn.m.Tags
}

// arn returns the resource's ARN.
func (r resource) arn() string {
	if r.consumer != nil {
		return r.consumer.ARN
	}
	return r.sn.m.ARN
}

// eddy: AWS's text for an unknown consumer ARN is not public.
func errConsumerARNNotFound(arn string) error {
	return awsproto.Errorf(awsproto.ResourceNotFound, "Consumer %s not found.", arn)
}
