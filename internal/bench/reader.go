package bench

import (
	"fmt"
	"sync/atomic"
	"time"
)

// readEntry is one bench record of a verified run, in the order its shard
// returned it.
type readEntry struct {
	Run      uint32
	Producer uint32
	KeyHash  uint32
	Counter  uint64
	Seq      uint64 // seqHash
}

// shardLog is what the consumers read from one shard. It is written by one
// goroutine at a time (the shard's poller or subscriber).
type shardLog struct {
	Shard      string
	Entries    []readEntry
	Violations []Violation
	lastSeq    []byte
	hist       Histogram // end-to-end latency
	// discard keeps no entries (runs without verification): damage and
	// sequence order are still checked as records arrive.
	discard bool
}

// runFilter says which runs' records are checked (others are foreign).
type runFilter func(run uint32) bool

// readStop tells readers when they may stop: once a shard's end has been
// seen by a request that started after the stop point.
type readStop struct {
	at atomic.Int64 // UnixNano; 0 = not yet
}

func (s *readStop) set(t time.Time) { s.at.CompareAndSwap(0, t.UnixNano()) }

// reached reports whether a read that started at t and found the end of the
// shard means the reader is done.
func (s *readStop) reached(t time.Time) bool {
	at := s.at.Load()
	return at != 0 && t.UnixNano() >= at
}

// absorb checks and logs the records of one GetRecords response or fan-out
// event. now is when they arrived (for end-to-end latency).
func (l *shardLog) absorb(recs []rawRecord, keep runFilter, lv *live, now time.Time) {
	nowNs := now.UnixNano()
	var n, bytes, foreign int64
	for i := range recs {
		r := &recs[i]
		h, err := parseRecord(r.data, keyHashBytes(r.pk))
		if len(l.lastSeq) > 0 && !seqLessBytes(l.lastSeq, r.seq) {
			l.violate(Violation{Kind: KindOrder, Shard: l.Shard, Seq: string(r.seq), Run: h.Run, Producer: h.Producer, Counter: h.Counter,
				Detail: fmt.Sprintf("sequence number %s follows %s: not increasing", r.seq, l.lastSeq)})
		}
		l.lastSeq = append(l.lastSeq[:0], r.seq...)
		if err == ErrForeign {
			foreign++
			continue
		}
		if err != nil {
			if err == ErrWrongKey {
				err = fmt.Errorf("%w: partition key %q hashes to %08x, record was written under %08x", ErrWrongKey, r.pk, keyHashBytes(r.pk), h.KeyHash)
			}
			// Whatever run it names (a damaged header can name any), a
			// damaged bench record is reported.
			l.violate(Violation{Kind: KindCorrupt, Shard: l.Shard, Seq: string(r.seq), Run: h.Run, Producer: h.Producer, Counter: h.Counter,
				Detail: fmt.Sprintf("%v (partition key %q, %d bytes)", err, r.pk, len(r.data))})
			continue
		}
		if !keep(h.Run) {
			foreign++
			continue
		}
		if !l.discard {
			l.Entries = append(l.Entries, readEntry{Run: h.Run, Producer: h.Producer, KeyHash: h.KeyHash, Counter: h.Counter, Seq: seqHashBytes(r.seq)})
		}
		l.hist.Record(time.Duration(nowNs - h.SendNs))
		n++
		bytes += int64(len(r.data))
	}
	lv.readRecords.Add(n)
	lv.readBytes.Add(bytes)
	lv.foreign.Add(foreign)
}

// lastSeqString is the last sequence number read ("" before any).
func (l *shardLog) lastSeqString() string { return string(l.lastSeq) }

func (l *shardLog) violate(v Violation) {
	l.Violations = append(l.Violations, v)
}

// seqLess compares two decimal sequence numbers numerically.
func seqLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func seqLessBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return string(a) < string(b)
}
