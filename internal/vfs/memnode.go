package vfs

import (
	"io/fs"
	"maps"
	"time"
)

// MemBlockSize is the allocation unit of Mem. Space is allocated, punched and
// reported (DiskUsage) in whole blocks, as on a real filesystem: punching a
// range that covers only part of a block zeroes the bytes but frees nothing.
const MemBlockSize = 4096

// MemMaxFileSize is the largest file a Mem holds (EFBIG beyond), which keeps
// a stray huge offset from exhausting memory on block bookkeeping.
const MemMaxFileSize = 1 << 36

// page is one block of file data. A page reachable from a durable snapshot is
// frozen: it is never modified again, so a snapshot can share pages with the
// live file (and with other Mems made by CrashClone) and a Sync costs one
// pointer per block instead of a copy of the data. Writers copy a frozen page
// before changing it.
type page struct {
	b      [MemBlockSize]byte
	frozen bool
}

// inode is a file or a directory. Directory entries point at inodes, so a
// renamed or removed file keeps its data for the handles that have it open.
//
// Each inode carries two states: the current one, which every operation sees,
// and the durable one, which is all that survives a crash. File.Sync copies a
// file's current data to its durable data; SyncDir copies a directory's
// current entries to its durable entries.
type inode struct {
	dir   bool
	perm  fs.FileMode
	mtime time.Time

	// Regular files. A nil page is a hole (reads as zeros, uses no space);
	// pages may extend past size when space was preallocated. Bytes past size
	// inside an existing page are always zero, so growing the file (Truncate,
	// WriteAt past EOF) exposes zeros without extra work.
	pages  []*page
	size   int64
	dPages []*page
	dSize  int64
	// dirty says the current data may differ from the durable data; only
	// pages with an index in [dLo, dHi) can differ, so that a Sync after an
	// append costs the pages appended to, not the whole file.
	dirty    bool
	dLo, dHi int

	// Directories.
	children  map[string]*inode
	dChildren map[string]*inode
}

func newFileNode(perm fs.FileMode) *inode {
	return &inode{perm: perm & fs.ModePerm, mtime: time.Now()}
}

func newDirNode(perm fs.FileMode) *inode {
	return &inode{dir: true, perm: perm & fs.ModePerm, mtime: time.Now(),
		children: map[string]*inode{}, dChildren: map[string]*inode{}}
}

// readAt copies the bytes of [off, off+len(p)) that lie below size into p and
// returns how many it copied.
func (n *inode) readAt(p []byte, off int64) int {
	if off >= n.size {
		return 0
	}
	total := int(min(int64(len(p)), n.size-off))
	for done := 0; done < total; {
		pos := off + int64(done)
		pi, po := int(pos/MemBlockSize), int(pos%MemBlockSize)
		c := min(total-done, MemBlockSize-po)
		if pi < len(n.pages) && n.pages[pi] != nil {
			copy(p[done:done+c], n.pages[pi].b[po:po+c])
		} else {
			clear(p[done : done+c])
		}
		done += c
	}
	return total
}

// writable returns page pi ready to be modified: allocated if it was a hole,
// copied if it is frozen.
func (n *inode) writable(pi int) *page {
	n.markDirty(pi, pi+1)
	if pi >= len(n.pages) {
		n.pages = append(n.pages, make([]*page, pi+1-len(n.pages))...)
	}
	pg := n.pages[pi]
	switch {
	case pg == nil:
		pg = &page{}
		n.pages[pi] = pg
	case pg.frozen:
		cp := *pg
		cp.frozen = false
		pg = &cp
		n.pages[pi] = pg
	}
	return pg
}

// writeAt stores p at off, growing the file if needed. A gap between the old
// end of file and off stays a hole.
func (n *inode) writeAt(p []byte, off int64) {
	if len(p) == 0 {
		return
	}
	for done := 0; done < len(p); {
		pos := off + int64(done)
		pi, po := int(pos/MemBlockSize), int(pos%MemBlockSize)
		c := copy(n.writable(pi).b[po:], p[done:])
		done += c
	}
	n.size = max(n.size, off+int64(len(p)))
	n.touch()
}

// markDirty records that pages [lo, hi) may differ from the durable ones.
func (n *inode) markDirty(lo, hi int) {
	if n.dLo == n.dHi {
		n.dLo, n.dHi = lo, hi
	} else {
		n.dLo, n.dHi = min(n.dLo, lo), max(n.dHi, hi)
	}
	n.dirty = true
}

func (n *inode) touch() {
	n.dirty = true
	n.mtime = time.Now()
}

// truncate sets the size. Shrinking (or truncating to the same size) frees the
// blocks past the new end, preallocated ones included, and zeroes the tail of
// the last block to keep the invariant that bytes past size are zero.
func (n *inode) truncate(size int64) {
	if size <= n.size {
		keep := int((size + MemBlockSize - 1) / MemBlockSize)
		if keep < len(n.pages) {
			n.markDirty(keep, len(n.pages))
			clear(n.pages[keep:])
			n.pages = n.pages[:keep]
		}
		if po := int(size % MemBlockSize); po != 0 && keep-1 < len(n.pages) && n.pages[keep-1] != nil {
			clear(n.writable(keep - 1).b[po:])
		}
	}
	n.size = size
	n.touch()
}

// punch zeroes [off, off+length) and frees the blocks wholly inside it. It
// returns the number of bytes freed.
func (n *inode) punch(off, length int64) int64 {
	end := off + length
	var freed int64
	for pos := off; pos < end; {
		pi, po := int(pos/MemBlockSize), pos%MemBlockSize
		c := min(end-pos, MemBlockSize-po)
		if pi >= len(n.pages) {
			break
		}
		if n.pages[pi] != nil {
			if c == MemBlockSize {
				n.markDirty(pi, pi+1)
				n.pages[pi] = nil
				freed += MemBlockSize
			} else {
				clear(n.writable(pi).b[po : po+c])
			}
		}
		pos += c
	}
	n.touch()
	return freed
}

// preallocate allocates every block touching [off, off+length) without
// changing the size.
func (n *inode) preallocate(off, length int64) {
	first := int(off / MemBlockSize)
	last := int((off + length - 1) / MemBlockSize)
	for pi := first; pi <= last; pi++ {
		if pi >= len(n.pages) || n.pages[pi] == nil {
			n.writable(pi)
		}
	}
	n.dirty = true
}

// allocated returns the bytes of storage the file's current state holds.
func (n *inode) allocated() int64 {
	var a int64
	for _, pg := range n.pages {
		if pg != nil {
			a += MemBlockSize
		}
	}
	return a
}

// sync makes the file's current data durable.
func (n *inode) sync() {
	if !n.dirty {
		return
	}
	if len(n.dPages) < len(n.pages) {
		n.dPages = append(n.dPages, make([]*page, len(n.pages)-len(n.dPages))...)
	}
	for i := n.dLo; i < min(n.dHi, len(n.pages)); i++ {
		pg := n.pages[i]
		if pg != nil {
			pg.frozen = true
		}
		n.dPages[i] = pg
	}
	clear(n.dPages[len(n.pages):])
	n.dPages = n.dPages[:len(n.pages)]
	n.dSize = n.size
	n.dirty = false
	n.dLo, n.dHi = 0, 0
}

// syncDir makes the directory's current entries durable.
func (n *inode) syncDir() {
	n.dChildren = maps.Clone(n.children)
}

func (n *inode) info(name string) fs.FileInfo {
	fi := memInfo{name: name, size: n.size, mode: n.perm, mtime: n.mtime}
	if n.dir {
		fi.mode |= fs.ModeDir
		fi.size = 0
	}
	return fi
}

// memInfo is the fs.FileInfo of a Mem file.
type memInfo struct {
	name  string
	size  int64
	mode  fs.FileMode
	mtime time.Time
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return i.mode }
func (i memInfo) ModTime() time.Time { return i.mtime }
func (i memInfo) IsDir() bool        { return i.mode.IsDir() }
func (i memInfo) Sys() any           { return nil }
