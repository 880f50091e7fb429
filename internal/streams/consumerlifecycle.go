package streams

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/meta"
)

// Enhanced fan-out consumers go CREATING -> ACTIVE -> DELETING -> gone, with
// Options.CreateDelay and Options.DeleteDelay between the steps, like
// streams. The catalog records when the pending transition completes
// (meta.Consumer.StatusUntil); readers compute the status from that time
// (consumerStatus), a timer on the injected clock commits the transition,
// and every control-plane change of the stream commits due transitions
// first (settleConsumersLocked), so what clients see never depends on timer
// scheduling and a restart finishes what was pending.

// Consumer limits per stream (AWS's quotas for provisioned and standard
// on-demand streams); Options.ConsumerLimit replaces the first.
const (
	DefaultConsumerLimit = 20
	maxCreatingConsumers = 5
)

// consumerStatus is c's status as clients see it at now; statusGone when
// its deregistration has completed.
func consumerStatus(c *meta.Consumer, now time.Time) string {
	if c.StatusUntil.IsZero() || now.Before(c.StatusUntil) {
		return c.Status
	}
	switch c.Status {
	case statusCreating:
		return statusActive
	case statusDeleting:
		return statusGone
	}
	return c.Status
}

// consumerARN is arn:aws:kinesis:REGION:ACCOUNT:stream/NAME/consumer/CONSUMER:EPOCHSECONDS.
func consumerARN(streamARN, name string, created time.Time) string {
	return streamARN + "/consumer/" + name + ":" + strconv.FormatInt(created.Unix(), 10)
}

// parseConsumerARN returns the stream and consumer names of a consumer ARN
// of the caller's namespace.
func parseConsumerARN(c caller, arn string) (stream, consumer string, err error) {
	region, acct, name, rest, ok := parseStreamARN(arn)
	consumer, found := strings.CutPrefix(rest, "/consumer/")
	if i := strings.LastIndexByte(consumer, ':'); i > 0 {
		consumer = consumer[:i]
	} else {
		found = false
	}
	if !ok || !found || consumer == "" {
		return "", "", errConsumerARNInvalid(arn)
	}
	if region != c.region || acct != c.acct {
		return "", "", errARNNamespace(arn, c.acct, c.region)
	}
	return name, consumer, nil
}

// consumerAddress is how a request names a consumer: by ConsumerARN, or by
// StreamARN and ConsumerName, or by all of them (which must agree).
type consumerAddress struct {
	streamARN, consumerName, consumerARN, streamID *string
}

// streamOf checks the address and returns the name of the consumer's
// stream; the consumer itself is found by find.
func (a consumerAddress) streamOf(s *Service, c caller) (string, error) {
	if a.consumerARN == nil {
		if a.streamARN == nil || a.consumerName == nil {
			return "", errConsumerAddress()
		}
		return s.streamName(c, nil, a.streamARN)
	}
	stream, consumer, err := parseConsumerARN(c, *a.consumerARN)
	if err != nil {
		return "", err
	}
	if a.consumerName != nil && *a.consumerName != consumer {
		return "", errConsumerARNMismatch(*a.consumerARN, "ConsumerName", *a.consumerName)
	}
	if a.streamARN != nil {
		n, err := s.streamName(c, nil, a.streamARN)
		if err != nil {
			return "", err
		}
		if n != stream {
			return "", errConsumerARNMismatch(*a.consumerARN, "StreamARN", *a.streamARN)
		}
	}
	return stream, nil
}

// find returns the addressed consumer of sn if it exists now.
func (a consumerAddress) find(c caller, sn *snapshot, now time.Time) (*meta.Consumer, error) {
	var cons *meta.Consumer
	if a.consumerARN != nil {
		// A stream's consumers are few (20 by default): this scans them.
		cons = sn.consumerByARN(*a.consumerARN)
	} else {
		cons = sn.consumers[*a.consumerName]
	}
	if cons == nil || consumerStatus(cons, now) == statusGone {
		return nil, a.notFound(c, sn.m.Name)
	}
	return cons, nil
}

func (a consumerAddress) notFound(c caller, stream string) error {
	if a.consumerARN != nil {
		return errConsumerARNNotFound(*a.consumerARN)
	}
	return errConsumerNotFound(*a.consumerName, stream, c.acct)
}

// viewConsumer looks up the addressed consumer without locking.
func (s *Service) viewConsumer(ctx context.Context, a consumerAddress) (caller, *snapshot, *meta.Consumer, error) {
	c := s.callerOf(ctx)
	name, err := a.streamOf(s, c)
	if err != nil {
		return c, nil, nil, err
	}
	_, _, sn, err := s.resolve(ctx, &name, nil, a.streamID)
	if err != nil {
		if a.consumerARN != nil && isNotFound(err) {
			return c, nil, nil, a.notFound(c, name)
		}
		return c, nil, nil, err
	}
	cons, err := a.find(c, sn, s.now())
	return c, sn, cons, err
}

// changeConsumer runs fn with the addressed consumer's stream locked (see
// change).
func (s *Service) changeConsumer(ctx context.Context, a consumerAddress, fn func(c caller, st *stream, sn *snapshot, cons *meta.Consumer) error) error {
	c := s.callerOf(ctx)
	name, err := a.streamOf(s, c)
	if err != nil {
		return err
	}
	err = s.change(ctx, &name, nil, a.streamID, func(c caller, st *stream, sn *snapshot) error {
		cons, err := a.find(c, sn, s.now())
		if err != nil {
			return err
		}
		return fn(c, st, sn, cons)
	})
	if err != nil && a.consumerARN != nil && isNotFound(err) {
		return a.notFound(c, name)
	}
	return err
}

// isNotFound reports a ResourceNotFoundException.
func isNotFound(err error) bool {
	var e *awsproto.Error
	return errors.As(err, &e) && e.Exception == awsproto.ResourceNotFound
}

// commitConsumersLocked stores put and deletes the consumers named in del,
// then publishes the stream's new state; st.mu is held.
func (s *Service) commitConsumersLocked(st *stream, put []*meta.Consumer, del []string) error {
	sn := st.load()
	err := s.catalog.Update(func(tx *meta.Tx) error {
		for _, c := range put {
			if err := tx.PutConsumer(sn.m.Namespace, c); err != nil {
				return err
			}
		}
		for _, name := range del {
			if err := tx.DeleteConsumer(sn.m.Namespace, sn.m.Name, name); err != nil && !errors.Is(err, meta.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update consumers of %s: %w", sn.m.Name, err)
	}
	next := *sn
	next.consumers = make(map[string]*meta.Consumer, len(sn.consumers)+len(put))
	for k, v := range sn.consumers {
		next.consumers[k] = v
	}
	for _, c := range put {
		next.consumers[c.Name] = c
	}
	for _, name := range del {
		delete(next.consumers, name)
	}
	st.publish(&next)
	return nil
}

// settleConsumersLocked commits the consumer transitions whose time has
// come; st.mu is held.
func (s *Service) settleConsumersLocked(st *stream) error {
	if st.isGone() {
		return nil
	}
	now := s.now()
	var put []*meta.Consumer
	var del []string
	for _, c := range st.load().consumers {
		if c.StatusUntil.IsZero() || now.Before(c.StatusUntil) {
			continue
		}
		switch consumerStatus(c, now) {
		case statusGone:
			del = append(del, c.Name)
		default:
			n := cloneConsumer(c)
			n.Status, n.StatusUntil = consumerStatus(c, now), time.Time{}
			put = append(put, n)
		}
	}
	if len(put) == 0 && len(del) == 0 {
		return nil
	}
	return s.commitConsumersLocked(st, put, del)
}

// scheduleConsumer arms a timer that commits c's pending transition.
func (s *Service) scheduleConsumer(st *stream, c *meta.Consumer) {
	if c.StatusUntil.IsZero() {
		return
	}
	d := max(0, c.StatusUntil.Sub(s.now()))
	s.fan.schedule(s.clock, c.ARN, d, func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		if err := s.settleConsumersLocked(st); err != nil {
			s.log.Error("consumer status transition failed", "stream", st.name, "consumer", c.Name, "err", err)
		}
	})
}

// consumerTime returns the creation time AWS reports (millisecond
// precision, like every Kinesis timestamp).
func consumerTime(now time.Time) time.Time { return now.Truncate(time.Millisecond) }
