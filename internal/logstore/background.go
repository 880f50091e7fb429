package logstore

import (
	"fmt"
	"path"
)

// background runs checkpoints and the retention sweep on the store's clock.
func (s *Store) background() {
	defer s.wg.Done()
	ck := s.opts.Clock.NewTimer(s.opts.CheckpointInterval)
	sw := s.opts.Clock.NewTimer(s.opts.SweepInterval)
	defer ck.Stop()
	defer sw.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-ck.C():
			s.runCheckpoint()
			ck.Reset(s.opts.CheckpointInterval)
		case <-s.ckptKick:
			s.runCheckpoint()
		case <-sw.C():
			s.sweep()
			sw.Reset(s.opts.SweepInterval)
		}
	}
}

func (s *Store) runCheckpoint() {
	if err := s.checkpoint(); err != nil {
		s.log.Error("checkpoint failed", "err", err)
	}
}

// sweep seals segments by age, deletes segments whose records are all past
// retention, and drops the in-memory tails of idle logs.
func (s *Store) sweep() {
	now := s.opts.Clock.Now().UnixMilli()
	s.logsMu.RLock()
	logs := make([]*logState, 0, len(s.logs))
	for _, l := range s.logs {
		logs = append(logs, l)
	}
	s.logsMu.RUnlock()
	overBudget := s.tailBytes.Load() > s.opts.TailMemoryBytes
	for _, l := range logs {
		if err := s.sweepLog(l, now, overBudget); err != nil {
			s.log.Warn("retention sweep failed", "log", l.id, "err", err)
		}
	}
	s.m.tailBytes.Set(float64(s.tailBytes.Load()))
}

func (s *Store) sweepLog(l *logState, now int64, overBudget bool) error {
	l.mu.RLock()
	if l.deleted {
		l.mu.RUnlock()
		return nil
	}
	horizon := now - l.retentionMs
	ageSeal := false
	if n := len(l.segs); n > 0 {
		a := l.segs[n-1]
		ageSeal = !a.sealed && a.last >= a.base && now-a.firstTs >= s.opts.SegmentMaxAge.Milliseconds()
	}
	var upto uint64
	for _, seg := range l.segs {
		if !seg.sealed || seg.lastTs >= horizon {
			break
		}
		upto = seg.last + 1
	}
	idle := now-l.lastAppend >= s.opts.IdleAfter.Milliseconds()
	l.mu.RUnlock()

	if ageSeal || idle || overBudget {
		l.flushMu.Lock()
		err := s.flushLogLocked(l, ageSeal)
		if err == nil && (idle || overBudget) {
			l.mu.Lock()
			freed := l.dropChunksLocked(0)
			l.mu.Unlock()
			s.tailBytes.Add(-freed)
		}
		l.flushMu.Unlock()
		if err != nil {
			return err
		}
	}
	l.mu.Lock()
	l.compactLocked() // buffers other logs stopped using since this one last flushed
	l.mu.Unlock()
	if upto == 0 {
		return nil
	}
	// Make the trim durable before deleting files: recovery must know the
	// records are gone on purpose, not lost.
	err := s.control(func(g *group) error {
		if s.logs[l.id] != l || l.deleting {
			return ErrLogNotFound
		}
		addControl(g, entryTrim, l, l.id, upto)
		return nil
	})
	if err != nil {
		return err
	}
	return s.removeSegmentsBelow(l, upto)
}

// removeSegmentsBelow deletes the sealed segments whose records are all
// below upto.
func (s *Store) removeSegmentsBelow(l *logState, upto uint64) error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	k := 0
	for k < len(l.segs) && l.segs[k].sealed && l.segs[k].last < upto {
		k++
	}
	gone := l.segs[:k]
	l.segs = append([]*segment(nil), l.segs[k:]...)
	l.mu.Unlock()
	var first error
	for _, seg := range gone {
		s.files.forget(seg.path)
		s.files.forget(seg.idxPath)
		s.idxCache.remove(seg)
		for _, p := range []string{seg.path, seg.idxPath} {
			if err := s.fs.Remove(p); err != nil && first == nil {
				first = fmt.Errorf("remove %s: %w", path.Base(p), err)
			}
		}
		s.m.segmentsDeleted.Inc()
	}
	if len(gone) > 0 {
		l.dirDirty = true
	}
	return first
}
