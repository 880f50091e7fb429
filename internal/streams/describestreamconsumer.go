package streams

// DescribeStreamConsumer describes a consumer addressed by ConsumerARN, or by
// StreamARN and ConsumerName, or by all three when they agree: name, ARN,
// status (CREATING, ACTIVE or DELETING as of now), creation time and the
// stream's ARN. A consumer whose deregistration has completed is not found.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) DescribeStreamConsumer(ctx context.Context, in *kinesisapi.DescribeStreamConsumerInput) (*kinesisapi.DescribeStreamConsumerOutput, error) {
	a := consumerAddress{streamARN: in.StreamARN, consumerName: in.ConsumerName, consumerARN: in.ConsumerARN, streamID: in.StreamId}
	_, sn, cons, err := s.viewConsumer(ctx, a)
	if err != nil {
		return nil, err
	}
	return &kinesisapi.DescribeStreamConsumerOutput{ConsumerDescription: &kinesisapi.ConsumerDescription{
		ConsumerName:              cons.Name,
		ConsumerARN:               cons.ARN,
		ConsumerStatus:            kinesisapi.ConsumerStatus(consumerStatus(cons, s.now())),
		ConsumerCreationTimestamp: cons.Created,
		StreamARN:                 sn.m.ARN,
	}}, nil
}
