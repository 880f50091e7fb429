package streams

import (
	"errors"
	"fmt"
	"time"

	"github.com/eddy-streams/eddy/internal/logstore"
	"github.com/eddy-streams/eddy/internal/meta"
)

// Status transitions (CREATING -> ACTIVE, UPDATING -> ACTIVE, DELETING ->
// gone) complete at a time recorded in the catalog (meta.Stream.StatusUntil).
// A timer on the injected clock applies them; any operation that meets a
// transition whose time has passed applies it first (settle), so behaviour
// does not depend on timer scheduling and a restart finishes what a crash
// interrupted.

// schedule arms st's timer for its pending transition, if any.
func (s *Service) schedule(st *stream) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s.scheduleLocked(st)
}

func (s *Service) scheduleLocked(st *stream) {
	if st.timer != nil {
		st.timer.Stop()
		st.timer = nil
	}
	sn := st.load()
	if st.gone.Load() || sn.m.StatusUntil.IsZero() {
		return
	}
	select {
	case <-s.closed:
		return
	default:
	}
	d := sn.m.StatusUntil.Sub(s.now())
	if d < 0 {
		d = 0
	}
	st.timer = s.clock.AfterFunc(d, func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		select {
		case <-s.closed:
			return // the service is closing: leave it to the next start
		default:
		}
		if err := s.settleLocked(st); err != nil {
			s.log.Error("stream status transition failed", "stream", st.name, "namespace", st.ns, "err", err)
		}
	})
}

// settle applies st's pending transition if its time has come.
func (s *Service) settle(st *stream) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return s.settleLocked(st)
}

// settleLocked is settle with st.mu held.
func (s *Service) settleLocked(st *stream) error {
	if st.gone.Load() {
		return nil
	}
	if err := s.settleConsumersLocked(st); err != nil {
		return err
	}
	sn := st.load()
	if !sn.due(s.now()) {
		return nil
	}
	switch sn.m.Status {
	case statusCreating:
		m := cloneMeta(sn.m)
		m.Status, m.StatusUntil = statusActive, time.Time{}
		if err := s.catalog.Update(func(tx *meta.Tx) error { return tx.PutStream(m) }); err != nil {
			return fmt.Errorf("activate stream %s: %w", st.name, err)
		}
		st.publish(sn.withMeta(m))
	case statusDeleting:
		return s.reapLocked(st)
	case statusUpdating:
		return s.finishUpdateLocked(st, sn)
	}
	return nil
}

// reapLocked removes a deleted stream: catalog records, logs, registry.
func (s *Service) reapLocked(st *stream) error {
	sn := st.load()
	var dead []uint64
	// Children of a resharding that never completed have logs but no
	// catalog shards: delete them too.
	if p, err := decodePending(sn.m.Resharding); err == nil {
		for _, step := range p.Steps {
			for _, c := range step.Children {
				dead = append(dead, c.LogID)
			}
		}
	}
	err := s.catalog.Update(func(tx *meta.Tx) error {
		if err := tx.DeleteStream(st.ns, st.name); err != nil && !errors.Is(err, meta.ErrNotFound) {
			return err
		}
		buried, err := tx.DeadLogs()
		dead = append(dead, buried...)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete stream %s: %w", st.name, err)
	}
	st.gone.Store(true)
	if st.timer != nil {
		st.timer.Stop()
		st.timer = nil
	}
	s.mu.Lock()
	if s.streams[streamKey{st.ns, st.name}] == st {
		delete(s.streams, streamKey{st.ns, st.name})
	}
	if s.byTag[sn.m.Incarnation] == st {
		delete(s.byTag, sn.m.Incarnation)
	}
	if s.byID[sn.m.ID] == st {
		delete(s.byID, sn.m.ID)
	}
	s.mu.Unlock()
	return s.buryLogs(dead)
}

// commitLocked persists m (and changed shards) and publishes the new
// snapshot; st.mu is held.
func (s *Service) commitLocked(st *stream, m *meta.Stream, shards []meta.Shard, changed []meta.Shard) error {
	err := s.catalog.Update(func(tx *meta.Tx) error {
		if err := tx.PutStream(m); err != nil {
			return err
		}
		for _, sh := range changed {
			if err := tx.PutShard(m.Namespace, m.Name, sh); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update stream %s: %w", m.Name, err)
	}
	old := st.load()
	st.publish(buildSnapshot(m, shards, old.consumerList()))
	s.scheduleLocked(st)
	return nil
}

// setRetentionLogs applies a retention period to every log of a stream.
func (s *Service) setRetentionLogs(sn *snapshot, hours int) error {
	for _, sh := range sn.shards {
		if err := s.logs.SetRetention(sh.log, time.Duration(hours)*time.Hour); err != nil && !errors.Is(err, logstore.ErrLogNotFound) {
			return fmt.Errorf("set retention of %s: %w", sh.id, err)
		}
	}
	return nil
}
