package kinesisapi

import (
	"context"
	"errors"
	"testing"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// Every error shape of the model is an exception of awsproto's catalog, with
// a status that agrees with the model's fault flag.
func TestExceptionsInCatalog(t *testing.T) {
	if len(Exceptions) == 0 {
		t.Fatal("no exceptions")
	}
	for _, e := range Exceptions {
		c := awsproto.LookupException(e.Type)
		if c == nil {
			t.Errorf("%s is not in awsproto.Catalog", e.Type)
			continue
		}
		if e.Fault != (c.Status >= 500) {
			t.Errorf("%s: model fault %v, catalog status %d", e.Type, e.Fault, c.Status)
		}
	}
}

type stubAPI struct {
	API // operations not overridden panic
	got awsproto.EventSender
}

func (s *stubAPI) DescribeLimits(ctx context.Context, in *DescribeLimitsInput) (*DescribeLimitsOutput, error) {
	return &DescribeLimitsOutput{ShardLimit: 7}, nil
}

func (s *stubAPI) ListShards(ctx context.Context, in *ListShardsInput) (*ListShardsOutput, error) {
	return nil, awsproto.Errorf(awsproto.ResourceNotFound, "no")
}

func (s *stubAPI) DeleteStream(ctx context.Context, in *DeleteStreamInput) error { return nil }

func (s *stubAPI) SubscribeToShard(ctx context.Context, in *SubscribeToShardInput, es awsproto.EventSender) error {
	s.got = es
	return SendSubscribeToShardEvent(es, &SubscribeToShardEvent{ContinuationSequenceNumber: "1"})
}

type recordSender struct{ types []string }

func (r *recordSender) Start() error { return nil }
func (r *recordSender) Send(eventType string, payload awsproto.Output) error {
	r.types = append(r.types, eventType)
	return nil
}

func TestNewService(t *testing.T) {
	api := &stubAPI{}
	svc := NewService(api)
	if svc.TargetPrefix != "Kinesis_20131202" || svc.SigningName != "kinesis" || len(svc.Operations) != 39 {
		t.Fatalf("service %s %s with %d operations", svc.TargetPrefix, svc.SigningName, len(svc.Operations))
	}
	for name, op := range svc.Operations {
		if op.Name != name || (op.Call == nil) == (op.Stream == nil) || op.NewInput() == nil {
			t.Errorf("operation %s badly bound", name)
		}
	}
	ctx := context.Background()
	ops := svc.Operations
	out, err := ops["DescribeLimits"].Call(ctx, ops["DescribeLimits"].NewInput())
	if err != nil || out.(*DescribeLimitsOutput).ShardLimit != 7 {
		t.Errorf("DescribeLimits: %v %v", out, err)
	}
	out, err = ops["ListShards"].Call(ctx, ops["ListShards"].NewInput())
	if out != nil || awsproto.AsError(err).Exception != awsproto.ResourceNotFound {
		t.Errorf("ListShards: %#v %v", out, err)
	}
	out, err = ops["DeleteStream"].Call(ctx, ops["DeleteStream"].NewInput())
	if out != nil || err != nil {
		t.Errorf("DeleteStream: %#v %v", out, err)
	}
	// Event streams validate before the handler runs.
	var es recordSender
	sub := ops["SubscribeToShard"]
	if err := sub.Stream(ctx, sub.NewInput(), &es); !errors.As(err, new(*awsproto.Error)) || api.got != nil {
		t.Errorf("invalid SubscribeToShard: %v", err)
	}
	in := decodeOp(t, "SubscribeToShard", `{"ConsumerARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1","ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}}`)
	if err := sub.Stream(ctx, in, &es); err != nil || len(es.types) != 1 || es.types[0] != "SubscribeToShardEvent" {
		t.Errorf("SubscribeToShard: %v %v", err, es.types)
	}
}
