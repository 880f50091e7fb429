package streams

// DeregisterStreamConsumer deregisters a consumer addressed like
// DescribeStreamConsumer (CREATING or ACTIVE). It is DELETING for
// Options.DeleteDelay, then gone with its tags and resource policy. Its
// subscriptions end at once with a ResourceInUseException event (the text
// a new SubscribeToShard would get); deregistering a consumer that is
// already DELETING reports it not found.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/meta"
)

func (s *Service) DeregisterStreamConsumer(ctx context.Context, in *kinesisapi.DeregisterStreamConsumerInput) error {
	a := consumerAddress{streamARN: in.StreamARN, consumerName: in.ConsumerName, consumerARN: in.ConsumerARN, streamID: in.StreamId}
	return s.changeConsumer(ctx, a, func(c caller, st *stream, sn *snapshot, cons *meta.Consumer) error {
		now := s.now()
		if consumerStatus(cons, now) == statusDeleting {
			return a.notFound(c, sn.m.Name)
		}
		n := cloneConsumer(cons)
		n.Status, n.StatusUntil = statusDeleting, now.Add(s.opts.DeleteDelay)
		if err := s.commitConsumersLocked(st, []*meta.Consumer{n}, nil); err != nil {
			return err
		}
		s.scheduleConsumer(st, n)
		return nil
	})
}
