package logstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
)

// readView is a consistent snapshot of a log for one read, taken under its
// lock; I/O happens after the lock is released.
type readView struct {
	l           *logState
	next        uint64
	lastTs      int64
	closed      bool
	floor       uint64
	retentionMs int64
	chunks      []chunk
	flushedNext uint64
	segs        []segView
	damage      []lostRange
}

func (s *Store) view(l *logState) (readView, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.deleted {
		return readView{}, ErrLogNotFound
	}
	v := readView{l: l, next: l.next, lastTs: l.lastTs, closed: l.closed, floor: l.floor, retentionMs: l.retentionMs,
		chunks: l.chunks, flushedNext: l.flushedNext, damage: l.damage}
	v.segs = make([]segView, len(l.segs))
	for i, seg := range l.segs {
		v.segs[i] = seg.view()
	}
	return v, nil
}

// memFirst is the first record held in memory (next if none).
func (v *readView) memFirst() uint64 {
	if len(v.chunks) == 0 {
		return v.next
	}
	return v.chunks[0].first
}

// Read returns records from record number from forward, at most maxRecords
// and about maxBytes of keys and data (at least one record if one exists).
// Records past retention are skipped: reading below the trim horizon starts
// at the first retained record.
func (s *Store) Read(id LogID, from uint64, maxRecords, maxBytes int) (ReadResult, error) {
	for attempt := 0; ; attempt++ {
		res, err := s.read(id, from, maxRecords, maxBytes)
		// A segment deleted by retention between the snapshot and the read:
		// read again from the new trim horizon.
		if err == nil || !errors.Is(err, fs.ErrNotExist) || attempt == 2 {
			return res, err
		}
	}
}

func (s *Store) read(id LogID, from uint64, maxRecords, maxBytes int) (ReadResult, error) {
	if maxRecords <= 0 || maxBytes <= 0 {
		return ReadResult{}, fmt.Errorf("%w: maxRecords %d, maxBytes %d", ErrInvalidArgument, maxRecords, maxBytes)
	}
	l := s.getLog(id)
	if l == nil {
		return ReadResult{}, s.notFound()
	}
	start, err := s.firstRetained(l)
	if err != nil {
		return ReadResult{}, err
	}
	v, err := s.view(l)
	if err != nil {
		return ReadResult{}, err
	}
	pos := max(from, start, 1)
	res := ReadResult{Next: pos, Tail: v.next}
	if v.next > 1 {
		res.TailTimestamp = v.lastTs
	}
	if pos >= v.next {
		res.Closed = v.closed && pos == v.next
		return res, nil
	}
	for _, r := range v.damage {
		if pos >= r.first && pos <= r.last {
			return res, &CorruptionError{Log: id, FirstLost: r.first, LastLost: r.last, Reason: "records lost (see Damage)"}
		}
	}
	limit := v.next // exclusive
	for _, r := range v.damage {
		if r.first > pos && r.first < limit {
			limit = r.first
		}
	}
	want := min(uint64(maxRecords), limit-pos)
	recs := make([]Record, 0, min(want, 10_000)) // one allocation for a usual GetRecords call
	bytes := 0
	full := func() bool { return uint64(len(recs)) >= want || (len(recs) > 0 && bytes >= maxBytes) }
	// From segments, for what is not in memory.
	if pos < v.memFirst() {
		recs, bytes, pos, err = s.readSegments(&v, pos, min(limit, v.memFirst()), recs, bytes, want, maxBytes)
		if err != nil && len(recs) == 0 {
			return res, err
		}
		if err != nil {
			// return what was read; the next read reports the damage
			limit = pos
		}
	}
	// From memory.
	if !full() && pos < limit && pos >= v.memFirst() {
		i := sort.Search(len(v.chunks), func(i int) bool { return v.chunks[i].first+uint64(v.chunks[i].count) > pos })
		var r Record
	chunks:
		for ; i < len(v.chunks); i++ {
			c := &v.chunks[i]
			p := 0
			for num := c.first; num < c.first+uint64(c.count); num++ {
				if num < pos { // skip to pos by frame lengths alone
					n, derr := recordFrameSize(c.data[p:])
					if derr != nil {
						return res, fmt.Errorf("logstore: log %d record %d in memory: %w", id, num, derr)
					}
					p += n
					continue
				}
				if full() || num >= limit {
					break chunks
				}
				n, derr := decodeRecord(c.data[p:], &r, false)
				if derr != nil {
					return res, fmt.Errorf("logstore: log %d record %d in memory: %w", id, num, derr)
				}
				p += n
				recs = append(recs, r)
				bytes += len(r.PartitionKey) + len(r.ExplicitHashKey) + len(r.Data)
				pos = num + 1
			}
		}
	}
	res.Records = recs
	res.Next = pos
	res.Closed = v.closed && pos == v.next
	s.m.readRecords.Add(len(recs))
	s.m.readBytes.Add(bytes)
	return res, nil
}

// readSegments reads records [pos, end) from segment files into recs.
func (s *Store) readSegments(v *readView, pos, end uint64, recs []Record, bytes int, want uint64, maxBytes int) ([]Record, int, uint64, error) {
	full := func() bool { return uint64(len(recs)) >= want || (len(recs) > 0 && bytes >= maxBytes) }
	for !full() && pos < end {
		i := sort.Search(len(v.segs), func(i int) bool { return v.segs[i].last >= pos })
		if i == len(v.segs) || v.segs[i].base > pos {
			return recs, bytes, pos, s.corrupt(v.l, pos, pos, "", 0, "no segment holds this record")
		}
		sv := v.segs[i]
		if sv.missing {
			return recs, bytes, pos, &CorruptionError{Log: v.l.id, FirstLost: sv.base, LastLost: sv.last, File: sv.seg.path, Reason: "segment file missing"}
		}
		ents, err := s.loadIndex(v.l, sv)
		if err != nil {
			return recs, bytes, pos, err
		}
		e := findEntry(ents, pos)
		off := e.off
		num := e.num
		var r Record
		for !full() && pos < end && pos <= sv.last {
			// one large pread: enough for the records still wanted (bounded
			// by maxBytes and the index interval), at least 64 KiB
			// The index bounds where the wanted records end: at the first
			// entry past them (or the segment's end).
			remaining := want - uint64(len(recs))
			endOff := sv.size
			if k := sort.Search(len(ents), func(i int) bool { return ents[i].num >= pos+remaining }); k < len(ents) && ents[k].off > off {
				endOff = ents[k].off
			}
			need := int64(maxBytes-bytes) + int64(remaining)*(recHeaderLen+maxKeyLen+hashKeyLen) + int64(s.opts.IndexInterval)
			n := min(endOff-off, need, 16<<20)
			n = max(n, min(sv.size-off, 4<<10))
			buf := make([]byte, n)
			if err := s.preadSegment(sv, buf, off); err != nil {
				return recs, bytes, pos, err
			}
			p := 0
			for p < len(buf) && !full() && pos < end && num <= sv.last {
				k, derr := decodeRecord(buf[p:], &r, true)
				if errors.Is(derr, errShortFrame) {
					if p == 0 && k > len(buf) && off+int64(k) <= sv.size { // a record bigger than the buffer
						buf = make([]byte, k)
						if err := s.preadSegment(sv, buf, off); err != nil {
							return recs, bytes, pos, err
						}
						continue
					}
					if p == 0 {
						return recs, bytes, pos, s.corrupt(v.l, num, sv.last, sv.seg.path, off, "segment ends inside a record")
					}
					break
				}
				if derr == nil && r.Number != num {
					derr = fmt.Errorf("record numbered %d where %d expected", r.Number, num)
				}
				if derr != nil {
					return recs, bytes, pos, s.corrupt(v.l, num, s.nextIndexed(ents, num, sv.last), sv.seg.path, off+int64(p), derr.Error())
				}
				p += k
				num++
				if r.Number < pos {
					continue
				}
				recs = append(recs, r)
				bytes += len(r.PartitionKey) + len(r.ExplicitHashKey) + len(r.Data)
				pos = r.Number + 1
			}
			off += int64(p)
			if off >= sv.size {
				break
			}
		}
	}
	return recs, bytes, pos, nil
}

// nextIndexed is the last record before the next index entry after num (so a
// bad frame is reported as losing at most one index interval).
func (s *Store) nextIndexed(ents []indexEntry, num, last uint64) uint64 {
	i := sort.Search(len(ents), func(i int) bool { return ents[i].num > num })
	if i < len(ents) {
		return ents[i].num - 1
	}
	return last
}

func (s *Store) preadSegment(sv segView, buf []byte, off int64) error {
	err := s.files.withFile(sv.seg.path, false, func(f vfsFile) error {
		n, err := f.ReadAt(buf, off)
		if err == io.EOF && n == len(buf) {
			err = nil
		}
		if err == io.EOF {
			err = fmt.Errorf("segment ends at %d, %d bytes expected", off+int64(n), sv.size)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", sv.seg.path, err)
	}
	return nil
}

// TrimHorizon returns the first retained record number (Tail if none).
func (s *Store) TrimHorizon(id LogID) (uint64, error) {
	l := s.getLog(id)
	if l == nil {
		return 0, s.notFound()
	}
	return s.firstRetained(l)
}

// SeekTimestamp returns the first retained record with Timestamp >= ms, or
// Tail if there is none.
func (s *Store) SeekTimestamp(id LogID, ms int64) (uint64, error) {
	l := s.getLog(id)
	if l == nil {
		return 0, s.notFound()
	}
	start, err := s.firstRetained(l)
	if err != nil {
		return 0, err
	}
	v, err := s.view(l)
	if err != nil {
		return 0, err
	}
	n, err := s.findTs(&v, ms)
	return max(n, start), err
}

// firstRetained returns the first record that is neither trimmed nor past
// retention now. The answer is cached: it stays right while that record is
// retained (timestamps never decrease along a log).
func (s *Store) firstRetained(l *logState) (uint64, error) {
	now := s.opts.Clock.Now().UnixMilli()
	l.mu.RLock()
	horizon := now - l.retentionMs
	if l.retNum != 0 && l.retNum >= l.floor && ((l.retNum < l.next && int64(l.retTs) >= horizon) || (l.retNum == l.next && l.retTail == l.next)) {
		n := l.retNum
		l.mu.RUnlock()
		return n, nil
	}
	l.mu.RUnlock()
	v, err := s.view(l)
	if err != nil {
		return 0, err
	}
	n, err := s.findTs(&v, horizon)
	if err != nil {
		return 0, err
	}
	n = max(n, v.floor)
	ts, err := s.timestampOf(&v, n)
	if err != nil {
		return 0, err
	}
	l.mu.Lock()
	if l.floor == v.floor {
		l.retNum, l.retTs, l.retTail = n, uint64(ts), v.next
	}
	l.mu.Unlock()
	return n, nil
}

// timestampOf returns the arrival time of record n (0 if n is the tail).
func (s *Store) timestampOf(v *readView, n uint64) (int64, error) {
	if n >= v.next {
		return 0, nil
	}
	if n >= v.memFirst() {
		i := sort.Search(len(v.chunks), func(i int) bool { return v.chunks[i].first+uint64(v.chunks[i].count) > n })
		return v.chunks[i].ts, nil
	}
	recs, _, _, err := s.readSegments(v, n, n+1, nil, 0, 1, 1)
	var ce *CorruptionError
	if errors.As(err, &ce) {
		return 0, nil // unknown: the cached answer is then recomputed on each call
	}
	if err != nil {
		return 0, err
	}
	if len(recs) == 0 {
		return 0, fmt.Errorf("logstore: log %d record %d not found", v.l.id, n)
	}
	return recs[0].Timestamp, nil
}

// findTs returns the first record (at or above the floor) with Timestamp >= ms,
// or next if none.
func (s *Store) findTs(v *readView, ms int64) (uint64, error) {
	if v.next <= v.floor || v.lastTs < ms {
		return v.next, nil
	}
	// In memory, if the answer is there.
	if len(v.chunks) > 0 && v.chunks[0].ts < ms {
		i := sort.Search(len(v.chunks), func(i int) bool { return v.chunks[i].ts >= ms })
		if i < len(v.chunks) {
			return max(v.chunks[i].first, v.floor), nil
		}
		return v.next, nil
	}
	// In the segments: the first whose last record is new enough.
	i := sort.Search(len(v.segs), func(i int) bool { return v.segs[i].last < v.segs[i].base || v.segs[i].lastTs >= ms })
	for ; i < len(v.segs); i++ {
		sv := v.segs[i]
		if sv.last < v.floor || sv.last < sv.base {
			continue
		}
		if sv.firstTs >= ms {
			return max(sv.base, v.floor), nil
		}
		// Where the answer lies in damaged data, answer the first record that
		// may hold it: reads from there report the loss, reads past it work.
		if sv.missing {
			return max(sv.base, v.floor), nil
		}
		ents, err := s.loadIndex(v.l, sv)
		var ce *CorruptionError
		if errors.As(err, &ce) {
			return max(sv.base, v.floor), nil
		}
		if err != nil {
			return 0, err
		}
		e := findEntryTs(ents, ms)
		pos := max(e.num, v.floor)
		for pos <= sv.last {
			recs, _, _, err := s.readSegments(v, pos, sv.last+1, nil, 0, 1024, 1<<20)
			if errors.As(err, &ce) {
				return pos, nil
			}
			if err != nil {
				return 0, err
			}
			if len(recs) == 0 {
				break
			}
			for _, r := range recs {
				if r.Timestamp >= ms {
					return r.Number, nil
				}
			}
			pos = recs[len(recs)-1].Number + 1
		}
	}
	// Not in any segment: the first record in memory.
	if len(v.chunks) > 0 {
		return max(v.chunks[0].first, v.floor), nil
	}
	return v.next, nil
}
