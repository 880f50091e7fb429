package logstore

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddy-streams/eddy/internal/vfs"
)

// Store is a set of logs sharing one journal. All methods are safe for
// concurrent use.
type Store struct {
	opts     Options
	fs       vfs.FS
	dir      string
	log      *slog.Logger
	m        *storeMetrics
	lock     io.Closer
	files    *fileCache
	idxCache *indexCache

	// mu guards the pending group, assignment state of logs, the logs map
	// (writes), the dirty list and the commit position.
	mu           sync.Mutex
	logs         map[LogID]*logState
	pending      *group
	nextSeq      uint64
	groupCap     int
	closed       bool
	failErr      error
	dirty        []*logState
	committedPos journalPos
	committedSeq uint64
	sinceCkpt    int64
	ckptDone     bool   // a checkpoint was written by this process
	ckptSeq      uint64 // the commit sequence replay starts at, as of it

	logsMu   sync.RWMutex // guards reads of logs without mu
	isClosed atomic.Bool  // for readers, which do not take mu

	jw        *journalWriter // owned by the committer goroutine
	jUnsynced bool

	unflushed atomic.Int64 // committed bytes not yet written to segments
	tailBytes atomic.Int64 // bytes referenced by in-memory tails
	busyLogs  atomic.Int64 // logs flushed together lately (see keepBytes)

	flushMu     sync.Mutex    // guards the flush pass state below
	flushedCh   chan struct{} // closed and replaced after each flush pass
	flushErr    error         // of the last pass
	passStarted uint64        // flush passes started
	passDone    uint64        // the last finished pass

	sparesMu sync.Mutex
	spares   []string // recycled journal files ready for reuse

	ckptMu       sync.Mutex // one checkpoint at a time
	logsDirDirty atomic.Bool

	damageMu sync.Mutex
	damage   []*CorruptionError

	commitKick, flushKick, ckptKick chan struct{}
	quit                            chan struct{}
	wg                              sync.WaitGroup
	closeOnce                       sync.Once
	closeErr                        error
}

// closedChan is returned by Watch when the condition already holds.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Open creates or recovers the store in opts.Dir.
func Open(opts Options) (*Store, error) {
	if opts.FS == nil || opts.Dir == "" {
		return nil, fmt.Errorf("%w: Options.FS and Options.Dir are required", ErrInvalidArgument)
	}
	opts.setDefaults()
	s := &Store{
		opts: opts, fs: opts.FS, dir: opts.Dir, log: opts.Logger,
		m:          newStoreMetrics(opts.Metrics),
		logs:       map[LogID]*logState{},
		commitKick: make(chan struct{}, 1), flushKick: make(chan struct{}, 1), ckptKick: make(chan struct{}, 1),
		quit:      make(chan struct{}),
		flushedCh: make(chan struct{}),
		groupCap:  64 << 10,
	}
	s.files = newFileCache(s.fs, opts.MaxOpenFiles, s.m.openFiles)
	s.idxCache = &indexCache{max: opts.IndexCacheBytes}
	s.m.readOnly.Set(0)
	if err := s.fs.MkdirAll(path.Join(s.dir, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", s.dir, err)
	}
	if err := s.fs.MkdirAll(path.Join(s.dir, "journal"), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", s.dir, err)
	}
	// New directories are entries in their parents: make them durable, or
	// a crash could take the whole journal directory with it.
	for _, d := range []string{s.dir, path.Dir(path.Clean(s.dir))} {
		if err := s.fs.SyncDir(d); err != nil {
			return nil, fmt.Errorf("sync directory %s: %w", d, err)
		}
	}
	lk, err := s.fs.Lock(path.Join(s.dir, "LOCK"))
	if err != nil {
		return nil, fmt.Errorf("lock log store %s: %w", s.dir, err)
	}
	s.lock = lk
	if err := s.recover(); err != nil {
		s.files.closeAll()
		if s.jw != nil {
			s.jw.close()
		}
		lk.Close()
		return nil, err
	}
	s.wg.Add(4)
	go s.committer()
	go s.flusher()
	go s.background()
	go s.prefillSpares()
	s.kick(s.flushKick)
	return s, nil
}

// Close stops accepting calls, commits what was queued, writes every tail
// to its segment, checkpoints, fsyncs and closes. It is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.isClosed.Store(true)
		close(s.quit)
		s.wg.Wait()
		var first error
		keep := func(err error) {
			if err != nil && first == nil {
				first = err
			}
		}
		s.mu.Lock()
		failed := s.failErr
		s.mu.Unlock()
		if failed == nil {
			keep(s.syncJournal())
			keep(s.checkpoint())
		}
		keep(s.jw.close())
		keep(s.files.closeAll())
		keep(s.lock.Close())
		s.closeErr = first
	})
	return s.closeErr
}

// getLog returns the log (nil if it does not exist or the store is closed).
func (s *Store) getLog(id LogID) *logState {
	if s.isClosed.Load() {
		return nil
	}
	s.logsMu.RLock()
	l := s.logs[id]
	s.logsMu.RUnlock()
	return l
}

// notFound is the error for a log getLog did not find.
func (s *Store) notFound() error {
	if s.isClosed.Load() {
		return ErrStoreClosed
	}
	return ErrLogNotFound
}

func (s *Store) checkOpen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrStoreClosed
	}
	return nil
}

// CreateLog creates log id. It is idempotent: an existing log is left as is.
func (s *Store) CreateLog(id LogID, cfg LogConfig) error {
	if id == 0 {
		return fmt.Errorf("%w: log id 0", ErrInvalidArgument)
	}
	ret := cfg.Retention
	if ret == 0 {
		ret = DefaultRetention
	}
	if ret < time.Millisecond {
		return fmt.Errorf("%w: retention %v", ErrInvalidArgument, cfg.Retention)
	}
	exists := false
	err := s.control(func(g *group) error {
		if l := s.logs[id]; l != nil && !l.deleting {
			exists = true
			return nil
		}
		addControl(g, entryCreate, nil, id, uint64(ret.Milliseconds()))
		return nil
	})
	if exists {
		return nil
	}
	return err
}

// SetRetention changes how long a log's records stay readable. Records
// already past the old horizon stay unreadable when the retention grows.
func (s *Store) SetRetention(id LogID, d time.Duration) error {
	if d < time.Millisecond {
		return fmt.Errorf("%w: retention %v", ErrInvalidArgument, d)
	}
	l := s.getLog(id)
	if l == nil {
		return s.notFound()
	}
	floor, err := s.firstRetained(l)
	if err != nil {
		return err
	}
	return s.control(func(g *group) error {
		if s.logs[id] != l || l.deleting {
			return ErrLogNotFound
		}
		addControl(g, entryTrim, l, id, floor)
		addControl(g, entryRetention, l, id, uint64(d.Milliseconds()))
		return nil
	})
}

// CloseLog stops appends to a log (they fail with ErrLogClosed); it stays
// readable. It returns the last record number (0 if the log is empty).
func (s *Store) CloseLog(id LogID) (uint64, error) {
	var last uint64
	err := s.control(func(g *group) error {
		l := s.logs[id]
		if l == nil || l.deleting {
			return ErrLogNotFound
		}
		l.closing = true
		last = l.assignNext - 1
		addControl(g, entryClose, l, id, 0)
		return nil
	})
	return last, err
}

// DeleteLog removes a log and its files.
func (s *Store) DeleteLog(id LogID) error {
	var l *logState
	err := s.control(func(g *group) error {
		l = s.logs[id]
		if l == nil || l.deleting {
			return ErrLogNotFound
		}
		l.deleting = true
		addControl(g, entryDelete, l, id, 0)
		return nil
	})
	if err != nil {
		return err
	}
	s.removeLogFiles(l)
	return nil
}

// removeLogFiles drops a deleted log's memory and files. If removal fails the
// directory is left for the next Open, which removes directories of logs
// that do not exist.
func (s *Store) removeLogFiles(l *logState) {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	segs := l.segs
	l.segs = nil
	var unflushed int64
	for _, c := range l.chunks {
		if c.first+uint64(c.count) > l.flushedNext {
			unflushed += int64(len(c.data))
		}
	}
	mem := l.memBytes
	for i := range l.chunks {
		l.chunks[i].release()
	}
	l.chunks, l.memBytes = nil, 0
	l.mu.Unlock()
	s.unflushed.Add(-unflushed)
	s.tailBytes.Add(-mem)
	for _, seg := range segs {
		s.files.forget(seg.path)
		s.files.forget(seg.idxPath)
		s.idxCache.remove(seg)
	}
	if err := s.fs.RemoveAll(l.dir); err != nil {
		s.log.Warn("could not remove files of deleted log; the next open removes them", "log", l.id, "dir", l.dir, "err", err)
	}
	s.logsDirDirty.Store(true)
}

// Logs lists the existing logs in id order.
func (s *Store) Logs() []LogID {
	s.logsMu.RLock()
	ids := make([]LogID, 0, len(s.logs))
	for id := range s.logs {
		ids = append(ids, id)
	}
	s.logsMu.RUnlock()
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// Damage lists everything found damaged (by recovery or by reads).
func (s *Store) Damage() []*CorruptionError {
	s.damageMu.Lock()
	defer s.damageMu.Unlock()
	return append([]*CorruptionError(nil), s.damage...)
}

// corrupt records damage: logged, counted, listed by Damage, and (for a
// known log and range) returned by reads of that range from now on.
func (s *Store) corrupt(l *logState, first, last uint64, file string, off int64, reason string) *CorruptionError {
	e := &CorruptionError{FirstLost: first, LastLost: last, File: file, Offset: off, Reason: reason}
	if l != nil {
		e.Log = l.id
		if first != 0 && last >= first {
			l.mu.Lock()
			l.addDamage(lostRange{first, last})
			l.mu.Unlock()
		}
	}
	s.recordDamage(e)
	return e
}

func (s *Store) recordDamage(e *CorruptionError) {
	s.damageMu.Lock()
	for _, d := range s.damage {
		if *d == *e {
			s.damageMu.Unlock()
			return
		}
	}
	s.damage = append(s.damage, e)
	s.damageMu.Unlock()
	s.m.corruptions.Inc()
	s.log.Error("log store damage", "log", e.Log, "first_lost", e.FirstLost, "last_lost", e.LastLost, "file", e.File, "offset", e.Offset, "reason", e.Reason)
}

// Watch returns a channel that is closed once a record numbered >= pos
// exists, or the log is closed or deleted (already closed if so now).
// Watchers of the same position share one channel; there is no goroutine
// or timer per watcher.
func (s *Store) Watch(id LogID, pos uint64) (<-chan struct{}, error) {
	l := s.getLog(id)
	if l == nil {
		return nil, s.notFound()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.next > pos || l.closed || l.deleted {
		return closedChan, nil
	}
	return l.addWatcherLocked(pos), nil
}

// Info describes a log.
func (s *Store) Info(id LogID) (LogInfo, error) {
	l := s.getLog(id)
	if l == nil {
		return LogInfo{}, s.notFound()
	}
	th, err := s.firstRetained(l)
	if err != nil {
		return LogInfo{}, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	info := LogInfo{ID: id, Closed: l.closed, TrimHorizon: th, Tail: l.next, Retention: time.Duration(l.retentionMs) * time.Millisecond}
	if l.next > 1 {
		info.TailTimestamp = l.lastTs
	}
	for _, seg := range l.segs {
		info.BytesOnDisk += seg.size + int64(segHeaderLen+seg.idxCount*indexEntryLen)
	}
	for _, r := range l.damage {
		info.Damage = append(info.Damage, &CorruptionError{Log: id, FirstLost: r.first, LastLost: r.last, Reason: "lost"})
	}
	return info, nil
}

// writeFileSync writes a whole file durably (not its directory entry).
func writeFileSync(fsys vfs.FS, name string, b []byte) error {
	f, err := fsys.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	if _, err := f.WriteAt(b, 0); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", name, err)
	}
	return f.Close()
}
