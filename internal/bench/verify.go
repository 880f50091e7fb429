package bench

import (
	"fmt"
	"sort"
)

// Violation kinds.
const (
	KindMissing    = "missing"    // acknowledged, never read back
	KindDuplicate  = "duplicate"  // read more often than acknowledged attempts and lost responses explain
	KindMisplaced  = "misplaced"  // read, but not at the shard and sequence number it was acknowledged with
	KindOrder      = "order"      // sequence numbers not increasing in a shard, or a producer's records out of order for a key
	KindCorrupt    = "corrupt"    // data damaged (CRC, length, partition key)
	KindPhantom    = "phantom"    // every attempt was refused, yet the record is there
	KindUnknown    = "unknown"    // a record of a verified run that its producer never made
	KindUnreadable = "unreadable" // a shard could not be read past some point
)

// Violation is one integrity failure.
type Violation struct {
	Kind     string `json:"kind"`
	Shard    string `json:"shard,omitempty"`
	Seq      string `json:"sequence_number,omitempty"`
	Run      uint32 `json:"run,omitempty"`
	Producer uint32 `json:"producer"`
	Counter  uint64 `json:"counter"`
	// ReadAt lists where the record was read: shard#index, the index
	// counting the verified runs' records read from that shard from 0.
	ReadAt []string `json:"read_at,omitempty"`
	Detail string   `json:"detail"`
}

func (v Violation) String() string {
	s := v.Kind + ":"
	if v.Run != 0 {
		s += fmt.Sprintf(" run %08x producer %d counter %d", v.Run, v.Producer, v.Counter)
	}
	if v.Shard != "" {
		s += " shard " + v.Shard
	}
	if v.Seq != "" {
		s += " seq " + v.Seq
	}
	if len(v.ReadAt) > 0 {
		s += fmt.Sprintf(" read at %v", v.ReadAt)
	}
	return s + ": " + v.Detail
}

// Verification is the integrity verdict of a run.
type Verification struct {
	OK bool `json:"ok"`
	// Acknowledged is the number of records acknowledged by the server;
	// ExactlyOnce of them were read back exactly once, intact, in order.
	Acknowledged int64 `json:"acknowledged"`
	ExactlyOnce  int64 `json:"exactly_once"`
	// Read is the number of records of the verified runs read back.
	Read int64 `json:"read"`
	// RetryDuplicates are extra copies of acknowledged records explained by
	// attempts whose response was lost and that were sent again (Kinesis is
	// at-least-once for producers that retry); not violations.
	RetryDuplicates int64 `json:"retry_duplicates"`
	// UnacknowledgedPresent are records never acknowledged (the response
	// was lost and the run ended before a retry was acknowledged) that are
	// in the stream; not violations.
	UnacknowledgedPresent int64 `json:"unacknowledged_present"`
	// NotWritten are records whose every attempt was refused and that are
	// absent, as they should be.
	NotWritten int64 `json:"not_written"`
	// Foreign are records of other runs or other writers (ignored).
	Foreign int64 `json:"foreign"`
	// Counts of violations by kind; Violations lists the first MaxListed.
	Counts     map[string]int64 `json:"violations_by_kind"`
	Violations []Violation      `json:"violations"`
}

// MaxListed bounds the violations listed in a report.
const MaxListed = 100

func (v *Verification) add(x Violation) {
	if v.Counts == nil {
		v.Counts = map[string]int64{}
	}
	v.Counts[x.Kind]++
	if len(v.Violations) < MaxListed {
		v.Violations = append(v.Violations, x)
	}
}

type tableKey struct{ run, producer uint32 }

// Verify joins acknowledgement tables and shard read logs and reports every
// record not read back exactly once, intact and in order.
func Verify(tables []*ackTable, logs []*shardLog, foreign int64) *Verification {
	v := &Verification{Foreign: foreign, Counts: map[string]int64{}}
	byKey := make(map[tableKey]*ackTable, len(tables))
	reads := make(map[tableKey][]uint8, len(tables)) // per counter: read count (saturating at 127) | 0x80 if the acknowledged copy was read
	for _, t := range tables {
		k := tableKey{t.Run, t.Producer}
		byKey[k] = t
		reads[k] = make([]uint8, len(t.State))
	}
	sort.Slice(logs, func(i, j int) bool { return logs[i].Shard < logs[j].Shard })

	for _, l := range logs {
		for _, x := range l.Violations {
			v.add(x)
		}
		// last clean counter per (run, producer, key) in this shard
		last := map[[3]uint32]uint64{}
		for pos, e := range l.Entries {
			v.Read++
			k := tableKey{e.Run, e.Producer}
			t := byKey[k]
			if t == nil || e.Counter >= uint64(len(t.State)) || t.State[e.Counter]&stSent == 0 {
				v.add(Violation{Kind: KindUnknown, Shard: l.Shard, Run: e.Run, Producer: e.Producer, Counter: e.Counter, ReadAt: []string{readAt(l.Shard, pos)},
					Detail: "read a record of a verified run that its producer never sent"})
				continue
			}
			rc := reads[k]
			c := e.Counter
			if rc[c]&0x7f < 0x7f {
				rc[c]++
			}
			if t.State[c]&stAcked != 0 && t.Shards[t.Shard[c]] == l.Shard && t.Seq[c] == e.Seq {
				rc[c] |= 0x80
			}
			// Order is checked on first reads only: later copies are
			// duplicates, reported as such.
			if rc[c]&0x7f == 1 && t.clean(c) {
				ok := [3]uint32{e.Run, e.Producer, e.KeyHash}
				if prev, seen := last[ok]; seen && c <= prev {
					v.add(Violation{Kind: KindOrder, Shard: l.Shard, Run: e.Run, Producer: e.Producer, Counter: c, ReadAt: []string{readAt(l.Shard, pos)},
						Detail: fmt.Sprintf("counter %d read after counter %d of the same producer and partition key", c, prev)})
				} else {
					last[ok] = c
				}
			}
		}
	}

	for _, t := range tables {
		k := tableKey{t.Run, t.Producer}
		rc := reads[k]
		for c, st := range t.State {
			if st&stSent == 0 {
				continue
			}
			n := int(rc[c] & 0x7f)
			matched := rc[c]&0x80 != 0
			amb := t.amb(uint64(c))
			base := Violation{Run: t.Run, Producer: t.Producer, Counter: uint64(c)}
			if st&stAcked != 0 {
				v.Acknowledged++
				base.Shard = t.Shards[t.Shard[c]]
				switch {
				case matched && n == 1:
					v.ExactlyOnce++
				case matched && n-1 <= amb:
					v.ExactlyOnce++
					v.RetryDuplicates += int64(n - 1)
				case matched:
					base.Kind = KindDuplicate
					base.Detail = fmt.Sprintf("read %d times; %d attempts had lost responses", n, amb)
					v.add(base)
				case n == 0:
					base.Kind = KindMissing
					base.Detail = "acknowledged, not read back"
					v.add(base)
				default:
					base.Kind = KindMisplaced
					base.Detail = fmt.Sprintf("read %d times, never at the shard and sequence number it was acknowledged with", n)
					if amb > 0 {
						base.Detail += fmt.Sprintf(" (%d copies from attempts with lost responses may explain the reads; the acknowledged copy is missing)", amb)
					}
					v.add(base)
				}
				continue
			}
			switch {
			case n == 0:
				v.NotWritten++
			case n <= amb:
				v.UnacknowledgedPresent++
			default:
				base.Kind = KindPhantom
				base.Detail = fmt.Sprintf("read %d times, but only %d attempts had unknown outcomes (the others were refused)", n, amb)
				v.add(base)
			}
		}
	}
	v.locate(logs)
	v.OK = len(v.Counts) == 0
	return v
}

func readAt(shard string, pos int) string { return fmt.Sprintf("%s#%d", shard, pos) }

// locate fills in where the listed duplicate, misplaced and phantom records
// were read, with a second pass over the logs (positions are not kept for
// every record).
func (v *Verification) locate(logs []*shardLog) {
	want := map[[3]uint64]*Violation{}
	for i := range v.Violations {
		x := &v.Violations[i]
		if x.Kind == KindDuplicate || x.Kind == KindMisplaced || x.Kind == KindPhantom {
			want[[3]uint64{uint64(x.Run), uint64(x.Producer), x.Counter}] = x
		}
	}
	if len(want) == 0 {
		return
	}
	for _, l := range logs {
		for pos, e := range l.Entries {
			if x := want[[3]uint64{uint64(e.Run), uint64(e.Producer), e.Counter}]; x != nil {
				x.ReadAt = append(x.ReadAt, readAt(l.Shard, pos))
			}
		}
	}
}
