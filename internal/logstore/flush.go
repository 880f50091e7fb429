package logstore

import (
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddy-streams/eddy/internal/vfs"
)

// flushWorkers and syncWorkers bound how many logs are flushed, and files
// fsynced, at once: file creation and fsync are latency-bound, so with many
// logs they must overlap or the cost would grow with the number of logs.
const (
	flushWorkers = 4
	syncWorkers  = 16
)

// parallel runs fn(0..n-1) on up to workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	if n <= 1 || workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// stagingPool holds buffers that gather small chunks into one write.
var stagingPool = sync.Pool{New: func() any { b := make([]byte, 0, 1<<20); return &b }}

// flushGather and flushGatherBytes let small commits accumulate before a
// flush pass: every pass costs a write per log touched and a copy of the
// log's chunk list, so passing once per commit of a few single-record
// appends spent a third of the server's CPU (profiled at 12,000 PutRecord
// calls/s). Records are readable from memory meanwhile, and durable in the
// journal, so the wait changes neither visibility nor durability.
const (
	flushGather      = 5 * time.Millisecond
	flushGatherBytes = 1 << 20
)

// flusher writes committed records from memory into segment files.
func (s *Store) flusher() {
	defer s.wg.Done()
	for {
		select {
		case <-s.flushKick:
		case <-s.quit:
			return
		}
		if !s.gatherFlush() {
			return
		}
		s.flushDirty()
	}
}

// gatherFlush waits up to flushGather while less than flushGatherBytes is
// unflushed. A wall-clock timer on purpose: this is pacing, not behaviour a
// test observes through the store's clock. False when the store is closing.
func (s *Store) gatherFlush() bool {
	if s.unflushed.Load() >= flushGatherBytes {
		return true
	}
	t := time.NewTimer(flushGather)
	defer t.Stop()
	for s.unflushed.Load() < flushGatherBytes {
		select {
		case <-t.C:
			return true
		case <-s.flushKick:
		case <-s.quit:
			return false
		}
	}
	return true
}

// flushDirty flushes every log with unflushed records and wakes appenders
// waiting for memory.
func (s *Store) flushDirty() {
	s.flushMu.Lock()
	s.passStarted++
	gen := s.passStarted
	s.flushMu.Unlock()
	s.mu.Lock()
	dirty := s.dirty
	s.dirty = nil
	// logs written since the last pass: how many share the kept-tail budget
	// (a decaying maximum, so one quiet pass does not inflate every keep)
	s.busyLogs.Store(max(int64(len(dirty)), s.busyLogs.Load()*3/4))
	for _, l := range dirty {
		l.flushQueued = false
	}
	s.mu.Unlock()
	var ferrMu sync.Mutex
	var ferr error
	parallel(len(dirty), flushWorkers, func(i int) {
		l := dirty[i]
		if err := s.flushLog(l, false); err != nil {
			ferrMu.Lock()
			ferr = err
			ferrMu.Unlock()
			s.m.flushErrors.Inc()
			s.log.Warn("flushing log to its segment failed; will retry", "log", l.id, "err", err)
			s.mu.Lock()
			if !l.flushQueued {
				l.flushQueued = true
				s.dirty = append(s.dirty, l)
			}
			s.mu.Unlock()
		}
	})
	s.flushMu.Lock()
	s.flushErr = ferr
	s.passDone = max(s.passDone, gen)
	close(s.flushedCh)
	s.flushedCh = make(chan struct{})
	s.flushMu.Unlock()
	s.m.unflushd.Set(float64(s.unflushed.Load()))
	s.m.tailBytes.Set(float64(s.tailBytes.Load()))
}

func (s *Store) flushLog(l *logState, seal bool) error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	return s.flushLogLocked(l, seal)
}

// flushLogLocked writes l's unflushed chunks to its active segment, sealing
// and starting segments as they fill; seal also seals the active segment at
// the end. The bytes written are exactly the in-memory frames (no
// re-encoding). Caller holds l.flushMu.
func (s *Store) flushLogLocked(l *logState, seal bool) error {
	l.mu.RLock()
	if l.deleted {
		l.mu.RUnlock()
		return nil
	}
	fn := l.flushedNext
	chunks := l.chunks
	var active *segment
	if n := len(l.segs); n > 0 && !l.segs[n-1].sealed {
		active = l.segs[n-1]
	}
	l.mu.RUnlock()
	i := sort.Search(len(chunks), func(i int) bool { return chunks[i].first+uint64(chunks[i].count) > fn })
	for i < len(chunks) {
		if c := chunks[i].first; c != fn {
			// Only a recorded loss (journal damage salvaged at recovery) may
			// leave a gap; the segment ends before it and a new one starts after.
			l.mu.RLock()
			r, lost := l.lostAt(fn)
			l.mu.RUnlock()
			if c < fn || !lost || r.last+1 < c {
				return fmt.Errorf("log %d: in-memory records start at %d, expected %d", l.id, c, fn)
			}
			if active != nil && active.last >= active.base {
				if err := s.sealSegment(l, active); err != nil {
					return err
				}
			}
			active, fn = nil, c
			l.mu.Lock()
			l.flushedNext = c
			l.mu.Unlock()
		}
		if active != nil && active.last >= active.base && active.size+int64(len(chunks[i].data)) > s.opts.SegmentBytes {
			if err := s.sealSegment(l, active); err != nil {
				return err
			}
			active = nil
		}
		if active == nil {
			var err error
			if active, err = s.newActiveSegment(l, fn); err != nil {
				return err
			}
		}
		// gather chunks that fit in this segment into one write
		j, n := i, 0
		for j < len(chunks) && (j == i || active.size+int64(n+len(chunks[j].data)) <= s.opts.SegmentBytes) && (j == i || n+len(chunks[j].data) <= 1<<20) {
			n += len(chunks[j].data)
			j++
		}
		if err := s.writeChunks(l, active, chunks[i:j], n); err != nil {
			return err
		}
		fn = chunks[j-1].first + uint64(chunks[j-1].count)
		i = j
	}
	if seal && active != nil && active.last >= active.base {
		if err := s.sealSegment(l, active); err != nil {
			return err
		}
	}
	l.mu.Lock()
	freed := l.dropChunksLocked(s.keepBytes())
	l.compactLocked()
	l.mu.Unlock()
	s.tailBytes.Add(-freed)
	return nil
}

// keepBytes is how much of its newest flushed records a log keeps in memory
// for tail reads: TailKeepBytes, shared out so that the logs being written
// together keep at most half of TailMemoryBytes (with 1,000 busy logs and
// the default 64 MiB, 32 KiB each: a few batches). Past half the budget a
// log keeps none (its reads then come from the page cache), so tails stay
// bounded however many logs are busy.
func (s *Store) keepBytes() int64 {
	half := s.opts.TailMemoryBytes / 2
	if s.tailBytes.Load() > half {
		return 0
	}
	return min(s.opts.TailKeepBytes, half/max(s.busyLogs.Load(), 1))
}

// writeChunks appends chunks (n bytes of frames) to seg and indexes them.
func (s *Store) writeChunks(l *logState, seg *segment, chunks []chunk, n int) error {
	var data []byte
	if len(chunks) == 1 {
		data = chunks[0].data
	} else {
		bp := stagingPool.Get().(*[]byte)
		defer stagingPool.Put(bp)
		if cap(*bp) < n {
			*bp = make([]byte, 0, max(n, 1<<20))
		}
		data = (*bp)[:0]
		for _, c := range chunks {
			data = append(data, c.data...)
		}
	}
	// sparse index entries for the new frames
	var ents []indexEntry
	lastOff := seg.idxLastOff
	hasEntries := seg.idxCount > 0
	var lastTs int64
	for p := 0; p < len(data); {
		fl, err := recordFrameSize(data[p:])
		if err != nil {
			return fmt.Errorf("log %d: in-memory frame: %w", l.id, err)
		}
		off := seg.size + int64(p)
		num, ts := recordHead(data[p:])
		if !hasEntries || off-lastOff >= int64(s.opts.IndexInterval) {
			ents = append(ents, indexEntry{num: num, ts: ts, off: off})
			lastOff, hasEntries = off, true
		}
		lastTs = ts
		p += fl
	}
	err := s.files.withFile(seg.path, false, func(f vfsFile) error {
		if _, err := f.WriteAt(data, seg.size); err != nil {
			return err
		}
		startWriteback(f, seg, seg.size+int64(len(data)))
		return nil
	})
	if err != nil {
		return fmt.Errorf("write segment %s: %w", seg.path, err)
	}
	if len(ents) > 0 {
		if err := s.appendIndex(seg, ents); err != nil {
			return err
		}
	}
	last := chunks[len(chunks)-1].first + uint64(chunks[len(chunks)-1].count) - 1
	l.mu.Lock()
	if seg.last < seg.base {
		seg.firstTs = chunks[0].ts
	}
	seg.last = last
	seg.lastTs = lastTs
	seg.size += int64(len(data))
	seg.dirty = true
	seg.idxCount += len(ents)
	seg.idxLastOff = lastOff
	l.flushedNext = last + 1
	l.mu.Unlock()
	s.unflushed.Add(-int64(len(data)))
	return nil
}

// appendIndex writes sparse entries to seg's index file and to its cached
// index, under idxMu so that a concurrent load sees both or neither.
func (s *Store) appendIndex(seg *segment, ents []indexEntry) error {
	b := make([]byte, len(ents)*indexEntryLen)
	for i, e := range ents {
		encodeIndexEntry(b[i*indexEntryLen:], e, idxKindEntry)
	}
	seg.idxMu.Lock()
	defer seg.idxMu.Unlock()
	off := int64(segHeaderLen + seg.idxCount*indexEntryLen)
	err := s.files.withFile(seg.idxPath, false, func(f vfsFile) error {
		_, err := f.WriteAt(b, off)
		return err
	})
	if err != nil {
		return fmt.Errorf("write index %s: %w", seg.idxPath, err)
	}
	if seg.idx != nil {
		seg.idx = append(seg.idx, ents...)
	}
	return nil
}

// newActiveSegment creates the segment that starts at record base.
func (s *Store) newActiveSegment(l *logState, base uint64) (*segment, error) {
	if !l.dirMade {
		if err := s.fs.MkdirAll(l.dir, 0o755); err != nil {
			return nil, fmt.Errorf("create log directory %s: %w", l.dir, err)
		}
		l.mu.Lock()
		l.dirMade = true
		l.mu.Unlock()
		s.logsDirDirty.Store(true)
	}
	seg := newSegment(l.dir, base)
	for _, f := range []struct {
		p, magic string
		v        uint16
	}{{seg.path, segmentMagic, segmentVersion}, {seg.idxPath, indexMagic, indexVersion}} {
		s.files.forget(f.p)
		fh, err := s.fs.OpenFile(f.p, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", f.p, err)
		}
		_, err = fh.WriteAt(encodeSegHeader(f.magic, f.v, l.id, base), 0)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("write header of %s: %w", f.p, err)
		}
	}
	seg.dirty = true
	l.dirDirty = true
	l.mu.Lock()
	l.segs = append(l.segs, seg)
	l.mu.Unlock()
	return seg, nil
}

// sealSegment writes the seal trailer of seg's index; seg takes no more records.
func (s *Store) sealSegment(l *logState, seg *segment) error {
	var b [indexEntryLen]byte
	l.mu.RLock()
	encodeIndexEntry(b[:], indexEntry{num: seg.last, ts: seg.lastTs, off: seg.size}, idxKindSeal)
	off := int64(segHeaderLen + seg.idxCount*indexEntryLen)
	l.mu.RUnlock()
	err := s.files.withFile(seg.idxPath, false, func(f vfsFile) error {
		_, err := f.WriteAt(b[:], off)
		return err
	})
	if err != nil {
		return fmt.Errorf("seal %s: %w", seg.idxPath, err)
	}
	l.mu.Lock()
	seg.sealed = true
	seg.dirty = true
	l.mu.Unlock()
	return nil
}

// writebackStep is how much newly written segment data is handed to the
// kernel's writeback at a time. Without it a checkpoint's fsyncs found up
// to 256 MiB of dirty segment pages to write at once, and journal fsyncs
// queued behind them took 70-150 ms (measured: one such stall per
// checkpoint, the p99.9 of PutRecords).
const writebackStep = 256 << 10

// startWriteback starts the kernel writing seg's bytes below end once
// writebackStep of them accumulated, where the file system supports it. It
// is only pacing: durability still comes from the checkpoint's fsync.
// Caller holds the log's flushMu.
func startWriteback(f vfsFile, seg *segment, end int64) {
	if end-seg.writebackOff < writebackStep {
		return
	}
	if wb, ok := f.(vfs.WritebackStarter); ok {
		_ = wb.StartWriteback(seg.writebackOff, end-seg.writebackOff) // a hint: failure changes nothing
	}
	seg.writebackOff = end
}
