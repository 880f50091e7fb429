package logstore

import (
	"fmt"
	"path"
	"sort"
	"sync"
	"sync/atomic"
)

// chunk is a run of consecutive record frames held in memory. data aliases a
// committed group buffer (or, after recovery, a journal file read): it is
// immutable.
type chunk struct {
	first uint64
	count uint32
	ts    int64 // every record of a batch shares the arrival time
	data  []byte
	// mem is the buffer data aliases (nil once copied into a buffer of the
	// log's own): a small chunk kept for tail reads must not keep a large,
	// otherwise dead group buffer alive.
	mem *bufMem
}

// bufMem tracks how much of a shared buffer (a group, or a journal file read
// at recovery) chunks still reference.
type bufMem struct {
	size int64
	live atomic.Int64
}

func (c *chunk) release() {
	if c.mem != nil {
		c.mem.live.Add(-int64(len(c.data)))
	}
}

// lostRange is a range of record numbers known to be lost.
type lostRange struct{ first, last uint64 }

type watcher struct {
	pos uint64
	ch  chan struct{}
}

// logState is one log. Fields are grouped by the lock that guards them.
type logState struct {
	id  LogID
	inc uint64 // incarnation: commit sequence of the create entry; names the directory
	dir string

	// Assignment state, guarded by Store.mu: what the records and control
	// entries encoded into not-yet-committed groups will have done.
	assignNext  uint64
	assignTs    int64
	closing     bool
	deleting    bool
	flushQueued bool // on Store.dirty

	// flushMu serializes writes of this log's files (flush, seal, sync,
	// trim, delete). Taken before mu.
	flushMu  sync.Mutex
	dirDirty bool // guarded by flushMu: directory entries changed since the last sync

	mu          sync.RWMutex
	next        uint64 // committed tail: the next record number
	lastTs      int64  // arrival of the newest committed record
	closed      bool
	deleted     bool
	retentionMs int64
	floor       uint64 // records below are never returned (trimmed)
	chunks      []chunk
	memBytes    int64  // bytes referenced by chunks
	flushedNext uint64 // records below are written to segment files
	segs        []*segment
	damage      []lostRange
	watchers    []watcher // sorted by pos
	lastAppend  int64     // ms, for idleness
	dirMade     bool      // the log's directory exists

	// cached first retained record (see firstRetained)
	retNum, retTs, retTail uint64
}

func logDirName(id LogID, inc uint64) string { return fmt.Sprintf("%016x-%016x", uint64(id), inc) }

func newLogState(id LogID, inc uint64, root string, retentionMs int64) *logState {
	return &logState{
		id: id, inc: inc, dir: path.Join(root, "logs", logDirName(id, inc)),
		assignNext: 1, next: 1, floor: 1, flushedNext: 1, retentionMs: retentionMs,
	}
}

// addWatcherLocked returns the channel for pos; caller holds l.mu (write).
func (l *logState) addWatcherLocked(pos uint64) <-chan struct{} {
	i := sort.Search(len(l.watchers), func(i int) bool { return l.watchers[i].pos >= pos })
	if i < len(l.watchers) && l.watchers[i].pos == pos {
		return l.watchers[i].ch
	}
	w := watcher{pos: pos, ch: make(chan struct{})}
	l.watchers = append(l.watchers, watcher{})
	copy(l.watchers[i+1:], l.watchers[i:])
	l.watchers[i] = w
	return w.ch
}

// wakeLocked closes the channels of watchers whose record now exists (all of
// them if the log closed or was deleted). Caller holds l.mu (write).
func (l *logState) wakeLocked() {
	n := 0
	for n < len(l.watchers) && (l.watchers[n].pos < l.next || l.closed || l.deleted) {
		close(l.watchers[n].ch)
		n++
	}
	if n > 0 {
		rest := copy(l.watchers, l.watchers[n:])
		clear(l.watchers[rest:])
		l.watchers = l.watchers[:rest]
	}
}

// lostAt returns the lost range containing num, if any. Caller holds l.mu.
func (l *logState) lostAt(num uint64) (lostRange, bool) {
	for _, r := range l.damage {
		if num >= r.first && num <= r.last {
			return r, true
		}
	}
	return lostRange{}, false
}

func (l *logState) addDamage(r lostRange) {
	for _, d := range l.damage {
		if d == r {
			return
		}
	}
	// a new slice: readers iterate over snapshots of the old one
	d := append(append(make([]lostRange, 0, len(l.damage)+1), l.damage...), r)
	sort.Slice(d, func(i, j int) bool { return d[i].first < d[j].first })
	l.damage = d
}

// maxKeptChunks bounds the flushed chunks a log keeps, whatever their bytes:
// tails are searched and copied chunk by chunk, and single-record appends
// make one small chunk each.
const maxKeptChunks = 1024

// dropChunksLocked drops in-memory chunks that are flushed, keeping the
// newest keep bytes (in at most maxKeptChunks chunks). The slice is
// reallocated, not shifted, because readers iterate over snapshots of it
// without the lock. Returns bytes released.
func (l *logState) dropChunksLocked(keep int64) int64 {
	var kept int64
	cut := len(l.chunks)
	for cut > 0 {
		c := l.chunks[cut-1]
		if kept+int64(len(c.data)) > keep || len(l.chunks)-cut >= maxKeptChunks {
			break
		}
		kept += int64(len(c.data))
		cut--
	}
	// never drop what is not flushed
	for cut > 0 && l.chunks[cut-1].first+uint64(l.chunks[cut-1].count) > l.flushedNext {
		cut--
	}
	if cut == 0 {
		return 0
	}
	var freed int64
	for i := range l.chunks[:cut] {
		freed += int64(len(l.chunks[i].data))
	}
	if keep > 0 && freed < keep/2 && cut < len(l.chunks)/2 {
		// Not yet worth a copy of the slice: dropping in steps of at least
		// half the kept amount keeps the cost per appended chunk O(1).
		return 0
	}
	for i := range l.chunks[:cut] {
		l.chunks[i].release()
	}
	rest := make([]chunk, len(l.chunks)-cut, max(2*(len(l.chunks)-cut), 4))
	copy(rest, l.chunks[cut:])
	l.chunks = rest
	l.memBytes -= freed
	return freed
}

// compactLocked copies flushed chunks whose buffer is mostly dead (other
// chunks of it were dropped) into one buffer of the log's own, so that the
// memory held by tails stays close to what they account for. Each chunk is
// copied at most once. Caller holds l.mu (write).
func (l *logState) compactLocked() {
	worth := func(c *chunk) bool { return c.mem != nil && 2*c.mem.live.Load() < c.mem.size }
	total := 0
	for i := range l.chunks {
		c := &l.chunks[i]
		if c.first+uint64(c.count) > l.flushedNext {
			break
		}
		if worth(c) {
			total += len(c.data)
		}
	}
	if total == 0 {
		return
	}
	buf := make([]byte, 0, total)
	out := make([]chunk, len(l.chunks), cap(l.chunks))
	copy(out, l.chunks)
	for i := range out {
		c := &out[i]
		if c.first+uint64(c.count) > l.flushedNext {
			break
		}
		if worth(c) {
			c.release()
			p := len(buf)
			buf = append(buf, c.data...)
			c.data, c.mem = buf[p:len(buf):len(buf)], nil
		}
	}
	l.chunks = out // a new slice: readers iterate over snapshots of the old one
}
