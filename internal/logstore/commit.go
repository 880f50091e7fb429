package logstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"syscall"
	"time"
)

// group is one group commit: the journal frame being filled by appenders and
// the operations it carries, in encode order. Once committed, buf is never
// written again: in-memory tails keep slices of it.
type group struct {
	seq   uint64
	buf   []byte // frame header placeholder + entries
	ops   []op
	done  chan struct{}
	taken chan struct{} // created when an appender waits for this group to go
	err   error
	// control is set when the group holds control entries: they are always
	// fsynced before they count (in SyncInterval mode too), because files
	// are deleted on their strength (trim, delete).
	control bool
	batches int
	records int
}

// op is one journal entry of a group, applied to the in-memory state when
// the group is committed.
type op struct {
	kind     byte
	l        *logState // nil for create
	id       LogID
	arg      uint64
	count    uint32
	ts       int64
	off, end int // record bytes in group.buf (entryRecords)
}

// pendingGroupLocked returns the group appenders fill now. Caller holds s.mu.
func (s *Store) pendingGroupLocked(need int) *group {
	g := s.pending
	if g == nil {
		c := max(s.groupCap, 16<<10, need+frameHeaderLen)
		g = &group{seq: s.nextSeq, buf: make([]byte, frameHeaderLen, c), done: make(chan struct{})}
		s.nextSeq++
		s.pending = g
	} else if cap(g.buf)-len(g.buf) < need {
		// grow by half: tails keep slices of the buffer, and its unused
		// capacity would stay pinned with them
		nb := make([]byte, len(g.buf), cap(g.buf)+max(cap(g.buf)/2, need))
		copy(nb, g.buf)
		g.buf = nb
	}
	return g
}

// waitRoomLocked waits (releasing s.mu) while the pending group is already
// full, so that one group stays bounded. Caller holds s.mu; returns with it.
func (s *Store) waitRoomLocked() error {
	for s.pending != nil && len(s.pending.buf) >= s.opts.GroupMaxBytes {
		g := s.pending
		if g.taken == nil {
			g.taken = make(chan struct{})
		}
		ch := g.taken
		s.mu.Unlock()
		s.kick(s.commitKick)
		<-ch
		s.mu.Lock()
	}
	if s.closed {
		return ErrStoreClosed
	}
	return s.failErr
}

func (s *Store) kick(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// validate checks an Append call's shape and sizes before anything is
// written and returns the encoded size of the journal entries.
func (s *Store) validate(batches []Batch) (frameBytes int, err error) {
	total := 0
	for bi := range batches {
		b := &batches[bi]
		for ei := range b.Entries {
			e := &b.Entries[ei]
			if len(e.PartitionKey) == 0 || len(e.PartitionKey) > maxKeyLen {
				return 0, fmt.Errorf("%w: batch %d record %d: partition key of %d bytes (1..%d allowed)", ErrInvalidRecord, bi, ei, len(e.PartitionKey), maxKeyLen)
			}
			if n := len(e.ExplicitHashKey); n != 0 && n != hashKeyLen {
				return 0, fmt.Errorf("%w: batch %d record %d: explicit hash key of %d bytes (0 or %d allowed)", ErrInvalidRecord, bi, ei, n, hashKeyLen)
			}
			sz := len(e.PartitionKey) + len(e.ExplicitHashKey) + len(e.Data)
			if sz > s.opts.MaxRecordBytes {
				return 0, &RecordTooLargeError{Batch: bi, Entry: ei, Size: sz, Max: s.opts.MaxRecordBytes}
			}
			total += sz
			frameBytes += recHeaderLen + sz
		}
		frameBytes += entryHeaderLen
	}
	if total > s.opts.MaxAppendBytes {
		return 0, &BatchTooLargeError{Size: total, Max: s.opts.MaxAppendBytes}
	}
	return frameBytes, nil
}

// Append writes batches, each to its log, in one group commit, and returns
// once they are durable (see Durability). Per-batch failures (unknown or
// closed log) are reported in Appended.Err and write nothing of that batch;
// whole-call failures (invalid or oversized records, store closed, disk
// full, I/O error, ctx done before the records were queued) are the error,
// and then nothing of the call was written.
func (s *Store) Append(ctx context.Context, batches []Batch) ([]Appended, error) {
	need, err := s.validate(batches)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.waitFlushRoom(ctx); err != nil {
		return nil, err
	}
	res := make([]Appended, len(batches))
	s.mu.Lock()
	if err := s.waitRoomLocked(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	g := s.pendingGroupLocked(need)
	now := s.opts.Clock.Now().UnixMilli()
	records, bytes := 0, 0
	for bi := range batches {
		b := &batches[bi]
		l := s.logs[b.Log]
		switch {
		case l == nil || l.deleting:
			res[bi].Err = ErrLogNotFound
			continue
		case l.closing:
			res[bi].Err = ErrLogClosed
			continue
		}
		ts := max(now, l.assignTs)
		if len(b.Entries) == 0 {
			res[bi] = Appended{First: l.assignNext, Timestamp: ts}
			continue
		}
		l.assignTs = ts
		first := l.assignNext
		h := len(g.buf)
		g.buf = g.buf[:h+entryHeaderLen]
		for ei := range b.Entries {
			g.buf = appendRecord(g.buf, first+uint64(ei), ts, &b.Entries[ei])
			bytes += len(b.Entries[ei].Data)
		}
		n := uint32(len(b.Entries))
		putEntryHeader(g.buf[h:], entryRecords, n, l.id, first, len(g.buf)-h-entryHeaderLen)
		l.assignNext += uint64(n)
		g.ops = append(g.ops, op{kind: entryRecords, l: l, id: l.id, arg: first, count: n, ts: ts, off: h + entryHeaderLen, end: len(g.buf)})
		g.batches++
		records += int(n)
		res[bi] = Appended{First: first, Timestamp: ts}
	}
	g.records += records
	s.mu.Unlock()
	if records == 0 {
		return res, nil // nothing to make durable
	}
	s.kick(s.commitKick)
	<-g.done
	if g.err != nil {
		return nil, g.err
	}
	s.m.appends.Inc()
	s.m.records.Add(records)
	s.m.bytes.Add(bytes)
	return res, nil
}

// control commits control entries (built by fn under s.mu) and waits.
func (s *Store) control(fn func(g *group) error) error {
	s.mu.Lock()
	if err := s.waitRoomLocked(); err != nil {
		s.mu.Unlock()
		return err
	}
	g := s.pendingGroupLocked(2 * entryHeaderLen)
	if err := fn(g); err != nil {
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()
	s.kick(s.commitKick)
	<-g.done
	return g.err
}

// addControl encodes a control entry into g. Caller holds s.mu.
func addControl(g *group, kind byte, l *logState, id LogID, arg uint64) {
	g.control = true
	h := len(g.buf)
	g.buf = g.buf[:h+entryHeaderLen]
	putEntryHeader(g.buf[h:], kind, 0, id, arg, 0)
	g.ops = append(g.ops, op{kind: kind, l: l, id: id, arg: arg})
}

// committer takes pending groups, writes and fsyncs them, and publishes them.
func (s *Store) committer() {
	defer s.wg.Done()
	var syncTimer <-chan time.Time
	var t interface{ Stop() bool }
	for {
		select {
		case <-s.commitKick:
		case <-syncTimer:
			syncTimer = nil
			s.syncJournal()
			continue
		case <-s.quit:
			s.commitPending()
			if t != nil {
				t.Stop()
			}
			return
		}
		s.commitPending()
		if s.opts.Durability == SyncInterval && s.jUnsynced && syncTimer == nil {
			tm := s.opts.Clock.NewTimer(s.opts.SyncInterval)
			syncTimer, t = tm.C(), tm
		}
	}
}

func (s *Store) commitPending() {
	for {
		s.mu.Lock()
		g := s.pending
		s.pending = nil
		if g != nil && g.taken != nil {
			close(g.taken)
		}
		s.mu.Unlock()
		if g == nil {
			return
		}
		s.commit(g)
	}
}

func isNoSpace(err error) bool { return errors.Is(err, syscall.ENOSPC) }

// syncJournal fsyncs the journal (SyncInterval mode). A failure makes the
// store read-only: after a failed fsync the kernel may have dropped the
// dirty pages, and retrying can report success for data that is gone.
func (s *Store) syncJournal() error {
	if !s.jUnsynced {
		return nil
	}
	t0 := time.Now()
	err := s.jw.f.Sync()
	s.m.fsyncSeconds.UpdateDuration(t0)
	s.m.fsyncs.Inc()
	if err != nil {
		s.m.fsyncErrors.Inc()
		s.goReadOnly(fmt.Errorf("fsync journal: %w", err))
		return err
	}
	s.jUnsynced = false
	return nil
}

func (s *Store) commit(g *group) {
	sealFrame(g.buf, g.seq)
	if s.jw.size > journalHeaderLen && s.jw.size+int64(len(g.buf)) > s.opts.JournalSegmentBytes {
		// The old file must be complete on disk before the next one starts,
		// so that only the last journal file can ever have a torn tail.
		if err := s.syncJournal(); err != nil {
			s.fail(g, err, true)
			return
		}
		if err := s.jw.create(s.jw.seq+1, s.jw.size, s.takeSpare()); err != nil {
			s.fail(g, err, !isNoSpace(err))
			return
		}
	}
	if werr, terr := s.jw.write(g.buf); werr != nil {
		fatal := terr != nil || !isNoSpace(werr)
		if terr != nil {
			werr = fmt.Errorf("%w (and truncating the partial write failed: %v)", werr, terr)
		}
		s.fail(g, fmt.Errorf("write journal %s: %w", journalName(s.jw.seq), werr), fatal)
		return
	}
	s.jUnsynced = true
	if s.opts.Durability == SyncEachCommit || g.control {
		if err := s.syncJournal(); err != nil {
			s.fail(g, err, true)
			return
		}
	}
	s.m.groupBatches.Update(float64(g.batches))
	s.m.groupBytes.Update(float64(len(g.buf)))
	s.publish(g)
}

// goReadOnly makes every later write fail with ErrReadOnly.
func (s *Store) goReadOnly(cause error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failErr == nil {
		s.failErr = fmt.Errorf("%w: %w", ErrReadOnly, cause)
		s.m.readOnly.Set(1)
		s.log.Error("log store is now read-only; restart to recover from the journal", "cause", cause)
	}
}

// fail rolls back a group that could not be made durable, and the group
// being filled behind it (its record numbers follow the failed ones).
func (s *Store) fail(g *group, err error, fatal bool) {
	var e error
	switch {
	case fatal:
		s.goReadOnly(err)
		e = fmt.Errorf("%w: %w", ErrReadOnly, err)
	case isNoSpace(err):
		s.m.diskFull.Inc()
		e = fmt.Errorf("%w: %w", ErrDiskFull, err)
	default:
		e = err
	}
	s.mu.Lock()
	next := s.pending
	s.pending = nil
	if next != nil && next.taken != nil {
		close(next.taken)
	}
	s.nextSeq = g.seq
	for _, l := range s.logs {
		l.assignNext = l.next
		l.closing = l.closed
		l.deleting = false
	}
	s.mu.Unlock()
	g.err = e
	close(g.done)
	if next != nil {
		next.err = e
		close(next.done)
	}
}

// publish applies a durable group to the in-memory state, in entry order.
func (s *Store) publish(g *group) {
	now := s.opts.Clock.Now().UnixMilli()
	var added int64
	mem := &bufMem{size: int64(cap(g.buf))} // all of it stays allocated while any chunk refers to it
	s.mu.Lock()
	s.committedPos = s.jw.pos()
	s.committedSeq = g.seq
	// size the next group's buffer like this one, so that it rarely grows
	s.groupCap = min(max(len(g.buf)+len(g.buf)/4, 16<<10), s.opts.GroupMaxBytes)
	s.sinceCkpt += int64(len(g.buf))
	ckpt := s.sinceCkpt >= s.opts.CheckpointBytes
	for i := range g.ops {
		o := &g.ops[i]
		switch o.kind {
		case entryRecords:
			l := o.l
			l.mu.Lock()
			data := g.buf[o.off:o.end:o.end]
			l.chunks = append(l.chunks, chunk{first: o.arg, count: o.count, ts: o.ts, data: data, mem: mem})
			l.memBytes += int64(len(data))
			added += int64(len(data))
			l.next = o.arg + uint64(o.count)
			l.lastTs = o.ts
			l.lastAppend = now
			if len(l.watchers) > 0 {
				l.wakeLocked()
			}
			l.mu.Unlock()
			if !l.flushQueued {
				l.flushQueued = true
				s.dirty = append(s.dirty, l)
			}
		default:
			s.applyControlLocked(o, g.seq)
		}
	}
	mem.live.Store(added) // before any flusher can drop these chunks: it needs s.mu to find them
	s.mu.Unlock()
	if added > 0 {
		s.unflushed.Add(added)
		s.tailBytes.Add(added)
		s.m.unflushd.Set(float64(s.unflushed.Load()))
		s.m.tailBytes.Set(float64(s.tailBytes.Load()))
		s.kick(s.flushKick)
	}
	if ckpt {
		s.kick(s.ckptKick)
	}
	close(g.done)
}

// applyControlLocked applies a committed control entry. Caller holds s.mu.
func (s *Store) applyControlLocked(o *op, seq uint64) {
	switch o.kind {
	case entryCreate:
		if _, ok := s.logs[o.id]; ok {
			return
		}
		l := newLogState(o.id, seq, s.dir, int64(o.arg))
		s.setLogLocked(o.id, l)
	case entryRetention, entryTrim, entryClose, entryDelete:
		l := o.l
		l.mu.Lock()
		switch o.kind {
		case entryRetention:
			l.retentionMs = int64(o.arg)
			l.retNum, l.retTail = 0, 0
		case entryTrim:
			l.floor = max(l.floor, o.arg)
		case entryClose:
			l.closed = true
			l.wakeLocked()
		case entryDelete:
			l.deleted = true
			l.wakeLocked()
		}
		l.mu.Unlock()
		if o.kind == entryDelete {
			s.setLogLocked(o.id, nil)
		}
	}
}

// setLogLocked adds (l != nil) or removes a log. Caller holds s.mu.
func (s *Store) setLogLocked(id LogID, l *logState) {
	s.logsMu.Lock()
	if l == nil {
		delete(s.logs, id)
	} else {
		s.logs[id] = l
	}
	s.logsMu.Unlock()
	s.m.logs.Set(float64(len(s.logs)))
}

// waitFlushRoom applies back-pressure: while more than TailMemoryBytes of
// records wait to be written to segments, appends wait for the flusher.
func (s *Store) waitFlushRoom(ctx context.Context) error {
	for s.unflushed.Load() > s.opts.TailMemoryBytes {
		// wait for a flush pass that started after this point
		s.flushMu.Lock()
		gen, ch := s.passStarted, s.flushedCh
		s.flushMu.Unlock()
		s.kick(s.flushKick)
		var ferr error
		for done := uint64(0); done <= gen; {
			select {
			case <-ch:
			case <-ctx.Done():
				return ctx.Err()
			case <-s.quit:
				return ErrStoreClosed
			}
			s.flushMu.Lock()
			done, ferr, ch = s.passDone, s.flushErr, s.flushedCh
			s.flushMu.Unlock()
		}
		if ferr != nil && s.unflushed.Load() > s.opts.TailMemoryBytes {
			if isNoSpace(ferr) {
				return fmt.Errorf("%w: cannot write segments: %w", ErrDiskFull, ferr)
			}
			return fmt.Errorf("logstore: cannot write segments: %w", ferr)
		}
	}
	return nil
}

// takeSpare returns a recycled journal file to reuse, or "".
func (s *Store) takeSpare() string {
	s.sparesMu.Lock()
	defer s.sparesMu.Unlock()
	if n := len(s.spares); n > 0 {
		p := s.spares[n-1]
		s.spares = s.spares[:n-1]
		s.m.journalRecycled.Inc()
		return p
	}
	return ""
}

// retireJournal recycles (or removes) a journal file that a checkpoint made
// unnecessary.
func (s *Store) retireJournal(seq uint64) {
	jdir := path.Join(s.dir, "journal")
	name := path.Join(jdir, journalName(seq))
	s.sparesMu.Lock()
	keep := len(s.spares) < s.opts.JournalSpares
	s.sparesMu.Unlock()
	if keep {
		spare := path.Join(jdir, fmt.Sprintf("%s%016x", sparePrefix, seq))
		if err := s.fs.Rename(name, spare); err == nil {
			s.sparesMu.Lock()
			s.spares = append(s.spares, spare)
			s.sparesMu.Unlock()
			return
		}
	}
	if err := s.fs.Remove(name); err != nil {
		s.log.Warn("could not remove old journal file", "file", name, "err", err)
	}
}

// prefillSpares writes zero-filled journal files in the background until
// JournalSpares are ready, so that journal writes overwrite existing bytes
// from the first rotation on (see journalWriter.create). It runs once per
// Open and gives up on the first error (a full disk, say).
func (s *Store) prefillSpares() {
	defer s.wg.Done()
	jdir := path.Join(s.dir, "journal")
	zeros := make([]byte, min(1<<20, s.opts.JournalSegmentBytes))
	for i := 0; ; i++ {
		s.sparesMu.Lock()
		enough := len(s.spares) >= s.opts.JournalSpares
		s.sparesMu.Unlock()
		if enough {
			return
		}
		p := path.Join(jdir, fmt.Sprintf("%sprefill-%d-%d", sparePrefix, s.opts.Clock.Now().UnixNano(), i))
		if err := s.writeZeros(p, zeros); err != nil {
			if errors.Is(err, fs.ErrExist) {
				continue // the name is taken (maybe by a spare in use): never touch it
			}
			s.fs.Remove(p)
			s.log.Warn("could not prepare a journal file for reuse", "file", p, "err", err)
			return
		}
		s.sparesMu.Lock()
		s.spares = append(s.spares, p)
		s.sparesMu.Unlock()
	}
}

func (s *Store) writeZeros(p string, zeros []byte) error {
	f, err := s.fs.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	for off := int64(0); off < s.opts.JournalSegmentBytes; off += int64(len(zeros)) {
		select {
		case <-s.quit:
			return ErrStoreClosed
		default:
		}
		if _, err := f.WriteAt(zeros, off); err != nil {
			return err
		}
	}
	return f.Sync()
}
