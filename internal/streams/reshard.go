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
