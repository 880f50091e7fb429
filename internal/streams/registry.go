package streams

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/hashkey"
	"github.com/eddy-streams/eddy/internal/logstore"
	"github.com/eddy-streams/eddy/internal/meta"
)

// stream is one stream in memory. Its state is an immutable snapshot
// replaced wholesale on every control-plane change, so the data plane
// (PutRecords, GetRecords) reads it without locks. mu serializes changes.
type stream struct {
	ns, name string

	mu    sync.Mutex // held while changing the stream
	snap  atomic.Pointer[snapshot]
	timer clock.Timer // the pending status transition, if any
	gone  atomic.Bool // deleted
}

func newStream(ns, name string) *stream { return &stream{ns: ns, name: name} }

func (st *stream) load() *snapshot { return st.snap.Load() }

// publish makes sn the stream's state and wakes whoever waits for a change
// of the state it replaces (enhanced fan-out subscriptions).
func (st *stream) publish(sn *snapshot) {
	if st.snap.Load() == sn {
		return
	}
	sn.changed = make(chan struct{})
	if old := st.snap.Swap(sn); old != nil {
		close(old.changed)
	}
}

func (st *stream) stopTimer() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.timer != nil {
		st.timer.Stop()
		st.timer = nil
	}
}

// snapshot is a stream's state at one moment.
type snapshot struct {
	m       *meta.Stream // never modified after publish
	shards  []*shard     // every shard, by index
	byIndex map[uint64]*shard
	open    []*shard // open shards by starting hash key: the routing table
	// children maps a shard index to the shards created from it.
	children map[uint64][]*shard
	// epoch is the stream's creation second, embedded in sequence numbers.
	epoch uint32
	// consumers of the stream (enhanced fan-out), by name.
	consumers map[string]*meta.Consumer
	// changed is closed when a newer snapshot replaces this one.
	changed chan struct{}
}

// shard is one shard of a snapshot.
type shard struct {
	m         meta.Shard
	id        string // shardId-000000000042
	log       logstore.LogID
	base      SeqBase
	startSeq  string
	endSeq    string // closed shards only
	hashRange hashkey.Range
}

func shardIDString(index uint64) string { return fmt.Sprintf("shardId-%012d", index) }

func buildSnapshot(m *meta.Stream, shards []meta.Shard, consumers []*meta.Consumer) *snapshot {
	sn := &snapshot{
		m:         m,
		byIndex:   make(map[uint64]*shard, len(shards)),
		children:  map[uint64][]*shard{},
		epoch:     uint32(m.Created.Unix()),
		consumers: map[string]*meta.Consumer{},
	}
	for _, c := range consumers {
		sn.consumers[c.Name] = c
	}
	sort.Slice(shards, func(i, j int) bool { return shards[i].Index < shards[j].Index })
	sn.shards = make([]*shard, len(shards))
	for i := range shards {
		sh := &shard{
			m:         shards[i],
			id:        shardIDString(shards[i].Index),
			log:       logstore.LogID(shards[i].LogID),
			hashRange: hashkey.Range{Start: shards[i].StartingHashKey, End: shards[i].EndingHashKey},
		}
		seq := SeqNum{Epoch: sn.epoch, Tag: m.Incarnation, Shard: shards[i].Index}
		sh.base = seq.Base()
		sh.startSeq = seq.String()
		if sh.m.Closed {
			seq.Record = endRecordMarker
			sh.endSeq = seq.String()
		} else {
			sn.open = append(sn.open, sh)
		}
		sn.shards[i] = sh
		sn.byIndex[sh.m.Index] = sh
	}
	for _, sh := range sn.shards {
		if sh.m.HasParent {
			sn.children[sh.m.ParentIndex] = append(sn.children[sh.m.ParentIndex], sh)
		}
		if sh.m.HasAdjacentParent {
			sn.children[sh.m.AdjacentParentIndex] = append(sn.children[sh.m.AdjacentParentIndex], sh)
		}
	}
	sort.Slice(sn.open, func(i, j int) bool { return sn.open[i].hashRange.Start.Cmp(sn.open[j].hashRange.Start) < 0 })
	return sn
}

// route returns the open shard whose hash key range holds k.
func (sn *snapshot) route(k hashkey.Key) *shard {
	open := sn.open
	i := sort.Search(len(open), func(i int) bool { return open[i].hashRange.End.Cmp(k) >= 0 })
	if i == len(open) || !open[i].hashRange.Contains(k) {
		return nil // cannot happen: open shards cover the whole space
	}
	return open[i]
}

// status is the stream's status as clients see it now: a transition whose
// time has come counts as done even before the timer has run.
func (sn *snapshot) status(now time.Time) string {
	m := sn.m
	if m.StatusUntil.IsZero() || now.Before(m.StatusUntil) {
		return m.Status
	}
	switch m.Status {
	case statusCreating, statusUpdating:
		return statusActive
	case statusDeleting:
		return statusGone
	}
	return m.Status
}

// due reports whether a pending transition should be applied now.
func (sn *snapshot) due(now time.Time) bool {
	return !sn.m.StatusUntil.IsZero() && !now.Before(sn.m.StatusUntil)
}

// openShardCount counts shards that are not closed.
func (sn *snapshot) openShardCount() int { return len(sn.open) }

// Stream statuses (statusGone is internal: deleted, not yet reaped).
const (
	statusCreating = "CREATING"
	statusActive   = "ACTIVE"
	statusUpdating = "UPDATING"
	statusDeleting = "DELETING"
	statusGone     = "GONE"

	modeProvisioned = "PROVISIONED"
	modeOnDemand    = "ON_DEMAND"
)

// cloneMeta returns a copy of m that can be changed and committed.
func cloneMeta(m *meta.Stream) *meta.Stream {
	c := *m
	c.ModeChanges = append([]time.Time(nil), m.ModeChanges...)
	c.ShardLevelMetrics = append([]string(nil), m.ShardLevelMetrics...)
	c.ShardCountUpdates = append([]time.Time(nil), m.ShardCountUpdates...)
	c.Resharding = append([]byte(nil), m.Resharding...)
	c.DataKeys = append([]meta.DataKey(nil), m.DataKeys...)
	c.Tags = make(map[string]string, len(m.Tags))
	for k, v := range m.Tags {
		c.Tags[k] = v
	}
	return &c
}

// withMeta returns a snapshot like sn with stream record m (shards unchanged).
func (sn *snapshot) withMeta(m *meta.Stream) *snapshot {
	c := *sn
	c.m = m
	return &c
}

// shardMetas returns the catalog records of sn's shards.
func (sn *snapshot) shardMetas() []meta.Shard {
	out := make([]meta.Shard, len(sn.shards))
	for i, sh := range sn.shards {
		out[i] = sh.m
	}
	return out
}

// consumerList returns the consumers sorted by creation time, then name.
func (sn *snapshot) consumerList() []*meta.Consumer {
	out := make([]*meta.Consumer, 0, len(sn.consumers))
	for _, c := range sn.consumers {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].Name < out[j].Name
	})
	return out
}
