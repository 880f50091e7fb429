package streams

import (
	"encoding/json"
	"fmt"
	"github.com/eddy-streams/eddy/internal/meta"
	"time"
)

// A stream goes UPDATING while a change takes effect (resharding, a mode
// switch, encryption). What happens when it becomes ACTIVE again is recorded
// in the catalog with the status (meta.Stream.Resharding holds the encoded
// pendingUpdate), so a restart completes an interrupted change.

// pendingUpdate is the work done when an UPDATING stream becomes ACTIVE.
type pendingUpdate struct {
	// Steps are applied in order; each is one resharding action.
	Steps []reshardStep `json:"steps,omitempty"`
}

func decodePending(b []byte) (*pendingUpdate, error) {
	p := &pendingUpdate{}
	if len(b) == 0 {
		return p, nil
	}
	if err := json.Unmarshal(b, p); err != nil {
		return nil, fmt.Errorf("decode pending update: %w", err)
	}
	return p, nil
}

func (p *pendingUpdate) encode() []byte {
	if len(p.Steps) == 0 {
		return nil
	}
	b, _ := json.Marshal(p) // plain structs: cannot fail
	return b
}

// finishUpdateLocked applies the pending update of an UPDATING stream whose
// time has come and makes it ACTIVE.
func (s *Service) finishUpdateLocked(st *stream, sn *snapshot) error {
	p, err := decodePending(sn.m.Resharding)
	if err != nil {
		return err
	}
	m := cloneMeta(sn.m)
	m.Status, m.StatusUntil, m.Resharding = statusActive, time.Time{}, nil
	shards := sn.shardMetas()
	var changed []meta.Shard
	if len(p.Steps) > 0 {
		shards, changed, err = s.applyReshardLocked(st, sn, m, p.Steps)
		if err != nil {
			return err
		}
	}
	return s.commitLocked(st, m, shards, changed)
}
