package streams

import (
	"fmt"

	"github.com/eddy-streams/eddy/internal/meta"
)

// putConsumerLocked commits a consumer record and publishes it; st.mu is
// held.
func (s *Service) putConsumerLocked(st *stream, c *meta.Consumer) error {
	sn := st.load()
	if err := s.catalog.Update(func(tx *meta.Tx) error { return tx.PutConsumer(sn.m.Namespace, c) }); err != nil {
		return fmt.Errorf("update consumer %s: %w", c.Name, err)
	}
	next := *sn
	next.consumers = make(map[string]*meta.Consumer, len(sn.consumers)+1)
	for k, v := range sn.consumers {
		next.consumers[k] = v
	}
	next.consumers[c.Name] = c
	st.publish(&next)
	return nil
}

// cloneConsumer returns a copy of c that can be changed and committed.
func cloneConsumer(c *meta.Consumer) *meta.Consumer {
	n := *c
	n.Tags = make(map[string]string, len(c.Tags))
	for k, v := range c.Tags {
		n.Tags[k] = v
	}
	return &n
}
