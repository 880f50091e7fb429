package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

// sim is a synthetic run: producers' acknowledgement tables and the records
// a faithful server would return, which each test then damages.
type sim struct {
	tables []*ackTable
	makers []*recordMaker
	shards map[string][]kinesisapi.Record
	order  []string
	seq    int
}

const simRun = 0xabc

func newSim(producers, records, shards, keys int) *sim {
	s := &sim{shards: map[string][]kinesisapi.Record{}, seq: 1000000}
	for i := range shards {
		s.order = append(s.order, fmt.Sprintf("shardId-%012d", i))
	}
	for p := range producers {
		s.tables = append(s.tables, newAckTable(simRun, uint32(p)))
		s.makers = append(s.makers, newRecordMaker(simRun, uint32(p), 64))
	}
	// Producers take turns, one record each, as concurrent producers would.
	for n := range records {
		for p, t := range s.tables {
			key := fmt.Sprintf("key-%d", (n+p)%keys)
			kh := KeyHash(key)
			shard := s.order[int(kh)%shards]
			c := t.next()
			t.sent(c)
			s.seq++
			seq := fmt.Sprint(s.seq)
			t.ack(c, shard, seq)
			s.shards[shard] = append(s.shards[shard], kinesisapi.Record{SequenceNumber: seq, PartitionKey: key, Data: s.makers[p].data(kh, c, time.Now().UnixNano())})
		}
	}
	return s
}

// find returns the shard and index of producer p's record c.
func (s *sim) find(p int, c uint64) (string, int) {
	for shard, recs := range s.shards {
		for i, r := range recs {
			h, err := ParseRecord(r.Data, r.PartitionKey)
			if err == nil && h.Producer == uint32(p) && h.Counter == c {
				return shard, i
			}
		}
	}
	panic("record not found")
}

// read passes the records through the consumers' checks in batches of 7
// and verifies.
func (s *sim) read() *Verification {
	lv := newLive()
	var logs []*shardLog
	for _, shard := range s.order {
		l := &shardLog{Shard: shard}
		recs := s.shards[shard]
		for i := 0; i < len(recs); i += 7 {
			l.absorb(toRaw(recs[i:min(i+7, len(recs))]), func(r uint32) bool { return r == simRun }, lv, time.Now())
		}
		logs = append(logs, l)
	}
	return Verify(s.tables, logs, lv.foreign.Load())
}

func expect(t *testing.T, v *Verification, counts map[string]int64) {
	t.Helper()
	if v.OK != (len(counts) == 0) || fmt.Sprint(v.Counts) != fmt.Sprint(counts) {
		t.Fatalf("violations %v (ok %v), want %v; listed: %v", v.Counts, v.OK, counts, v.Violations)
	}
}

func TestVerifyClean(t *testing.T) {
	s := newSim(3, 200, 4, 10)
	v := s.read()
	expect(t, v, nil)
	if v.Acknowledged != 600 || v.ExactlyOnce != 600 || v.Read != 600 {
		t.Fatalf("%+v", v)
	}
}

func TestVerifyMissing(t *testing.T) {
	s := newSim(3, 200, 4, 10)
	shard, i := s.find(1, 57)
	s.shards[shard] = append(s.shards[shard][:i:i], s.shards[shard][i+1:]...)
	v := s.read()
	expect(t, v, map[string]int64{KindMissing: 1})
	if x := v.Violations[0]; x.Producer != 1 || x.Counter != 57 || x.Shard != shard {
		t.Fatalf("violation %v", x)
	}
}

func TestVerifyDuplicate(t *testing.T) {
	s := newSim(3, 200, 4, 10)
	shard, i := s.find(2, 10)
	dup := s.shards[shard][i]
	s.seq++
	dup.SequenceNumber = fmt.Sprint(s.seq)
	s.shards[shard] = append(s.shards[shard], dup)
	v := s.read()
	expect(t, v, map[string]int64{KindDuplicate: 1})
	if x := v.Violations[0]; x.Producer != 2 || x.Counter != 10 || len(x.ReadAt) != 2 {
		t.Fatalf("violation %v", x)
	}
}

// A copy written by an attempt whose response was lost, before the retry
// that was acknowledged, is at-least-once delivery, not a violation.
func TestVerifyRetryDuplicateIsAllowed(t *testing.T) {
	s := newSim(3, 200, 4, 10)
	shard, i := s.find(0, 99)
	s.tables[0].ambiguous(99)
	early := s.shards[shard][i]
	recs := s.shards[shard]
	// Insert the early copy just before the acknowledged one, renumbering
	// sequence numbers so that they stay increasing.
	recs = append(recs[:i:i], append([]kinesisapi.Record{early}, recs[i:]...)...)
	for j := range recs {
		recs[j].SequenceNumber = fmt.Sprint(5000000 + j)
	}
	s.shards[shard] = recs
	for c := range s.tables {
		for n := range s.tables[c].State {
			if sh, k := s.find(c, uint64(n)); sh == shard {
				s.tables[c].Seq[n] = seqHash(recs[k].SequenceNumber)
				if c == 0 && n == 99 {
					s.tables[c].Seq[n] = seqHash(recs[k+1].SequenceNumber) // the acknowledged copy is the later one
				}
			}
		}
	}
	v := s.read()
	expect(t, v, nil)
	if v.RetryDuplicates != 1 || v.ExactlyOnce != 600 {
		t.Fatalf("%+v", v)
	}
	// Without the lost response the same copy is a duplicate.
	s.tables[0].State[99] &^= 0xf0
	expect(t, s.read(), map[string]int64{KindDuplicate: 1})
}

// Records acknowledged in one order and stored in the other: sequence
// numbers increase, but the producer's counters go backwards for the key.
func TestVerifyReorder(t *testing.T) {
	s := newSim(1, 200, 2, 3)
	shard, i := s.find(0, 30)
	recs := s.shards[shard]
	var j int
	for j = i + 1; recs[j].PartitionKey != recs[i].PartitionKey; j++ {
	}
	hj, _ := ParseRecord(recs[j].Data, recs[j].PartitionKey)
	recs[i].Data, recs[j].Data = recs[j].Data, recs[i].Data
	s.tables[0].Seq[30], s.tables[0].Seq[hj.Counter] = seqHash(recs[j].SequenceNumber), seqHash(recs[i].SequenceNumber)
	v := s.read()
	expect(t, v, map[string]int64{KindOrder: 1})
	if x := v.Violations[0]; x.Counter != 30 || x.Shard != shard {
		t.Fatalf("violation %v", x)
	}

	// Sequence numbers that go backwards are reported by the reader.
	s = newSim(1, 50, 1, 3)
	recs = s.shards[s.order[0]]
	recs[10], recs[11] = recs[11], recs[10]
	expect(t, s.read(), map[string]int64{KindOrder: 1})
}

func TestVerifyCorrupt(t *testing.T) {
	s := newSim(2, 100, 3, 10)
	shard, i := s.find(1, 42)
	s.shards[shard][i].Data[HeaderLen+5] ^= 0x01
	v := s.read()
	// The damaged record is reported, and so is its absence as intact data.
	expect(t, v, map[string]int64{KindCorrupt: 1, KindMissing: 1})
	for _, x := range v.Violations {
		if x.Kind == KindCorrupt && (x.Producer != 1 || x.Counter != 42 || x.Seq != s.shards[shard][i].SequenceNumber) {
			t.Fatalf("violation %v", x)
		}
	}
}

func TestVerifyPhantomUnknownMisplaced(t *testing.T) {
	s := newSim(2, 100, 3, 10)
	// An entry refused on every attempt must not be in the stream.
	s.tables[0].State[5] = stSent | stFailed
	// A counter the producer never made.
	extra := s.makers[1].data(KeyHash("key-1"), 100000, 0)
	s.seq++
	last := s.order[0]
	s.shards[last] = append(s.shards[last], kinesisapi.Record{SequenceNumber: fmt.Sprint(s.seq + 1000), PartitionKey: "key-1", Data: extra})
	// Acknowledged with another sequence number than the one read.
	s.tables[1].Seq[7] ^= 1
	v := s.read()
	expect(t, v, map[string]int64{KindPhantom: 1, KindUnknown: 1, KindMisplaced: 1})
	// Records of other runs are ignored.
	other := newRecordMaker(simRun+1, 0, 64).data(KeyHash("k"), 0, 0)
	s.shards[last] = append(s.shards[last], kinesisapi.Record{SequenceNumber: fmt.Sprint(s.seq + 2000), PartitionKey: "k", Data: other},
		kinesisapi.Record{SequenceNumber: fmt.Sprint(s.seq + 2001), PartitionKey: "k", Data: []byte("not a bench record")})
	if v := s.read(); v.Foreign != 2 {
		t.Fatalf("foreign %d", v.Foreign)
	}
}

func TestVerifyUnacknowledged(t *testing.T) {
	s := newSim(1, 10, 1, 1)
	// Lost response, never retried successfully: present or absent is fine.
	s.tables[0].State[3] = stSent | 1<<ambShift
	s.tables[0].State[4] = stSent | 1<<ambShift
	shard, i := s.find(0, 4)
	s.shards[shard] = append(s.shards[shard][:i:i], s.shards[shard][i+1:]...)
	v := s.read()
	expect(t, v, nil)
	if v.UnacknowledgedPresent != 1 || v.NotWritten != 1 || v.Acknowledged != 8 {
		t.Fatalf("%+v", v)
	}
}

func toRaw(recs []kinesisapi.Record) []rawRecord {
	out := make([]rawRecord, len(recs))
	for i, r := range recs {
		out[i] = rawRecord{seq: []byte(r.SequenceNumber), pk: []byte(r.PartitionKey), data: r.Data}
	}
	return out
}
