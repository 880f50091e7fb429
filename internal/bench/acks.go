package bench

// ackTable is one producer's view of every record it made: whether it was
// acknowledged, where, and how its attempts went. It is owned by the
// producer's goroutine while the run lasts and read by the verifier after.
type ackTable struct {
	Run      uint32
	Producer uint32
	// Per counter (index = counter):
	State []uint8  // flags below, plus the count of unknown-outcome attempts in the high nibble
	Shard []uint32 // index into Shards, valid when acknowledged
	Seq   []uint64 // seqHash of the acknowledged sequence number
	// Shards names the shards of Shard.
	Shards  []string
	shardIx map[string]uint32
	// discard keeps nothing (runs that neither verify nor save an ack log),
	// so that long runs use constant memory.
	discard bool
	made    uint64
}

// State flags.
const (
	stAcked  = 1 << 0 // acknowledged with a shard and sequence number
	stFailed = 1 << 1 // at least one attempt was refused (entry ErrorCode or a refused request)
	stSent   = 1 << 2 // at least one attempt was made
	ambShift = 4      // attempts whose outcome is unknown (lost response), saturating at 15
)

func newAckTable(run, producer uint32) *ackTable {
	return &ackTable{Run: run, Producer: producer, shardIx: map[string]uint32{}}
}

// next assigns a new counter.
func (t *ackTable) next() uint64 {
	if t.discard {
		t.made++
		return t.made - 1
	}
	c := uint64(len(t.State))
	t.State = append(t.State, 0)
	t.Shard = append(t.Shard, 0)
	t.Seq = append(t.Seq, 0)
	return c
}

func (t *ackTable) sent(c uint64) {
	if !t.discard {
		t.State[c] |= stSent
	}
}

func (t *ackTable) ack(c uint64, shard, seq string) {
	if t.discard {
		return
	}
	ix, ok := t.shardIx[shard]
	if !ok {
		ix = uint32(len(t.Shards))
		t.Shards = append(t.Shards, shard)
		t.shardIx[shard] = ix
	}
	t.State[c] |= stAcked
	t.Shard[c] = ix
	t.Seq[c] = seqHash(seq)
}

// ackBytes is ack for values that alias a response body.
func (t *ackTable) ackBytes(c uint64, shard, seq []byte) {
	if t.discard {
		return
	}
	ix, ok := t.shardIx[string(shard)]
	if !ok {
		ix = uint32(len(t.Shards))
		t.Shards = append(t.Shards, string(shard))
		t.shardIx[string(shard)] = ix
	}
	t.State[c] |= stAcked
	t.Shard[c] = ix
	t.Seq[c] = seqHashBytes(seq)
}

func (t *ackTable) failed(c uint64) {
	if !t.discard {
		t.State[c] |= stFailed
	}
}

func (t *ackTable) ambiguous(c uint64) {
	if t.discard {
		return
	}
	if n := t.State[c] >> ambShift; n < 15 {
		t.State[c] += 1 << ambShift
	}
}

// amb is the number of unknown-outcome attempts of counter c.
func (t *ackTable) amb(c uint64) int { return int(t.State[c] >> ambShift) }

// clean reports whether c was acknowledged on its first and only attempt,
// so that its position relative to the producer's other clean records is
// fixed by the order in which the producer sent them.
func (t *ackTable) clean(c uint64) bool {
	return t.State[c]&(stAcked|stFailed) == stAcked && t.amb(c) == 0
}

// acked counts acknowledged records.
func (t *ackTable) acked() int64 {
	var n int64
	for _, s := range t.State {
		n += int64(s & stAcked)
	}
	return n
}
