package streams

// ListStreamConsumers lists a stream's consumers (by StreamARN, optionally
// StreamId) in registration order, with their status as of now: at most
// MaxResults and at most 100 per page, NextToken (sealed, valid 300
// seconds) for the rest, and StreamCreationTimestamp to address one
// incarnation of a stream name. A stream without consumers gives an empty
// list.

import (
	"context"
	"fmt"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/meta"
)

const listConsumersMax = 100

func (s *Service) ListStreamConsumers(ctx context.Context, in *kinesisapi.ListStreamConsumersInput) (*kinesisapi.ListStreamConsumersOutput, error) {
	if in.NextToken != nil && in.StreamCreationTimestamp != nil {
		return nil, errListConsumersArgs()
	}
	c, st, sn, err := s.resolve(ctx, nil, &in.StreamARN, in.StreamId)
	if err != nil {
		return nil, err
	}
	if in.StreamCreationTimestamp != nil && in.StreamCreationTimestamp.UnixMilli()/1000 != sn.m.Created.Unix() {
		return nil, errStreamNotFound(sn.m.Name, c.acct)
	}
	after := ""
	if in.NextToken != nil {
		t, err := s.openPage(*in.NextToken, pageListConsumers, c.ns)
		if err != nil {
			return nil, err
		}
		if t.Stream != st.name || t.Epoch != sn.epoch {
			return nil, errInvalidNextToken()
		}
		after = t.After
	}
	limit := listConsumersMax
	if in.MaxResults != nil && int(*in.MaxResults) < limit {
		limit = int(*in.MaxResults)
	}
	now := s.now()
	out := &kinesisapi.ListStreamConsumersOutput{Consumers: []kinesisapi.Consumer{}}
	last := ""
	for _, cons := range sn.consumerList() {
		status := consumerStatus(cons, now)
		if status == statusGone || after != "" && consumerListKey(cons) <= after {
			continue
		}
		if len(out.Consumers) == limit {
			out.NextToken = ptr(s.sealPage(pageToken{Kind: pageListConsumers, NS: c.ns, Stream: st.name, Epoch: sn.epoch, After: last, IssuedMs: now.UnixMilli()}))
			break
		}
		out.Consumers = append(out.Consumers, kinesisapi.Consumer{
			ConsumerName:              cons.Name,
			ConsumerARN:               cons.ARN,
			ConsumerStatus:            kinesisapi.ConsumerStatus(status),
			ConsumerCreationTimestamp: cons.Created,
		})
		last = consumerListKey(cons)
	}
	return out, nil
}

// consumerListKey orders consumers as consumerList does (creation time,
// then name) and marks a page's end in NextTokens.
func consumerListKey(c *meta.Consumer) string {
	return fmt.Sprintf("%020d/%s", c.Created.UnixNano(), c.Name)
}
