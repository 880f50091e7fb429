package logstore

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync/atomic"
	"time"
)

// Checkpoint file ("CHECKPOINT"), replaced atomically (write CHECKPOINT.tmp,
// fsync, rename, fsync the directory):
//
//	header, 64 bytes:
//	0  8 magic "EDDYCKPT"
//	8  2 version
//	10 2 header length (64)
//	12 4 number of logs
//	16 8 journal file to replay from
//	24 8 offset in that file of the first frame to replay
//	32 8 commit sequence number of that frame
//	40 8 time written, unix ms
//	48 8 body length in bytes
//	56 4 reserved (0)
//	60 4 crc32c of bytes 0..60
//	body: per log, 64 bytes, then its segments (48 bytes each), then its
//	lost ranges (16 bytes each):
//	0  8 log id            8  8 incarnation       16 8 retention ms
//	24 8 next record number (all records below are in the listed segments)
//	32 8 arrival ms of the newest record           40 8 floor
//	48 4 flags (bit 0 closed)  52 4 segment count  56 4 lost range count
//	60 4 reserved (0)
//	segment: 0 8 base, 8 8 last, 16 8 first ms, 24 8 last ms, 32 8 length,
//	         40 4 index entries, 44 4 flags (bit 0 sealed)
//	lost range: 0 8 first, 8 8 last
//	trailer: crc32c of the body (4 bytes)
const (
	ckptHeaderLen = 64
	ckptLogLen    = 64
	ckptSegLen    = 48
	ckptLostLen   = 16
	ckptFile      = "CHECKPOINT"
)

type ckptSeg struct {
	base, last      uint64
	firstTs, lastTs int64
	size            int64
	idxCount        uint32
	sealed          bool
}

type ckptLog struct {
	id          LogID
	inc         uint64
	retentionMs int64
	next        uint64
	lastTs      int64
	floor       uint64
	closed      bool
	segs        []ckptSeg
	damage      []lostRange
}

type checkpointData struct {
	replay    journalPos
	nextSeq   uint64
	createdMs int64
	logs      []ckptLog
}

func encodeCheckpoint(c *checkpointData) []byte {
	n := 0
	for i := range c.logs {
		n += ckptLogLen + len(c.logs[i].segs)*ckptSegLen + len(c.logs[i].damage)*ckptLostLen
	}
	b := make([]byte, ckptHeaderLen+n+4)
	copy(b, checkpointMagic)
	le.PutUint16(b[8:], checkpointVersion)
	le.PutUint16(b[10:], ckptHeaderLen)
	le.PutUint32(b[12:], uint32(len(c.logs)))
	le.PutUint64(b[16:], c.replay.file)
	le.PutUint64(b[24:], uint64(c.replay.off))
	le.PutUint64(b[32:], c.nextSeq)
	le.PutUint64(b[40:], uint64(c.createdMs))
	le.PutUint64(b[48:], uint64(n))
	le.PutUint32(b[60:], crc(b[:60]))
	p := ckptHeaderLen
	for i := range c.logs {
		l := &c.logs[i]
		e := b[p : p+ckptLogLen]
		le.PutUint64(e[0:], uint64(l.id))
		le.PutUint64(e[8:], l.inc)
		le.PutUint64(e[16:], uint64(l.retentionMs))
		le.PutUint64(e[24:], l.next)
		le.PutUint64(e[32:], uint64(l.lastTs))
		le.PutUint64(e[40:], l.floor)
		if l.closed {
			le.PutUint32(e[48:], 1)
		}
		le.PutUint32(e[52:], uint32(len(l.segs)))
		le.PutUint32(e[56:], uint32(len(l.damage)))
		p += ckptLogLen
		for _, sg := range l.segs {
			e := b[p : p+ckptSegLen]
			le.PutUint64(e[0:], sg.base)
			le.PutUint64(e[8:], sg.last)
			le.PutUint64(e[16:], uint64(sg.firstTs))
			le.PutUint64(e[24:], uint64(sg.lastTs))
			le.PutUint64(e[32:], uint64(sg.size))
			le.PutUint32(e[40:], sg.idxCount)
			if sg.sealed {
				le.PutUint32(e[44:], 1)
			}
			p += ckptSegLen
		}
		for _, d := range l.damage {
			le.PutUint64(b[p:], d.first)
			le.PutUint64(b[p+8:], d.last)
			p += ckptLostLen
		}
	}
	le.PutUint32(b[p:], crc(b[ckptHeaderLen:p]))
	return b
}

func decodeCheckpoint(b []byte, name string) (*checkpointData, error) {
	if err := checkMagicVersion(b, checkpointMagic, checkpointVersion, name); err != nil {
		return nil, err
	}
	if len(b) < ckptHeaderLen || le.Uint16(b[10:]) != ckptHeaderLen || crc(b[:60]) != le.Uint32(b[60:]) {
		return nil, errors.New("checkpoint header damaged")
	}
	bodyLen := le.Uint64(b[48:])
	if bodyLen > uint64(len(b)) || uint64(len(b)) != ckptHeaderLen+bodyLen+4 {
		return nil, fmt.Errorf("checkpoint is %d bytes, header says body of %d", len(b), bodyLen)
	}
	body := b[ckptHeaderLen : ckptHeaderLen+bodyLen]
	if crc(body) != le.Uint32(b[ckptHeaderLen+bodyLen:]) {
		return nil, errors.New("checkpoint body checksum mismatch")
	}
	c := &checkpointData{
		replay:    journalPos{file: le.Uint64(b[16:]), off: int64(le.Uint64(b[24:]))},
		nextSeq:   le.Uint64(b[32:]),
		createdMs: int64(le.Uint64(b[40:])),
	}
	nlogs := int(le.Uint32(b[12:]))
	if nlogs > len(body)/ckptLogLen {
		return nil, fmt.Errorf("checkpoint claims %d logs in %d bytes", nlogs, len(body))
	}
	c.logs = make([]ckptLog, 0, nlogs)
	p := 0
	for range nlogs {
		if len(body)-p < ckptLogLen {
			return nil, errors.New("checkpoint body truncated")
		}
		e := body[p : p+ckptLogLen]
		l := ckptLog{
			id: LogID(le.Uint64(e[0:])), inc: le.Uint64(e[8:]), retentionMs: int64(le.Uint64(e[16:])),
			next: le.Uint64(e[24:]), lastTs: int64(le.Uint64(e[32:])), floor: le.Uint64(e[40:]),
			closed: le.Uint32(e[48:])&1 != 0,
		}
		ns, nd := int(le.Uint32(e[52:])), int(le.Uint32(e[56:]))
		p += ckptLogLen
		if ns > (len(body)-p)/ckptSegLen || nd > (len(body)-p-ns*ckptSegLen)/ckptLostLen {
			return nil, fmt.Errorf("checkpoint entry of log %d overruns the body", l.id)
		}
		if l.id == 0 || l.next == 0 || l.retentionMs <= 0 {
			return nil, fmt.Errorf("checkpoint entry of log %d is invalid", l.id)
		}
		for range ns {
			e := body[p : p+ckptSegLen]
			sg := ckptSeg{
				base: le.Uint64(e[0:]), last: le.Uint64(e[8:]), firstTs: int64(le.Uint64(e[16:])),
				lastTs: int64(le.Uint64(e[24:])), size: int64(le.Uint64(e[32:])), idxCount: le.Uint32(e[40:]),
				sealed: le.Uint32(e[44:])&1 != 0,
			}
			if sg.base == 0 || sg.last+1 < sg.base || sg.size < segHeaderLen ||
				(len(l.segs) > 0 && sg.base <= l.segs[len(l.segs)-1].last) {
				return nil, fmt.Errorf("checkpoint segment %d of log %d is invalid", sg.base, l.id)
			}
			l.segs = append(l.segs, sg)
			p += ckptSegLen
		}
		for range nd {
			d := lostRange{first: le.Uint64(body[p:]), last: le.Uint64(body[p+8:])}
			if d.first == 0 || d.last < d.first {
				return nil, fmt.Errorf("checkpoint lost range of log %d is invalid", l.id)
			}
			l.damage = append(l.damage, d)
			p += ckptLostLen
		}
		c.logs = append(c.logs, l)
	}
	if p != len(body) {
		return nil, fmt.Errorf("checkpoint body has %d trailing bytes", len(body)-p)
	}
	return c, nil
}

// Checkpoint writes every committed record to its segment, fsyncs the
// segment and index files written since the last checkpoint, records where
// journal replay must start, and deletes journal files before that. It runs
// by itself on a timer and when the journal grows; Close runs one.
func (s *Store) Checkpoint() error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	return s.checkpoint()
}

func (s *Store) checkpoint() error {
	s.ckptMu.Lock()
	defer s.ckptMu.Unlock()
	s.mu.Lock()
	if s.failErr != nil {
		err := s.failErr
		s.mu.Unlock()
		return err
	}
	pos, nextSeq := s.committedPos, s.committedSeq+1
	if s.ckptDone && nextSeq == s.ckptSeq && !s.logsDirDirty.Load() && s.unflushed.Load() == 0 {
		s.mu.Unlock()
		return nil // nothing committed since the last one
	}
	s.sinceCkpt = 0
	logs := make([]*logState, 0, len(s.logs))
	for _, l := range s.logs {
		logs = append(logs, l)
	}
	s.mu.Unlock()
	t0 := time.Now()
	sort.Slice(logs, func(i, j int) bool { return logs[i].id < logs[j].id })
	c := &checkpointData{replay: pos, nextSeq: nextSeq, createdMs: s.opts.Clock.Now().UnixMilli(), logs: make([]ckptLog, 0, len(logs))}
	// Flush and capture every log; then fsync what was written, many files
	// at once and without holding any log's lock, so that appends and the
	// flusher carry on meanwhile (what was captured was written before the
	// fsync, which is all the checkpoint claims).
	var toSync, dirsToSync []string
	for _, l := range logs {
		e, files, dir, err := s.checkpointLog(l)
		if err != nil {
			s.m.checkpointErrors.Inc()
			return fmt.Errorf("checkpoint: %w", err)
		}
		c.logs = append(c.logs, e)
		toSync = append(toSync, files...)
		if dir != "" {
			dirsToSync = append(dirsToSync, dir)
		}
	}
	var syncErr atomic.Pointer[error]
	parallel(len(toSync), syncWorkers, func(i int) {
		err := s.files.withFile(toSync[i], false, func(f vfsFile) error { return f.Sync() })
		if err != nil && !errors.Is(err, fs.ErrNotExist) { // a trimmed file is gone on purpose
			err = fmt.Errorf("fsync %s: %w", toSync[i], err)
			syncErr.CompareAndSwap(nil, &err)
		}
	})
	parallel(len(dirsToSync), syncWorkers, func(i int) {
		if err := s.fs.SyncDir(dirsToSync[i]); err != nil && !errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("sync directory %s: %w", dirsToSync[i], err)
			syncErr.CompareAndSwap(nil, &err)
		}
	})
	if e := syncErr.Load(); e != nil {
		// After a failed fsync the data may be gone from the page cache while
		// a retry reports success (fsyncgate): never checkpoint past it.
		s.m.checkpointErrors.Inc()
		s.goReadOnly(*e)
		return fmt.Errorf("checkpoint: %w", *e)
	}
	if s.logsDirDirty.Swap(false) {
		if err := s.fs.SyncDir(path.Join(s.dir, "logs")); err != nil {
			s.logsDirDirty.Store(true)
			s.m.checkpointErrors.Inc()
			return fmt.Errorf("checkpoint: sync logs directory: %w", err)
		}
	}
	tmp := path.Join(s.dir, ckptFile+".tmp")
	if err := writeFileSync(s.fs, tmp, encodeCheckpoint(c)); err != nil {
		s.m.checkpointErrors.Inc()
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := s.fs.Rename(tmp, path.Join(s.dir, ckptFile)); err != nil {
		s.m.checkpointErrors.Inc()
		return fmt.Errorf("checkpoint: rename: %w", err)
	}
	if err := s.fs.SyncDir(s.dir); err != nil {
		s.m.checkpointErrors.Inc()
		return fmt.Errorf("checkpoint: sync %s: %w", s.dir, err)
	}
	// journal files wholly before the replay position are no longer needed
	jdir := path.Join(s.dir, "journal")
	if seqs, err := listJournal(s.fs, jdir); err == nil {
		for _, q := range seqs {
			if q < pos.file {
				s.retireJournal(q)
			}
		}
	}
	s.mu.Lock()
	s.ckptDone, s.ckptSeq = true, nextSeq
	s.mu.Unlock()
	s.m.checkpoints.Inc()
	s.m.checkpointSeconds.UpdateDuration(t0)
	return nil
}

// checkpointLog flushes one log and returns its checkpoint entry, the files
// written since the last checkpoint and the directory to sync (if any).
func (s *Store) checkpointLog(l *logState) (e ckptLog, files []string, dir string, err error) {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.RLock()
	deleted := l.deleted
	l.mu.RUnlock()
	if deleted {
		// Deleted after the replay position: keep an entry without segments
		// so that replaying its records (before the delete entry) finds the
		// log; the delete entry then removes it again.
		return ckptLog{id: l.id, inc: l.inc, retentionMs: max(l.retentionMs, 1), next: l.flushedNext, floor: 1}, nil, "", nil
	}
	if err := s.flushLogLocked(l, false); err != nil {
		return e, nil, "", err
	}
	if l.dirDirty {
		dir = l.dir
		l.dirDirty = false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e = ckptLog{id: l.id, inc: l.inc, retentionMs: l.retentionMs, next: l.flushedNext, lastTs: l.lastTs,
		floor: l.floor, closed: l.closed, damage: append([]lostRange(nil), l.damage...)}
	for _, seg := range l.segs {
		e.segs = append(e.segs, ckptSeg{base: seg.base, last: seg.last, firstTs: seg.firstTs, lastTs: seg.lastTs,
			size: seg.size, idxCount: uint32(seg.idxCount), sealed: seg.sealed})
		if seg.dirty && !seg.missing {
			files = append(files, seg.path, seg.idxPath)
			seg.dirty = false
		}
	}
	return e, files, dir, nil
}
