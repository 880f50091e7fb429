package logstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/eddy-streams/eddy/internal/vfs"
)

// recovery state while Open runs.
type recovery struct {
	s        *Store
	logs     map[LogID]*logState
	gaps     map[*logState][]lostRange // lost to journal damage, reported if the log survives
	jdamage  []*JournalCorruptionError
	orphans  map[LogID]bool
	expect   uint64  // commit sequence of the next frame (0: accept any)
	lastFile uint64  // the newest journal file kept
	lastEnd  int64   // where its frames end
	mem      *bufMem // the journal file buffer being replayed
}

func readFileAll(fsys vfs.FS, name string) ([]byte, error) {
	f, err := fsys.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	b := make([]byte, st.Size())
	n, err := f.ReadAt(b, 0)
	if err == io.EOF && n == len(b) {
		err = nil
	}
	return b[:n], err
}

// recover loads the checkpoint, replays the journal after it, reconciles the
// segment files with what the checkpoint and journal say, and starts a new
// journal file.
func (s *Store) recover() error {
	r := &recovery{s: s, logs: map[LogID]*logState{}, gaps: map[*logState][]lostRange{}, orphans: map[LogID]bool{}}
	cpName := path.Join(s.dir, ckptFile)
	var cp *checkpointData
	b, err := readFileAll(s.fs, cpName)
	switch {
	case err == nil:
		if cp, err = decodeCheckpoint(b, cpName); err != nil {
			var fv *FormatVersionError
			if errors.As(err, &fv) {
				return err
			}
			return &CorruptionError{File: cpName, Reason: "checkpoint: " + err.Error()}
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return fmt.Errorf("read checkpoint: %w", err)
	}
	s.fs.Remove(cpName + ".tmp")
	if cp != nil {
		for i := range cp.logs {
			r.loadCheckpointLog(&cp.logs[i])
		}
	}
	jdir := path.Join(s.dir, "journal")
	seqs, err := listJournal(s.fs, jdir)
	if err != nil {
		return err
	}
	start := journalPos{off: journalHeaderLen}
	if cp != nil {
		start = cp.replay
		r.expect = cp.nextSeq
	} else if len(seqs) > 0 {
		start.file = seqs[0]
	}
	var replay []uint64
	for _, q := range seqs {
		if q < start.file {
			// wholly before the checkpoint: its removal was interrupted
			if err := s.fs.Remove(path.Join(jdir, journalName(q))); err != nil {
				return fmt.Errorf("remove old journal file: %w", err)
			}
			continue
		}
		replay = append(replay, q)
	}
	// A newest file whose header never made it (the process died while
	// creating it) holds nothing; drop it first, so that the file before it
	// is the newest one (whose end may be torn, or stale if it was reused).
	for len(replay) > 0 && !(cp != nil && replay[len(replay)-1] == start.file) {
		name := path.Join(jdir, journalName(replay[len(replay)-1]))
		h, err := readHead(s.fs, name, journalHeaderLen+1)
		if err != nil {
			return fmt.Errorf("read journal %s: %w", name, err)
		}
		if len(h) > journalHeaderLen {
			break
		}
		if _, _, herr := decodeJournalHeader(h, name); herr == nil || !errors.Is(herr, errBadHeader) {
			break
		}
		s.log.Warn("removing journal file with a torn header", "file", name)
		if err := s.fs.Remove(name); err != nil {
			return fmt.Errorf("remove torn journal file: %w", err)
		}
		replay = replay[:len(replay)-1]
	}
	if cp != nil && (len(replay) == 0 || replay[0] != start.file) {
		return &CorruptionError{File: path.Join(jdir, journalName(start.file)), Reason: "journal file named by the checkpoint is missing"}
	}
	for i, q := range replay {
		if i > 0 && q != replay[i-1]+1 {
			r.jdamage = append(r.jdamage, &JournalCorruptionError{File: journalName(replay[i-1] + 1), Reason: "journal file missing"})
		}
		off := int64(journalHeaderLen)
		if q == start.file {
			off = start.off
		}
		// Where this file's frames end, if the next file's header says so
		// (a recycled file has stale bytes past it).
		end := int64(-1)
		if i+1 < len(replay) && replay[i+1] == q+1 {
			if h, err := readHead(s.fs, path.Join(jdir, journalName(q+1)), journalHeaderLen); err == nil {
				if hs, pe, err := decodeJournalHeader(h, journalName(q+1)); err == nil && hs == q+1 {
					end = pe
				}
			}
		}
		e, removed, err := r.replayFile(path.Join(jdir, journalName(q)), q, off, end, i == len(replay)-1)
		if err != nil {
			return err
		}
		if !removed {
			r.lastFile, r.lastEnd = q, e
		}
	}
	if err := r.loadSpares(jdir); err != nil {
		return err
	}
	if len(r.orphans) > 0 && len(r.jdamage) == 0 {
		// records of a log that neither the checkpoint nor the journal created
		r.jdamage = append(r.jdamage, &JournalCorruptionError{File: path.Join(jdir, journalName(start.file)), Reason: "records for logs that do not exist"})
	}
	if len(r.jdamage) > 0 {
		r.attribute()
		if !s.opts.Salvage {
			e := r.jdamage[0]
			for _, l := range r.logs {
				for _, g := range r.gaps[l] {
					e.Affected = append(e.Affected, &CorruptionError{Log: l.id, FirstLost: g.first, LastLost: g.last, File: e.File, Offset: e.Offset, Reason: e.Reason})
				}
			}
			return e
		}
	}
	if err := r.reconcile(); err != nil {
		return err
	}
	// publish the recovered state
	var unflushed int64
	for id, l := range r.logs {
		s.logs[id] = l
		l.assignNext, l.assignTs, l.closing = l.next, l.lastTs, l.closed
		for _, c := range l.chunks {
			if c.first+uint64(c.count) > l.flushedNext {
				unflushed += int64(len(c.data))
			}
		}
		s.tailBytes.Add(l.memBytes)
		if len(l.chunks) > 0 {
			l.flushQueued = true
			s.dirty = append(s.dirty, l)
		}
		for _, d := range l.damage {
			s.recordDamage(&CorruptionError{Log: id, FirstLost: d.first, LastLost: d.last, Reason: "records lost"})
		}
	}
	for _, e := range r.jdamage {
		s.recordDamage(&CorruptionError{File: e.File, Offset: e.Offset, Reason: "journal damaged (salvaged): " + e.Reason})
	}
	for id := range r.orphans {
		s.recordDamage(&CorruptionError{Log: id, Reason: "records of a log whose creation was lost in the damaged journal were dropped"})
	}
	s.unflushed.Store(unflushed)
	s.m.logs.Set(float64(len(s.logs)))
	s.nextSeq = max(r.expect, 1)
	s.committedSeq = s.nextSeq - 1
	s.jw = &journalWriter{fs: s.fs, dir: jdir}
	if err := s.jw.create(r.lastFile+1, r.lastEnd, s.takeSpare()); err != nil {
		return err
	}
	s.committedPos = s.jw.pos()
	return nil
}

func (r *recovery) loadCheckpointLog(cl *ckptLog) {
	s := r.s
	l := newLogState(cl.id, cl.inc, s.dir, cl.retentionMs)
	l.next, l.flushedNext = cl.next, cl.next
	l.lastTs, l.floor, l.closed = cl.lastTs, cl.floor, cl.closed
	l.damage = append(l.damage, cl.damage...)
	for _, cs := range cl.segs {
		if cs.sealed && cs.last < cl.floor {
			continue // trimmed: its removal may have raced the checkpoint
		}
		seg := newSegment(l.dir, cs.base)
		seg.last, seg.firstTs, seg.lastTs, seg.size = cs.last, cs.firstTs, cs.lastTs, cs.size
		seg.idxCount, seg.sealed = int(cs.idxCount), cs.sealed
		l.segs = append(l.segs, seg)
	}
	l.dirMade = len(l.segs) > 0
	r.logs[cl.id] = l
}

// replayFile applies the frames of one journal file from offset off up to
// end (-1: unknown, the file's length). It returns where the valid frames
// end, and whether the file was removed (an empty newest file).
func (r *recovery) replayFile(name string, seq uint64, off, end int64, last bool) (int64, bool, error) {
	s := r.s
	data, err := readFileAll(s.fs, name)
	if err != nil {
		return 0, false, fmt.Errorf("read journal %s: %w", name, err)
	}
	r.mem = &bufMem{size: int64(len(data))}
	hseq, _, herr := decodeJournalHeader(data, name)
	var fv *FormatVersionError
	if errors.As(herr, &fv) {
		return 0, false, herr
	}
	if herr != nil || hseq != seq {
		if last && len(data) <= journalHeaderLen {
			// created but never written: nothing was committed to it
			s.log.Warn("removing journal file with a torn header", "file", name)
			return 0, true, s.fs.Remove(name)
		}
		r.jdamage = append(r.jdamage, &JournalCorruptionError{File: name, Reason: "journal file header damaged"})
		off = journalHeaderLen
	}
	if end >= 0 {
		if int64(len(data)) < end {
			r.jdamage = append(r.jdamage, &JournalCorruptionError{File: name, Offset: int64(len(data)),
				Reason: fmt.Sprintf("journal file ends at %d, the next file's header says %d", len(data), end)})
		} else {
			data = data[:end]
		}
	}
	resynced := false
	for off < int64(len(data)) {
		fseq, payload, n, perr := parseFrame(data[off:])
		if perr == nil && r.expect != 0 && fseq != r.expect && !(resynced && fseq > r.expect) {
			// (a lower sequence is a stale frame of a recycled file)
			perr = fmt.Errorf("frame has commit sequence %d, expected %d", fseq, r.expect)
		}
		var ents []journalEntry
		if perr == nil {
			perr = parseEntries(payload, func(e journalEntry) error { ents = append(ents, e); return nil })
		}
		if perr == nil {
			r.apply(ents, fseq)
			r.expect = fseq + 1
			off += int64(n)
			resynced = false
			continue
		}
		next := findFrame(data, off+1, r.expect)
		if last && next < 0 {
			// A torn tail (the last write before the crash, never acknowledged:
			// acknowledgement follows the fsync that would have completed it),
			// or the stale rest of a recycled file.
			s.log.Warn("truncating journal tail", "file", name, "offset", off, "bytes", int64(len(data))-off, "reason", perr)
			return off, false, truncateFile(s.fs, name, off, true)
		}
		r.jdamage = append(r.jdamage, &JournalCorruptionError{File: name, Offset: off, Reason: perr.Error()})
		if next < 0 {
			return off, false, nil
		}
		off, resynced = next, true
	}
	// In SyncInterval mode a checkpoint may name a position past what
	// reached the disk (the records there are in its segments); the frames
	// of this file end where the file does.
	return min(off, int64(len(data))), false, nil
}

// loadSpares finds recycled journal files left by the previous run.
func (r *recovery) loadSpares(jdir string) error {
	s := r.s
	ents, err := s.fs.ReadDir(jdir)
	if err != nil {
		return fmt.Errorf("list journal: %w", err)
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), sparePrefix) {
			continue
		}
		p := path.Join(jdir, e.Name())
		if len(s.spares) < s.opts.JournalSpares {
			s.spares = append(s.spares, p)
		} else if err := s.fs.Remove(p); err != nil {
			return fmt.Errorf("remove spare journal file: %w", err)
		}
	}
	return nil
}

// readHead reads the first n bytes of a file (fewer if it is shorter).
func readHead(fsys vfs.FS, name string, n int) ([]byte, error) {
	f, err := fsys.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	k, err := f.ReadAt(b, 0)
	if err == io.EOF {
		err = nil
	}
	return b[:k], err
}

// findFrame looks for the next valid frame at or after from whose sequence is
// at least expect; -1 if there is none.
func findFrame(data []byte, from int64, expect uint64) int64 {
	for from < int64(len(data)) {
		i := bytes.Index(data[from:], []byte(frameMagic))
		if i < 0 {
			return -1
		}
		p := from + int64(i)
		if fseq, payload, _, err := parseFrame(data[p:]); err == nil && fseq >= expect {
			if parseEntries(payload, func(journalEntry) error { return nil }) == nil {
				return p
			}
		}
		from = p + 1
	}
	return -1
}

// truncateFile cuts name to size; sync makes the cut durable (needed for a
// torn journal tail, which must not come back as mid-journal damage; segment
// and index cuts are redone by the next recovery if they are lost).
func truncateFile(fsys vfs.FS, name string, size int64, sync bool) error {
	f, err := fsys.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("truncate %s: %w", name, err)
	}
	err = f.Truncate(size)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("truncate %s: %w", name, err)
	}
	return nil
}

// apply replays one frame's entries.
func (r *recovery) apply(ents []journalEntry, seq uint64) {
	for _, e := range ents {
		l := r.logs[e.log]
		switch e.kind {
		case entryCreate:
			if l == nil {
				r.logs[e.log] = newLogState(e.log, seq, r.s.dir, int64(e.arg))
			}
			continue
		case entryDelete:
			delete(r.logs, e.log)
			continue
		}
		if l == nil {
			if e.kind == entryRecords {
				r.orphans[e.log] = true
			}
			continue
		}
		switch e.kind {
		case entryRetention:
			l.retentionMs = int64(e.arg)
		case entryClose:
			l.closed = true
		case entryTrim:
			l.floor = max(l.floor, e.arg)
			k := 0
			for k < len(l.segs) && l.segs[k].sealed && l.segs[k].last < e.arg {
				k++
			}
			l.segs = l.segs[k:]
		case entryRecords:
			first, count, run := e.arg, uint64(e.count), e.run
			if first+count <= l.next {
				continue // already in the segments
			}
			if first < l.next { // partly in the segments: skip those frames
				p := 0
				for range l.next - first {
					n, _ := recordFrameSize(run[p:])
					p += n
				}
				run, count, first = run[p:], count-(l.next-first), l.next
			}
			if first > l.next {
				r.gaps[l] = append(r.gaps[l], lostRange{l.next, first - 1})
				l.addDamage(lostRange{l.next, first - 1})
			}
			_, ts := recordHead(run)
			l.chunks = append(l.chunks, chunk{first: first, count: uint32(count), ts: ts, data: run, mem: r.mem})
			r.mem.live.Add(int64(len(run)))
			l.memBytes += int64(len(run))
			l.next = first + count
			l.lastTs = max(l.lastTs, ts)
			l.lastAppend = r.s.opts.Clock.Now().UnixMilli()
		}
	}
}

// attribute turns journal damage into per-log lost ranges where it can:
// logs written after the damage whose next run starts past their expected
// record were already found by apply (gaps). Records for logs whose create
// entry was lost are reported as orphans.
func (r *recovery) attribute() {
	for id := range r.orphans {
		r.jdamage[0].Affected = append(r.jdamage[0].Affected, &CorruptionError{Log: id, File: r.jdamage[0].File, Offset: r.jdamage[0].Offset, Reason: "records of a log whose creation was lost"})
	}
}

// reconcile makes the files on disk match the recovered state: it removes
// directories of deleted logs and segment files written after the
// checkpoint (the journal holds their records), cuts the active segment and
// its index back to the checkpointed length, and reports missing files.
func (r *recovery) reconcile() error {
	s := r.s
	ldir := path.Join(s.dir, "logs")
	live := map[string]*logState{}
	for _, l := range r.logs {
		live[path.Base(l.dir)] = l
	}
	ents, err := s.fs.ReadDir(ldir)
	if err != nil {
		return fmt.Errorf("list %s: %w", ldir, err)
	}
	for _, e := range ents {
		if live[e.Name()] == nil {
			s.log.Info("removing files of a deleted log", "dir", e.Name())
			if err := s.fs.RemoveAll(path.Join(ldir, e.Name())); err != nil {
				return fmt.Errorf("remove %s: %w", e.Name(), err)
			}
			s.logsDirDirty.Store(true)
		}
	}
	// Per-log work is a few small syscalls; with 10,000 logs their latency
	// dominates, so logs are reconciled in parallel.
	logs := make([]*logState, 0, len(r.logs))
	for _, l := range r.logs {
		logs = append(logs, l)
	}
	errs := make([]error, len(logs))
	parallel(len(logs), syncWorkers, func(i int) { errs[i] = r.reconcileLog(logs[i]) })
	return errors.Join(errs...)
}

func (r *recovery) reconcileLog(l *logState) error {
	s := r.s
	ents, err := s.fs.ReadDir(l.dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("list %s: %w", l.dir, err)
	}
	l.dirMade = err == nil
	want := map[string]bool{}
	for _, seg := range l.segs {
		want[path.Base(seg.path)] = true
		want[path.Base(seg.idxPath)] = true
	}
	present := map[string]bool{}
	for _, e := range ents {
		if !want[e.Name()] {
			// written after the checkpoint (replay rewrites it), trimmed, or a
			// temporary file
			if err := s.fs.Remove(path.Join(l.dir, e.Name())); err != nil {
				return fmt.Errorf("remove %s: %w", e.Name(), err)
			}
			l.dirDirty = true
			continue
		}
		present[e.Name()] = true
	}
	kept := l.segs[:0]
	for _, seg := range l.segs {
		if seg.last < seg.base && !present[path.Base(seg.path)] {
			continue // an empty active segment whose file was never made durable
		}
		kept = append(kept, seg)
	}
	l.segs = kept
	for i, seg := range l.segs {
		if !present[path.Base(seg.path)] {
			seg.missing = true
			if seg.last >= seg.base {
				l.addDamage(lostRange{seg.base, seg.last})
				s.log.Error("segment file missing", "log", l.id, "file", seg.path, "first", seg.base, "last", seg.last)
			}
			if i == len(l.segs)-1 {
				seg.sealed = true // a new segment starts at the next flush
			}
			continue
		}
		if !present[path.Base(seg.idxPath)] {
			s.log.Warn("segment index missing; rebuilt from the segment", "log", l.id, "file", seg.idxPath)
		}
		if i == len(l.segs)-1 && !seg.sealed {
			if err := r.reconcileActive(l, seg); err != nil {
				return err
			}
		}
	}
	return nil
}

// reconcileActive cuts the active segment and its index back to the
// checkpointed length (later bytes are rewritten from the journal).
func (r *recovery) reconcileActive(l *logState, seg *segment) error {
	s := r.s
	st, err := s.fs.Stat(seg.path)
	if err != nil {
		return fmt.Errorf("stat %s: %w", seg.path, err)
	}
	if st.Size() > seg.size {
		if err := truncateFile(s.fs, seg.path, seg.size, false); err != nil {
			return err
		}
	}
	if st.Size() < seg.size {
		// Synced data is gone: keep what is intact, report the rest.
		data, err := readFileAll(s.fs, seg.path)
		if err != nil {
			return fmt.Errorf("read %s: %w", seg.path, err)
		}
		ents, end, next, lastTs, _ := scanSegment(data, seg.base, int64(len(data)), s.opts.IndexInterval)
		if next <= seg.last {
			l.addDamage(lostRange{next, seg.last})
			s.log.Error("segment shorter than checkpointed", "log", l.id, "file", seg.path, "first_lost", next, "last_lost", seg.last)
		}
		if err := truncateFile(s.fs, seg.path, end, false); err != nil {
			return err
		}
		seg.size, seg.last, seg.lastTs, seg.sealed = end, next-1, lastTs, true
		return s.writeIndexFile(l, seg, ents, true, seg.last, lastTs, end)
	}
	b, err := readFileAll(s.fs, seg.idxPath)
	var ents []indexEntry
	clean := false
	if err == nil {
		ents, clean, _, err = decodeIndexFile(b, l.id, seg.base, seg.size, seg.idxPath)
	}
	// Entries past the checkpointed count were written after it (a torn
	// tail of them is harmless); the first idxCount must be intact.
	if err == nil && len(ents) >= seg.idxCount {
		ents, clean = ents[:seg.idxCount], true
	}
	if err != nil || !clean || len(ents) < seg.idxCount || (len(ents) > 0 && ents[0].num != seg.base) {
		data, rerr := readFileAll(s.fs, seg.path)
		if rerr != nil {
			return fmt.Errorf("read %s: %w", seg.path, rerr)
		}
		s.log.Warn("rebuilding index of active segment", "log", l.id, "file", seg.idxPath, "cause", errString(err))
		var next uint64
		var end int64
		ents, end, next, _, _ = scanSegment(data, seg.base, seg.size, s.opts.IndexInterval)
		if next <= seg.last || end < seg.size {
			l.addDamage(lostRange{next, seg.last})
			seg.size, seg.last = end, next-1
			if err := truncateFile(s.fs, seg.path, end, false); err != nil {
				return err
			}
		}
		if err := s.writeIndexFile(l, seg, ents, false, 0, 0, 0); err != nil {
			return err
		}
	} else if want := int64(segHeaderLen + len(ents)*indexEntryLen); int64(len(b)) != want {
		if err := truncateFile(s.fs, seg.idxPath, want, false); err != nil {
			return err
		}
	}
	seg.idxCount = len(ents)
	if len(ents) > 0 {
		seg.idxLastOff = ents[len(ents)-1].off
	}
	return nil
}
