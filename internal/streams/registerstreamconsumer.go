package streams

// RegisterStreamConsumer registers an enhanced fan-out consumer on an ACTIVE
// stream (by StreamARN, optionally with StreamId), with optional tags. The
// consumer's ARN is the stream's ARN followed by /consumer/NAME:EPOCH, EPOCH
// being its creation second; it is CREATING for Options.CreateDelay, then
// ACTIVE. Names are unique per stream; a stream takes at most 20 consumers
// (Options.ConsumerLimit), of which at most 5 may be CREATING at once
// (LimitExceededException).

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/meta"
)

func (s *Service) RegisterStreamConsumer(ctx context.Context, in *kinesisapi.RegisterStreamConsumerInput) (*kinesisapi.RegisterStreamConsumerOutput, error) {
	var out *kinesisapi.RegisterStreamConsumerOutput
	err := s.change(ctx, nil, &in.StreamARN, in.StreamId, func(c caller, st *stream, sn *snapshot) error {
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		now := s.now()
		// change has committed due transitions: every consumer left exists.
		if sn.consumers[in.ConsumerName] != nil {
			return errConsumerExists(in.ConsumerName, sn.m.Name, c.acct)
		}
		registered, creating := 0, 0
		for _, cons := range sn.consumers {
			registered++
			if consumerStatus(cons, now) == statusCreating {
				creating++
			}
		}
		if registered >= s.opts.ConsumerLimit {
			return errConsumerLimit(s.opts.ConsumerLimit, sn.m.Name, c.acct)
		}
		if creating >= maxCreatingConsumers {
			return errConsumerCreatingLimit(sn.m.Name, c.acct)
		}
		if err := checkNewTags(sn.m.Name, c.acct, nil, in.Tags); err != nil {
			return err
		}
		created := consumerTime(now)
		cons := &meta.Consumer{
			StreamName:  sn.m.Name,
			Name:        in.ConsumerName,
			ARN:         consumerARN(sn.m.ARN, in.ConsumerName, created),
			Status:      statusCreating,
			Created:     created,
			StatusUntil: now.Add(s.opts.CreateDelay),
			Tags:        map[string]string{},
		}
		for k, v := range in.Tags {
			cons.Tags[k] = v
		}
		if err := s.commitConsumersLocked(st, []*meta.Consumer{cons}, nil); err != nil {
			return err
		}
		s.scheduleConsumer(st, cons)
		out = &kinesisapi.RegisterStreamConsumerOutput{Consumer: &kinesisapi.Consumer{
			ConsumerName:              cons.Name,
			ConsumerARN:               cons.ARN,
			ConsumerStatus:            kinesisapi.ConsumerStatusCreating,
			ConsumerCreationTimestamp: cons.Created,
		}}
		return nil
	})
	return out, err
}
