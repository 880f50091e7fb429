package streams

// Operations completed by the resharding, capacity, fan-out and encryption
// work answer with an AWS-shaped error until then, never a fake success.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func unsupported(op string) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "%s is unavailable in this build of eddy.", op)
}

func (s *Service) RegisterStreamConsumer(context.Context, *kinesisapi.RegisterStreamConsumerInput) (*kinesisapi.RegisterStreamConsumerOutput, error) {
	return nil, unsupported("RegisterStreamConsumer")
}
func (s *Service) DescribeStreamConsumer(context.Context, *kinesisapi.DescribeStreamConsumerInput) (*kinesisapi.DescribeStreamConsumerOutput, error) {
	return nil, unsupported("DescribeStreamConsumer")
}
func (s *Service) ListStreamConsumers(context.Context, *kinesisapi.ListStreamConsumersInput) (*kinesisapi.ListStreamConsumersOutput, error) {
	return nil, unsupported("ListStreamConsumers")
}
func (s *Service) DeregisterStreamConsumer(context.Context, *kinesisapi.DeregisterStreamConsumerInput) error {
	return unsupported("DeregisterStreamConsumer")
}
func (s *Service) SubscribeToShard(context.Context, *kinesisapi.SubscribeToShardInput, awsproto.EventSender) error {
	return unsupported("SubscribeToShard")
}
