package streams

import (
	"sort"
	"time"

	"github.com/eddy-streams/eddy/internal/hashkey"
)

// The on-demand scaler gives ON_DEMAND streams the shards their traffic
// needs, the way AWS's on-demand mode does, by ordinary resharding (visible
// in ListShards as parents and children). Every Options.ScaleInterval it
// looks at each open shard's write rate over the last interval:
//
//   - hot: a shard above half its write capacity (512 KiB/s or 500
//     records/s) is split at the middle of its hash range;
//   - warm: while fewer shards are open than the warm throughput target
//     (MiB/s, 1 MiB/s per shard), the widest open shard is split;
//   - cold: when nothing is hot, two adjacent shards both below a tenth of
//     their capacity, open for at least three intervals, are merged, as
//     long as at least four shards (an on-demand stream's initial capacity)
//     and the warm target remain;
//   - at most onDemandMaxShards shards are open (200 MiB/s, AWS's on-demand
//     write maximum), and the account's shard limit applies.
//
// One resharding runs at a time per stream, so a stream scales by at most
// one round per interval.

const (
	shardWriteMiBps      = 1
	shardWriteBytes      = 1 << 20
	shardWriteRecords    = 1000
	onDemandMinShards    = onDemandInitialShards
	onDemandMaxShards    = 200
	DefaultScaleInterval = time.Minute
	coldOpenForIntervals = 3
)

// scaleLoop runs the scaler until the service closes.
func (s *Service) scaleLoop(interval time.Duration) {
	defer s.wg.Done()
	t := s.clock.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-t.C():
		}
		s.scaleAll(interval)
		t.Reset(interval)
	}
}

// scaleAll runs one scaler round over every on-demand stream.
func (s *Service) scaleAll(interval time.Duration) {
	s.mu.RLock()
	var all []*stream
	for _, st := range s.streams {
		if st.load().m.Mode == modeOnDemand {
			all = append(all, st)
		}
	}
	s.mu.RUnlock()
	for _, st := range all {
		st.mu.Lock()
		acct, region, _ := cutNamespace(st.ns)
		c := caller{acct: acct, region: region, ns: st.ns}
		if err := s.settleLocked(st); err == nil {
			err = s.scaleLocked(c, st, interval)
		}
		st.mu.Unlock()
	}
}

// scaleLocked plans and starts one scaling round for an on-demand stream;
// interval is the period the write counters cover (0: ignore rates, only
// honour the warm throughput). st.mu is held.
func (s *Service) scaleLocked(c caller, st *stream, interval time.Duration) error {
	sn := st.load()
	if st.isGone() || sn.m.Mode != modeOnDemand || sn.status(s.now()) != statusActive {
		return nil
	}
	type load struct {
		sh        *shard
		bytes, rr float64 // per second
	}
	loads := make([]load, len(sn.open))
	for i, sh := range sn.open {
		loads[i].sh = sh
		if interval > 0 {
			b, r := s.meter(sh.log).takeCounts()
			loads[i].bytes, loads[i].rr = b/interval.Seconds(), r/interval.Seconds()
		}
	}
	p := newPlanner(sn, cloneMeta(sn.m))
	open := len(sn.open)
	room := onDemandMaxShards - open
	hot := false
	for _, l := range loads {
		if l.bytes > shardWriteBytes/2 || l.rr > shardWriteRecords/2 {
			hot = true
			if room > 0 && splittable(l.sh.hashRange) {
				p.split(l.sh.m.Index, midpoint(l.sh.hashRange))
				room--
				open++
			}
		}
	}
	warm := (sn.m.WarmThroughput.TargetMiBps + shardWriteMiBps - 1) / shardWriteMiBps
	for open < warm && room > 0 {
		idx, ok := p.widest()
		if !ok {
			break
		}
		p.split(idx, midpoint(p.open[idx]))
		room--
		open++
	}
	if !hot && interval > 0 && len(p.steps) == 0 && open > max(onDemandMinShards, warm) {
		cold := func(l load) bool {
			return l.bytes < shardWriteBytes/10 && l.rr < shardWriteRecords/10 &&
				s.now().Sub(l.sh.m.Created) >= coldOpenForIntervals*interval
		}
		for i := 0; i+1 < len(loads); i++ {
			if cold(loads[i]) && cold(loads[i+1]) {
				p.merge(loads[i].sh.m.Index, loads[i+1].sh.m.Index)
				break
			}
		}
	}
	if len(p.steps) == 0 {
		return nil
	}
	if err := s.checkShardLimit(c, open-len(sn.open)); err != nil {
		s.log.Warn("on-demand scaling blocked by the shard limit", "stream", sn.m.Name, "err", err)
		return nil
	}
	s.log.Info("on-demand scaling", "stream", sn.m.Name, "open_shards", len(sn.open), "steps", len(p.steps))
	return s.startReshardLocked(st, sn, p, nil)
}

// widest returns the open shard (in the plan) with the widest hash range.
func (p *planner) widest() (uint64, bool) {
	var best uint64
	var bestW hashkey.Key
	found := false
	idxs := make([]uint64, 0, len(p.open))
	for idx := range p.open {
		idxs = append(idxs, idx)
	}
	sort.Slice(idxs, func(i, j int) bool { return idxs[i] < idxs[j] })
	for _, idx := range idxs {
		r := p.open[idx]
		if w := r.End.Sub(r.Start); splittable(r) && (!found || w.Cmp(bestW) > 0) {
			best, bestW, found = idx, w, true
		}
	}
	return best, found
}

func splittable(r hashkey.Range) bool {
	return r.End.Sub(r.Start).Cmp(hashkey.Key{Lo: 4}) >= 0
}

// midpoint is where an even split of r starts its upper half.
func midpoint(r hashkey.Range) hashkey.Key {
	half := r.End.Sub(r.Start).AddUint64(1).Rsh1() // width/2, width <= 2^128 handled by Sub+1 wrap only for the full space
	if r.Start == (hashkey.Key{}) && r.End == hashkey.Max {
		half = hashkey.Key{Hi: 1 << 63}
	}
	k, _ := r.Start.Add(half)
	return k
}

// cutNamespace splits "ACCOUNT/REGION".
func cutNamespace(ns string) (acct, region string, ok bool) {
	for i := 0; i < len(ns); i++ {
		if ns[i] == '/' {
			return ns[:i], ns[i+1:], true
		}
	}
	return ns, "", false
}
