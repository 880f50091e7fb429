package logstore

import (
	"container/list"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"sync"

	"github.com/eddy-streams/eddy/internal/vfs"
)

// Index entry (32 bytes) in a segment's .idx file, after its 40-byte header:
//
//	0  8 record number
//	8  8 arrival timestamp, unix ms
//	16 8 offset of the record's frame in the segment file
//	24 4 kind: 1 sparse entry, 2 seal trailer (number = last record,
//	     offset = segment length)
//	28 4 crc32c of bytes 0..28
const (
	indexEntryLen = 32
	idxKindEntry  = 1
	idxKindSeal   = 2
)

type indexEntry struct {
	num uint64
	ts  int64
	off int64
}

func encodeIndexEntry(b []byte, e indexEntry, kind uint32) {
	le.PutUint64(b[0:], e.num)
	le.PutUint64(b[8:], uint64(e.ts))
	le.PutUint64(b[16:], uint64(e.off))
	le.PutUint32(b[24:], kind)
	le.PutUint32(b[28:], crc(b[:28]))
}

// decodeIndexEntry decodes one 32-byte entry; ok is false if its checksum or
// kind is bad.
func decodeIndexEntry(b []byte) (e indexEntry, kind uint32, ok bool) {
	if len(b) < indexEntryLen || crc(b[:28]) != le.Uint32(b[28:]) {
		return e, 0, false
	}
	kind = le.Uint32(b[24:])
	if kind != idxKindEntry && kind != idxKindSeal {
		return e, 0, false
	}
	return indexEntry{num: le.Uint64(b), ts: int64(le.Uint64(b[8:])), off: int64(le.Uint64(b[16:]))}, kind, true
}

// decodeIndexFile validates an index file's header and returns its valid
// sparse entries in order: it stops at the first bad, out-of-order or
// entry, or before the first entry at or past segSize (the caller's view of
// the segment length), and reports whether what it read was clean and whether
// it ended with a seal trailer.
func decodeIndexFile(b []byte, log LogID, base uint64, segSize int64, name string) (ents []indexEntry, clean, sealed bool, err error) {
	hl, hb, err := decodeSegHeader(b, indexMagic, indexVersion, name)
	if err != nil {
		return nil, false, false, err
	}
	if hl != log || hb != base {
		return nil, false, false, fmt.Errorf("index header names log %d base %d, expected log %d base %d", hl, hb, log, base)
	}
	body := b[segHeaderLen:]
	clean = len(body)%indexEntryLen == 0
	for p := 0; p+indexEntryLen <= len(body); p += indexEntryLen {
		e, kind, ok := decodeIndexEntry(body[p:])
		if !ok {
			return ents, false, false, nil
		}
		if kind == idxKindSeal {
			sealed = true
			clean = clean && p+indexEntryLen == len(body)
			return ents, clean, sealed, nil
		}
		if e.off >= segSize {
			// written for data past the caller's view of the segment
			return ents, clean, false, nil
		}
		if e.off < segHeaderLen || e.num < base ||
			(len(ents) > 0 && (e.num <= ents[len(ents)-1].num || e.off <= ents[len(ents)-1].off || e.ts < ents[len(ents)-1].ts)) {
			return ents, false, false, nil
		}
		ents = append(ents, e)
	}
	return ents, clean, false, nil
}

// segment is one segment file and its index. Fields up to idxMu are guarded
// by the owning log's mu (and written under its flushMu).
type segment struct {
	base            uint64
	last            uint64 // base-1 while empty
	firstTs, lastTs int64
	size            int64 // bytes: header + frames written
	sealed          bool
	dirty           bool  // written since the last sync
	writebackOff    int64 // bytes below are handed to the kernel's writeback (see startWriteback)
	idxCount        int   // sparse entries in the .idx file
	idxLastOff      int64
	missing         bool // the file was missing at recovery
	path, idxPath   string

	// idxMu guards the cached index; it is a leaf lock.
	idxMu    sync.Mutex
	idx      []indexEntry
	lruElem  *list.Element
	idxBytes int64
}

func segName(base uint64) string { return fmt.Sprintf("%020d", base) }

func newSegment(dir string, base uint64) *segment {
	n := segName(base)
	return &segment{base: base, last: base - 1, path: path.Join(dir, n+".seg"), idxPath: path.Join(dir, n+".idx"), size: segHeaderLen}
}

// segView is a snapshot of a segment's metadata taken under the log's lock.
type segView struct {
	seg             *segment
	base, last      uint64
	firstTs, lastTs int64
	size            int64
	missing         bool
}

func (s *segment) view() segView {
	return segView{seg: s, base: s.base, last: s.last, firstTs: s.firstTs, lastTs: s.lastTs, size: s.size, missing: s.missing}
}

// indexCache bounds the memory of loaded sparse indexes (LRU over segments).
type indexCache struct {
	mu    sync.Mutex
	lru   list.List // *segment, least recently used first
	bytes int64
	max   int64
}

func (c *indexCache) touch(s *segment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.lruElem != nil {
		c.lru.MoveToBack(s.lruElem)
	}
}

// add registers s (whose idxMu the caller holds) and evicts others.
func (c *indexCache) add(s *segment, bytes int64) {
	c.mu.Lock()
	if s.lruElem == nil {
		s.lruElem = c.lru.PushBack(s)
	} else {
		c.lru.MoveToBack(s.lruElem)
	}
	c.bytes += bytes - s.idxBytes
	s.idxBytes = bytes
	var victims []*segment
	for c.bytes > c.max && c.lru.Len() > 1 {
		v := c.lru.Front().Value.(*segment)
		if v == s {
			break
		}
		c.lru.Remove(v.lruElem)
		v.lruElem = nil
		c.bytes -= v.idxBytes
		victims = append(victims, v)
	}
	c.mu.Unlock()
	for _, v := range victims {
		if v.idxMu.TryLock() {
			v.idx, v.idxBytes = nil, 0
			v.idxMu.Unlock()
			continue
		}
		// in use: keep it loaded and tracked; it goes some other time
		c.mu.Lock()
		if v.lruElem == nil {
			v.lruElem = c.lru.PushFront(v)
			c.bytes += v.idxBytes
		}
		c.mu.Unlock()
	}
}

func (c *indexCache) remove(s *segment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.lruElem != nil {
		c.lru.Remove(s.lruElem)
		s.lruElem = nil
		c.bytes -= s.idxBytes
	}
}

// readAll reads a whole file through the cache.
func readWhole(fc *fileCache, p string) ([]byte, error) {
	var b []byte
	err := fc.withFile(p, false, func(f vfs.File) error {
		st, err := f.Stat()
		if err != nil {
			return err
		}
		b = make([]byte, st.Size())
		n, err := f.ReadAt(b, 0)
		if err == io.EOF && n == len(b) {
			err = nil
		}
		b = b[:n]
		return err
	})
	return b, err
}

// scanSegment walks the frames of segment data b (the whole file, header
// included) up to size, verifying checksums and numbering, and builds sparse
// index entries every interval bytes. It stops at the first bad frame and
// returns how far it got.
func scanSegment(b []byte, base uint64, size int64, interval int) (ents []indexEntry, end int64, next uint64, lastTs int64, err error) {
	if int64(len(b)) < size {
		size = int64(len(b))
	}
	var r Record
	next = base
	end = segHeaderLen
	lastIdx := int64(-1)
	for end < size {
		n, derr := decodeRecord(b[end:size], &r, true)
		if derr != nil {
			return ents, end, next, lastTs, fmt.Errorf("frame at offset %d: %w", end, derr)
		}
		if r.Number != next {
			return ents, end, next, lastTs, fmt.Errorf("frame at offset %d numbered %d, expected %d", end, r.Number, next)
		}
		if r.Timestamp < lastTs {
			return ents, end, next, lastTs, fmt.Errorf("frame at offset %d goes back in time", end)
		}
		if lastIdx < 0 || end-lastIdx >= int64(interval) {
			ents = append(ents, indexEntry{num: r.Number, ts: r.Timestamp, off: end})
			lastIdx = end
		}
		lastTs = r.Timestamp
		next++
		end += int64(n)
	}
	return ents, end, next, lastTs, nil
}

// writeIndexFile replaces a segment's index file (temporary file + rename).
func (st *Store) writeIndexFile(l *logState, seg *segment, ents []indexEntry, sealed bool, last uint64, lastTs, size int64) error {
	b := make([]byte, segHeaderLen, segHeaderLen+(len(ents)+1)*indexEntryLen)
	copy(b, encodeSegHeader(indexMagic, indexVersion, l.id, seg.base))
	var e [indexEntryLen]byte
	for _, x := range ents {
		encodeIndexEntry(e[:], x, idxKindEntry)
		b = append(b, e[:]...)
	}
	if sealed {
		encodeIndexEntry(e[:], indexEntry{num: last, ts: lastTs, off: size}, idxKindSeal)
		b = append(b, e[:]...)
	}
	tmp := seg.idxPath + ".tmp"
	st.files.forget(seg.idxPath)
	if err := writeFileSync(st.fs, tmp, b); err != nil {
		return err
	}
	if err := st.fs.Rename(tmp, seg.idxPath); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return nil
}

// loadIndex returns the sparse index of v's segment, loading it (or
// rebuilding it from the segment data if the index file is damaged).
func (st *Store) loadIndex(l *logState, v segView) ([]indexEntry, error) {
	seg := v.seg
	seg.idxMu.Lock()
	defer seg.idxMu.Unlock()
	if seg.idx != nil {
		st.idxCache.touch(seg)
		return seg.idx, nil
	}
	b, err := readWhole(st.files, seg.idxPath)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := st.fs.Stat(seg.path); errors.Is(serr, fs.ErrNotExist) {
			return nil, serr // the segment is gone too: trimmed under the reader
		}
	}
	var ents []indexEntry
	ok := false
	if err == nil {
		var clean bool
		ents, clean, _, err = decodeIndexFile(b, l.id, seg.base, v.size, seg.idxPath)
		var fv *FormatVersionError
		if errors.As(err, &fv) {
			return nil, err
		}
		ok = err == nil && clean && len(ents) > 0 && ents[0].num == seg.base
		// An index may legitimately stop short of the segment (entries are
		// written after the data); it must then still cover the start.
	}
	if !ok {
		ents, err = st.rebuildIndex(l, v, err)
		if err != nil {
			return nil, err
		}
	}
	seg.idx = ents
	st.idxCache.add(seg, int64(cap(ents))*24)
	return ents, nil
}

// rebuildIndex scans a segment to rebuild its index; it loses nothing, so it
// is logged, not reported as damage (unless the segment data is bad too).
func (st *Store) rebuildIndex(l *logState, v segView, cause error) ([]indexEntry, error) {
	st.log.Warn("rebuilding damaged segment index", "log", l.id, "index", v.seg.idxPath, "cause", errString(cause))
	st.m.indexRebuilds.Inc()
	data, err := readWhole(st.files, v.seg.path)
	if err != nil {
		return nil, fmt.Errorf("read segment %s to rebuild its index: %w", v.seg.path, err)
	}
	if _, _, err := decodeSegHeader(data, segmentMagic, segmentVersion, v.seg.path); err != nil {
		return nil, st.corrupt(l, v.base, v.last, v.seg.path, 0, fmt.Sprintf("segment header: %v", err))
	}
	ents, end, next, _, serr := scanSegment(data, v.base, v.size, st.opts.IndexInterval)
	if serr != nil || next <= v.last || end < v.size {
		reason := "segment shorter than recorded"
		if serr != nil {
			reason = serr.Error()
		}
		// what was scanned is good; the rest of the segment is lost
		cerr := st.corrupt(l, next, v.last, v.seg.path, end, reason)
		if len(ents) == 0 {
			return nil, cerr
		}
	}
	if v.seg.sealed {
		if err := st.writeIndexFile(l, v.seg, ents, true, v.last, v.lastTs, v.size); err != nil {
			st.log.Warn("could not rewrite rebuilt index", "index", v.seg.idxPath, "err", err)
		}
	}
	return ents, nil
}

// findEntry returns the last entry with num <= target (the first if none).
func findEntry(ents []indexEntry, target uint64) indexEntry {
	i := sort.Search(len(ents), func(i int) bool { return ents[i].num > target })
	if i == 0 {
		return ents[0]
	}
	return ents[i-1]
}

// findEntryTs returns the last entry with ts < ms (the first if none).
func findEntryTs(ents []indexEntry, ms int64) indexEntry {
	i := sort.Search(len(ents), func(i int) bool { return ents[i].ts >= ms })
	if i == 0 {
		return ents[0]
	}
	return ents[i-1]
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
