package vfs

import (
	"maps"
	"math/rand/v2"
	"slices"
)

// CrashOptions adds realism to a simulated crash. The zero value is the
// strict model: only durable state survives.
type CrashOptions struct {
	// TornTails keeps, for each surviving file that grew past its durable
	// size, a random prefix (anywhere from none to all) of the bytes past the
	// durable size, as if the kernel had written back part of an unsynced
	// append before the power went. Unsynced changes below the durable size
	// are still lost.
	TornTails bool
	// ZeroTails, together with TornTails, turns a random suffix of each kept
	// tail into zeros: the new size reached the disk but the data did not.
	ZeroTails bool
	// Seed makes the random choices repeatable: the same state crashed with
	// the same options always yields the same files.
	Seed uint64
}

// Crash simulates power loss: everything not durable is discarded, and every
// handle and lock open on m fails from now on with an error wrapping
// ErrCrashed (closing one is a no-op). m stays usable, as the machine after a
// reboot.
func (m *Mem) Crash() { m.CrashWith(CrashOptions{}) }

// CrashWith is Crash with options.
func (m *Mem) CrashWith(o CrashOptions) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.root = newCrasher(o).dir(m.root)
	m.gen++
	m.locks = map[string]*memLock{}
	m.open = map[*memFile]struct{}{}
}

// CrashClone returns a new Mem holding what would survive if m crashed now,
// and leaves m untouched. Crash tests can take a clone at any point while
// work continues on m, and recover from each clone independently.
func (m *Mem) CrashClone() *Mem { return m.CrashCloneWith(CrashOptions{}) }

// CrashCloneWith is CrashClone with options.
func (m *Mem) CrashCloneWith(o CrashOptions) *Mem {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := NewMem()
	c.root = newCrasher(o).dir(m.root)
	return c
}

// crasher builds the post-crash tree from the durable state of a tree. It
// never modifies the source: durable pages are frozen and shared.
type crasher struct {
	opts CrashOptions
	rng  *rand.Rand
	memo map[*inode]*inode // source inode -> its post-crash copy, so hard links stay links
}

func newCrasher(o CrashOptions) *crasher {
	return &crasher{opts: o, rng: rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15)), memo: map[*inode]*inode{}}
}

// dir copies a directory's durable entries. Entries are visited in name
// order so that the random choices depend only on the state and the seed.
func (c *crasher) dir(n *inode) *inode {
	nd := &inode{dir: true, perm: n.perm, mtime: n.mtime, children: map[string]*inode{}}
	c.memo[n] = nd
	for _, name := range slices.Sorted(maps.Keys(n.dChildren)) {
		child := n.dChildren[name]
		if !child.dir {
			nd.children[name] = c.file(child)
			continue
		}
		// A directory moved between two directories of which only one was
		// synced is durable in both. A real filesystem cannot have two links
		// to a directory (or a cycle, which this could also produce), so
		// keep the first one met.
		if c.memo[child] == nil {
			nd.children[name] = c.dir(child)
		}
	}
	nd.dChildren = maps.Clone(nd.children)
	return nd
}

// file copies a file's durable data, plus a torn tail if asked for.
func (c *crasher) file(n *inode) *inode {
	if nf := c.memo[n]; nf != nil {
		return nf
	}
	nf := &inode{perm: n.perm, mtime: n.mtime,
		pages: slices.Clone(n.dPages), size: n.dSize,
		dPages: slices.Clone(n.dPages), dSize: n.dSize}
	c.memo[n] = nf
	if c.opts.TornTails && n.size > n.dSize {
		keep := c.rng.Int64N(n.size - n.dSize + 1)
		if keep > 0 {
			tail := make([]byte, keep)
			n.readAt(tail, n.dSize)
			if c.opts.ZeroTails {
				clear(tail[c.rng.Int64N(keep+1):])
			}
			nf.writeAt(tail, n.dSize)
			nf.sync()
		}
	}
	return nf
}
