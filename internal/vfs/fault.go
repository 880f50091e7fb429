package vfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// Op names a kind of filesystem operation, for choosing which ones a Fault
// rule or hook applies to. Ops combine with |.
type Op uint32

const (
	OpOpen        Op = 1 << iota // FS.OpenFile
	OpRead                       // File.Read, File.ReadAt
	OpWrite                      // File.Write, File.WriteAt
	OpSync                       // File.Sync
	OpSyncDir                    // FS.SyncDir
	OpTruncate                   // File.Truncate
	OpPunchHole                  // File.PunchHole
	OpPreallocate                // File.Preallocate
	OpRename                     // FS.Rename (matches on either name)
	OpRemove                     // FS.Remove, FS.RemoveAll
	OpMkdir                      // FS.MkdirAll
	OpReadDir                    // FS.ReadDir
	OpLock                       // FS.Lock
	OpClose                      // File.Close (the file is closed anyway)

	OpAll = OpOpen | OpRead | OpWrite | OpSync | OpSyncDir | OpTruncate | OpPunchHole |
		OpPreallocate | OpRename | OpRemove | OpMkdir | OpReadDir | OpLock | OpClose
)

var opNames = []string{"open", "read", "write", "sync", "syncdir", "truncate", "punchhole",
	"preallocate", "rename", "remove", "mkdir", "readdir", "lock", "close"}

func (o Op) String() string {
	var parts []string
	for i, n := range opNames {
		if o&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// ErrInjected is wrapped by every error that a Fault rule injects, beside the
// rule's own error, so a test can tell its injected failures from real ones.
// Out-of-space errors from the space budget do not wrap it: they are meant to
// look exactly like a full disk.
var ErrInjected = errors.New("vfs: injected fault")

type injectedError struct{ err error }

func (e *injectedError) Error() string   { return e.err.Error() + " (injected)" }
func (e *injectedError) Unwrap() []error { return []error{e.err, ErrInjected} }

// Rule describes failures for a Fault to inject.
type Rule struct {
	// Ops are the operations the rule applies to.
	Ops Op
	// Match, if set, limits the rule to names for which it returns true. It
	// gets the cleaned name (filepath.Clean) the file was opened with or the
	// FS method was given, and is called with the Fault's lock held, so it
	// must not call the Fault.
	Match func(name string) bool
	// After lets this many matching operations through before failing.
	After int
	// Times is how many matching operations fail, after which the rule is
	// removed; 0 means every one until the rule is removed.
	Times int
	// Err is the error the operation fails with (wrapped in an *fs.PathError
	// and together with ErrInjected); nil means syscall.EIO.
	Err error
	// Partial is, for a failing write, how many of its bytes reach the file
	// before the error; a write no longer than Partial lands whole and still
	// fails.
	Partial int
	// LoseUnsynced makes a failing Sync do what Linux does after a writeback
	// error: the file's unsynced data stays readable but is marked clean, so
	// a later successful Sync does not make it durable (only what is written
	// after the failure is) and a crash loses it, possibly leaving zeros under
	// a size that did reach the disk. It only has an effect over Mem.
	LoseUnsynced bool
}

type activeRule struct {
	Rule
	after int
	left  int
}

type hook struct {
	ops Op
	fn  func(op Op, name string)
}

// Counts are the operations a Fault saw on one name. Calls are counted when
// made, whether they then succeed, fail by injection or fail in the inner
// filesystem.
type Counts struct {
	Reads      int64 // File.Read and File.ReadAt calls
	Writes     int64 // File.Write and File.WriteAt calls
	WriteBytes int64 // bytes those calls actually wrote
	Syncs      int64 // File.Sync calls
	SyncDirs   int64 // FS.SyncDir calls, counted under the directory's name
}

func (c *Counts) add(o Counts) {
	c.Reads += o.Reads
	c.Writes += o.Writes
	c.WriteBytes += o.WriteBytes
	c.Syncs += o.Syncs
	c.SyncDirs += o.SyncDirs
}

// Fault wraps a filesystem and injects failures into it: rules that fail
// chosen operations (optionally after a partial write), a disk-space budget
// that fails writes with ENOSPC when it runs out, and hooks that run before
// chosen operations (to take a Mem.CrashClone at an exact point, say). It
// also counts reads, writes and syncs per file.
//
// The space budget is kept by the Fault itself, in bytes of file data: a
// write is charged for the bytes it adds that held no data before (past the
// end of file, or in a hole); Truncate, PunchHole and Remove give back what
// they free. Files already on the inner filesystem are assumed full from 0 to
// their size when the Fault first sees them. Accounting is only right if all
// access goes through the Fault; after the inner filesystem changes behind
// its back (Mem.Crash, say), call ResetAccounting.
//
// A Fault is safe for concurrent use.
type Fault struct {
	inner FS

	mu      sync.Mutex
	rules   []*activeRule
	hooks   []*hook
	limited bool
	free    int64
	files   map[string]*spans // storage held by each file, by cleaned name
	counts  map[string]*Counts
}

// NewFault wraps inner. With no rules and no budget it only counts.
func NewFault(inner FS) *Fault {
	return &Fault{inner: inner, files: map[string]*spans{}, counts: map[string]*Counts{}}
}

// Inject adds a rule and returns a function that removes it. An operation is
// offered to the rules in the order they were added: a matching rule still
// counting down After lets it pass to the next rule, and the first matching
// rule that fires decides the failure.
func (f *Fault) Inject(r Rule) (remove func()) {
	if r.Err == nil {
		r.Err = syscall.EIO
	}
	ar := &activeRule{Rule: r, after: r.After, left: r.Times}
	f.mu.Lock()
	f.rules = append(f.rules, ar)
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.rules = slices.DeleteFunc(f.rules, func(x *activeRule) bool { return x == ar })
	}
}

// FailNext makes the next n operations of the given kinds fail with err (nil
// means syscall.EIO).
func (f *Fault) FailNext(ops Op, n int, err error) {
	if n > 0 {
		f.Inject(Rule{Ops: ops, Times: n, Err: err})
	}
}

// ClearRules removes every rule.
func (f *Fault) ClearRules() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
}

// OnOp calls fn before every operation of the given kinds, outside the
// Fault's lock (fn may use the Fault and the inner filesystem), and returns a
// function that removes the hook. fn gets the cleaned name, the old name for
// a Rename.
func (f *Fault) OnOp(ops Op, fn func(op Op, name string)) (remove func()) {
	h := &hook{ops: ops, fn: fn}
	f.mu.Lock()
	f.hooks = append(f.hooks, h)
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.hooks = slices.DeleteFunc(f.hooks, func(x *hook) bool { return x == h })
	}
}

// SetSpace sets the free space left to n bytes; a negative n removes the
// limit (the default).
func (f *Fault) SetSpace(n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limited = n >= 0
	f.free = max(n, 0)
}

// Space returns the free space left, or -1 if there is no limit.
func (f *Fault) Space() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.limited {
		return -1
	}
	return f.free
}

// ResetAccounting forgets what the Fault knows of the files' sizes, so that
// it learns them again from the inner filesystem as files are opened. The
// free space left is unchanged.
func (f *Fault) ResetAccounting() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files = map[string]*spans{}
}

// Counts returns the operations seen on name (cleaned with filepath.Clean).
func (f *Fault) Counts(name string) Counts {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.counts[filepath.Clean(name)]; c != nil {
		return *c
	}
	return Counts{}
}

// TotalCounts returns the operations seen on all names.
func (f *Fault) TotalCounts() Counts {
	f.mu.Lock()
	defer f.mu.Unlock()
	var t Counts
	for _, c := range f.counts {
		t.add(*c)
	}
	return t
}

// ResetCounts zeroes all counts.
func (f *Fault) ResetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts = map[string]*Counts{}
}

// count returns the counters of name. Callers hold f.mu.
func (f *Fault) count(name string) *Counts {
	c := f.counts[name]
	if c == nil {
		c = &Counts{}
		f.counts[name] = c
	}
	return c
}

// firing is a rule that fired on an operation.
type firing struct {
	err          error // the injected error, wrapped to carry ErrInjected
	partial      int
	loseUnsynced bool
}

// before runs the hooks for an operation, then returns the rule that fires
// on it, if any. tally updates the counters of names[0].
func (f *Fault) before(op Op, tally func(*Counts), names ...string) *firing {
	f.mu.Lock()
	if tally != nil {
		tally(f.count(names[0]))
	}
	var fns []func(Op, string)
	for _, h := range f.hooks {
		if h.ops&op != 0 {
			fns = append(fns, h.fn)
		}
	}
	f.mu.Unlock()
	for _, fn := range fns {
		fn(op, names[0])
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.Ops&op == 0 || (r.Match != nil && !slices.ContainsFunc(names, r.Match)) {
			continue
		}
		if r.after > 0 {
			r.after--
			continue
		}
		if r.Times > 0 {
			if r.left--; r.left == 0 {
				f.rules = slices.Delete(f.rules, i, i+1)
			}
		}
		return &firing{err: &injectedError{r.Err}, partial: r.Partial, loseUnsynced: r.LoseUnsynced}
	}
	return nil
}

// charge takes n bytes from the free space and refund gives them back.
// Callers hold f.mu.
func (f *Fault) charge(n int64) {
	if f.limited {
		f.free = max(f.free-n, 0)
	}
}

func (f *Fault) refund(n int64) {
	if f.limited {
		f.free += n
	}
}

// forget drops a removed or replaced file and gives back its space; size is
// what the inner filesystem reported, used if the Fault never saw the file.
// Callers hold f.mu.
func (f *Fault) forget(key string, size int64) {
	if s := f.files[key]; s != nil {
		f.refund(s.total())
		delete(f.files, key)
		return
	}
	f.refund(size)
}

func (f *Fault) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	key := filepath.Clean(name)
	if fr := f.before(OpOpen, nil, key); fr != nil {
		return nil, pathErr("open", name, fr.err)
	}
	var oldSize int64 = -1
	if flag&os.O_TRUNC != 0 {
		if fi, err := f.inner.Stat(name); err == nil && !fi.IsDir() {
			oldSize = fi.Size()
		}
	}
	in, err := f.inner.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	fi, err := in.Stat()
	if err != nil {
		in.Close()
		return nil, err
	}
	ff := &faultFile{f: f, inner: in, key: key, append: flag&os.O_APPEND != 0}
	if fi.IsDir() {
		return ff, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if oldSize >= 0 {
		f.forget(key, oldSize)
	}
	s := f.files[key]
	if s == nil {
		s = &spans{}
		s.add(0, fi.Size())
		f.files[key] = s
	}
	ff.used = s
	return ff, nil
}

func (f *Fault) Remove(name string) error {
	key := filepath.Clean(name)
	if fr := f.before(OpRemove, nil, key); fr != nil {
		return pathErr("remove", name, fr.err)
	}
	fi, serr := f.inner.Stat(name)
	if err := f.inner.Remove(name); err != nil {
		return err
	}
	if serr == nil && !fi.IsDir() {
		f.mu.Lock()
		f.forget(key, fi.Size())
		f.mu.Unlock()
	}
	return nil
}

func (f *Fault) RemoveAll(name string) error {
	key := filepath.Clean(name)
	if fr := f.before(OpRemove, nil, key); fr != nil {
		return pathErr("RemoveAll", name, fr.err)
	}
	sizes := map[string]int64{}
	f.collect(name, key, sizes)
	if err := f.inner.RemoveAll(name); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, size := range sizes {
		f.forget(k, size)
	}
	return nil
}

// collect records the size of every file at or below name, so RemoveAll can
// give their space back.
func (f *Fault) collect(name, key string, sizes map[string]int64) {
	fi, err := f.inner.Stat(name)
	if err != nil {
		return
	}
	if !fi.IsDir() {
		sizes[key] = fi.Size()
		return
	}
	ents, _ := f.inner.ReadDir(name)
	for _, e := range ents {
		f.collect(filepath.Join(name, e.Name()), filepath.Join(key, e.Name()), sizes)
	}
}

func (f *Fault) Rename(oldname, newname string) error {
	okey, nkey := filepath.Clean(oldname), filepath.Clean(newname)
	if fr := f.before(OpRename, nil, okey, nkey); fr != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: fr.err}
	}
	nfi, nerr := f.inner.Stat(newname)
	if err := f.inner.Rename(oldname, newname); err != nil {
		return err
	}
	if okey == nkey {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if nerr == nil && !nfi.IsDir() {
		f.forget(nkey, nfi.Size()) // replaced
	}
	// Move the accounting of the file, or of everything below the directory.
	moved := map[string]*spans{}
	for k, s := range f.files {
		if k == okey {
			moved[nkey] = s
		} else if rest, ok := strings.CutPrefix(k, okey+string(filepath.Separator)); ok {
			moved[filepath.Join(nkey, rest)] = s
		} else {
			continue
		}
		delete(f.files, k)
	}
	maps.Copy(f.files, moved)
	return nil
}

func (f *Fault) MkdirAll(name string, perm fs.FileMode) error {
	if fr := f.before(OpMkdir, nil, filepath.Clean(name)); fr != nil {
		return pathErr("mkdir", name, fr.err)
	}
	return f.inner.MkdirAll(name, perm)
}

func (f *Fault) ReadDir(name string) ([]fs.DirEntry, error) {
	if fr := f.before(OpReadDir, nil, filepath.Clean(name)); fr != nil {
		return nil, pathErr("open", name, fr.err)
	}
	return f.inner.ReadDir(name)
}

func (f *Fault) Stat(name string) (fs.FileInfo, error) { return f.inner.Stat(name) }

func (f *Fault) SyncDir(name string) error {
	if fr := f.before(OpSyncDir, func(c *Counts) { c.SyncDirs++ }, filepath.Clean(name)); fr != nil {
		return pathErr("sync", name, fr.err)
	}
	return f.inner.SyncDir(name)
}

func (f *Fault) Lock(name string) (io.Closer, error) {
	if fr := f.before(OpLock, nil, filepath.Clean(name)); fr != nil {
		return nil, fmt.Errorf("lock %s: %w", name, fr.err)
	}
	return f.inner.Lock(name)
}

var _ FS = (*Fault)(nil)
