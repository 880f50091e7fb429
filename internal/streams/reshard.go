package streams

import (
	"errors"
	"fmt"

	"github.com/eddy-streams/eddy/internal/hashkey"
	"github.com/eddy-streams/eddy/internal/logstore"
	"github.com/eddy-streams/eddy/internal/meta"
)

// Resharding (SplitShard, MergeShards, UpdateShardCount, the on-demand
// scaler) is planned when requested and applied when the stream leaves
// UPDATING. Planning allocates the children's shard indexes and LogIDs and
// creates their (empty) logs, in the same catalog transaction that records
// the plan; applying closes the parents' logs, which fixes their ending
// sequence numbers, and commits the children. Applying is idempotent
// (closing a closed log returns the same last record), so a crash at any
// point is finished by the next settle after restart.

// reshardStep replaces one or two parent shards by their children.
type reshardStep struct {
	Parents  []uint64     `json:"parents"`
	Children []childShard `json:"children"`
}

// childShard is a shard a step creates.
type childShard struct {
	Index uint64 `json:"index"`
	LogID uint64 `json:"log"`
	Start string `json:"start"` // decimal hash keys
	End   string `json:"end"`
}

// planner builds the steps of one resharding against a working copy of the
// open shards, allocating indexes from the stream record.
type planner struct {
	m     *meta.Stream
	open  map[uint64]hashkey.Range // open shards after the steps so far
	steps []reshardStep
}

func newPlanner(sn *snapshot, m *meta.Stream) *planner {
	p := &planner{m: m, open: map[uint64]hashkey.Range{}}
	for _, sh := range sn.open {
		p.open[sh.m.Index] = sh.hashRange
	}
	return p
}

func (p *planner) child(r hashkey.Range) childShard {
	c := childShard{Index: p.m.NextShardIndex, Start: r.Start.String(), End: r.End.String()}
	p.m.NextShardIndex++
	p.open[c.Index] = r
	return c
}

// split replaces shard idx by [start, key-1] and [key, end].
func (p *planner) split(idx uint64, key hashkey.Key) (lo, hi uint64) {
	r := p.open[idx]
	delete(p.open, idx)
	a := p.child(hashkey.Range{Start: r.Start, End: key.Sub(hashkey.Key{Lo: 1})})
	b := p.child(hashkey.Range{Start: key, End: r.End})
	p.steps = append(p.steps, reshardStep{Parents: []uint64{idx}, Children: []childShard{a, b}})
	return a.Index, b.Index
}

// merge replaces adjacent shards lo and hi (lo's range first) by one.
func (p *planner) merge(lo, hi uint64) uint64 {
	a, b := p.open[lo], p.open[hi]
	delete(p.open, lo)
	delete(p.open, hi)
	c := p.child(hashkey.Range{Start: a.Start, End: b.End})
	p.steps = append(p.steps, reshardStep{Parents: []uint64{lo, hi}, Children: []childShard{c}})
	return c.Index
}

// newShards counts the shards the plan creates (for the shard limit).
func (p *planner) newShards() int {
	n := 0
	for _, st := range p.steps {
		n += len(st.Children)
	}
	return n
}

// allocate gives every child a LogID; called inside the catalog
// transaction that records the plan.
func (p *planner) allocate(tx *meta.Tx) error {
	for i := range p.steps {
		for j := range p.steps[i].Children {
			id, err := tx.NextLogID()
			if err != nil {
				return err
			}
			p.steps[i].Children[j].LogID = id
		}
	}
	return nil
}

// createChildLogs creates the logs of a plan's children (idempotent).
func (s *Service) createChildLogs(steps []reshardStep, retentionHours int) error {
	for _, st := range steps {
		for _, c := range st.Children {
			err := s.logs.CreateLog(logstore.LogID(c.LogID), logstore.LogConfig{Retention: hoursDuration(retentionHours)})
			if err != nil {
				return fmt.Errorf("create log of shard %s: %w", shardIDString(c.Index), err)
			}
		}
	}
	return nil
}

// applyReshardLocked closes the parents and adds the children of steps. It
// returns every shard of the stream afterwards and the shard records that
// changed.
func (s *Service) applyReshardLocked(st *stream, sn *snapshot, m *meta.Stream, steps []reshardStep) ([]meta.Shard, []meta.Shard, error) {
	if err := s.createChildLogs(steps, m.RetentionHours); err != nil {
		return nil, nil, err
	}
	now := s.now()
	all := map[uint64]meta.Shard{}
	for _, sh := range sn.shards {
		all[sh.m.Index] = sh.m
	}
	var changed []meta.Shard
	for _, step := range steps {
		for _, pi := range step.Parents {
			parent, ok := all[pi]
			if !ok {
				return nil, nil, fmt.Errorf("resharding %s: parent %s missing", st.name, shardIDString(pi))
			}
			if !parent.Closed {
				last, err := s.logs.CloseLog(logstore.LogID(parent.LogID))
				if err != nil { // closing a closed log is not an error: it returns the same last record
					return nil, nil, fmt.Errorf("close %s: %w", shardIDString(pi), err)
				}
				parent.Closed, parent.ClosedAt, parent.EndingRecord = true, now, last
				all[pi] = parent
				changed = append(changed, parent)
			}
		}
		for _, c := range step.Children {
			start, err1 := hashkey.Parse(c.Start)
			end, err2 := hashkey.Parse(c.End)
			if err := errors.Join(err1, err2); err != nil {
				return nil, nil, fmt.Errorf("resharding %s: child range: %w", st.name, err)
			}
			child := meta.Shard{Index: c.Index, LogID: c.LogID, StartingHashKey: start, EndingHashKey: end, Created: now,
				HasParent: true, ParentIndex: step.Parents[0]}
			if len(step.Parents) == 2 {
				child.HasAdjacentParent, child.AdjacentParentIndex = true, step.Parents[1]
			}
			all[c.Index] = child
			changed = append(changed, child)
		}
	}
	out := make([]meta.Shard, 0, len(all))
	for _, sh := range all {
		out = append(out, sh)
	}
	return out, changed, nil
}

// startReshardLocked records plan on the stream (UPDATING for UpdateDelay),
// allocating the children's LogIDs in the same transaction, then creates the
// children's logs. mutate may change the stream record further (history for
// rolling limits). st.mu is held.
func (s *Service) startReshardLocked(st *stream, sn *snapshot, p *planner, mutate func(m *meta.Stream)) error {
	m := p.m
	m.Status, m.StatusUntil = statusUpdating, s.now().Add(s.opts.UpdateDelay)
	if mutate != nil {
		mutate(m)
	}
	err := s.catalog.Update(func(tx *meta.Tx) error {
		if err := p.allocate(tx); err != nil {
			return err
		}
		m.Resharding = (&pendingUpdate{Steps: p.steps}).encode()
		return tx.PutStream(m)
	})
	if err != nil {
		return fmt.Errorf("reshard %s: %w", m.Name, err)
	}
	st.publish(sn.withMeta(m))
	s.scheduleLocked(st)
	// A crash before the logs exist is repaired when the plan is applied
	// (createChildLogs is idempotent).
	return s.createChildLogs(p.steps, m.RetentionHours)
}

// checkShardLimit refuses a change that would leave the caller's account
// with more open shards than Options.ShardLimit; added is the net change.
func (s *Service) checkShardLimit(c caller, added int) error {
	if added <= 0 {
		return nil
	}
	open, _ := s.namespaceUsage(c.ns)
	if open+added > s.opts.ShardLimit {
		return errShardLimit(c.acct, c.region, open, s.opts.ShardLimit, added)
	}
	return nil
}

var oneKey = hashkey.Key{Lo: 1}

// boundarySnap is how close (in hash keys) a computed target boundary must be
// to an existing shard boundary to be taken as that boundary: floor(2^128/T)
// and floor(2^128/N) multiples can differ by a few keys where they should
// coincide (3 -> 6 shards), and splitting there would leave slivers.
const boundarySnap = 1 << 20

// scaleTo plans UNIFORM_SCALING of the open shards (in hash order) to target
// shards of equal width, as AWS does: each open shard is split at the target
// boundaries inside it, and the pieces between two boundaries are merged, in
// hash order. Scaling 4 shards to 3 gives AWS's exact sequence (shard 1
// splits into 4 and 5, 0+4 merge into 6, 2 splits into 7 and 8, 5+7 merge
// into 9, 8+3 into 10).
func (p *planner) scaleTo(open []*shard, target int) {
	targets := hashkey.SplitEvenly(target)
	bounds := make([]hashkey.Key, target-1) // bounds[j] starts target j+1
	for j := range bounds {
		bounds[j] = targets[j+1].Start
		for _, sh := range open {
			if d := absDiff(sh.hashRange.Start, bounds[j]); d.Hi == 0 && d.Lo < boundarySnap {
				bounds[j] = sh.hashRange.Start
			}
		}
	}
	j := 0
	var pending uint64
	hasPending := false
	// absorb adds a piece that ends inside target j (or at its end).
	absorb := func(piece uint64) {
		r := p.open[piece]
		endsTarget := j == len(bounds) && r.End == hashkey.Max || j < len(bounds) && next(r.End) == bounds[j]
		if hasPending {
			piece = p.merge(pending, piece)
			hasPending = false
		}
		if endsTarget {
			j++
		} else {
			pending, hasPending = piece, true
		}
	}
	for _, sh := range open {
		cur := sh.m.Index
		for j < len(bounds) {
			r := p.open[cur]
			if bounds[j].Cmp(r.Start) <= 0 || bounds[j].Cmp(r.End) > 0 {
				break
			}
			lo, hi := p.split(cur, bounds[j])
			absorb(lo) // closes target j
			cur = hi
		}
		absorb(cur)
	}
}

func next(k hashkey.Key) hashkey.Key {
	n, _ := k.Add(oneKey)
	return n
}

func absDiff(a, b hashkey.Key) hashkey.Key {
	if a.Cmp(b) >= 0 {
		return a.Sub(b)
	}
	return b.Sub(a)
}
