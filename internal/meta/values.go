package meta

import (
	"encoding/binary"
	"fmt"

	"github.com/eddy-streams/eddy/internal/hashkey"
)

// Record versions. Each value starts with its record's version byte; a
// change to a record's layout bumps its version (and the catalog's format
// version), and the decoder keeps reading the older versions.
const (
	streamV1   = 1
	shardV1    = 1
	consumerV1 = 1
	settingsV1 = 1
	refV1      = 1
)

func encodeStream(s *Stream) []byte {
	e := encoder{b: make([]byte, 0, 128)}
	e.u8(streamV1)
	e.str(s.ARN)
	e.str(s.ID)
	e.uvarint(s.Incarnation)
	e.str(s.Status)
	e.time(s.StatusUntil)
	e.time(s.Created)
	e.str(s.Mode)
	e.times(s.ModeChanges)
	e.int(s.RetentionHours)
	e.str(s.EncryptionType)
	e.str(s.KeyID)
	e.strs(s.ShardLevelMetrics)
	e.int(s.MaxRecordSizeKiB)
	e.int(s.WarmThroughput.TargetMiBps)
	e.int(s.WarmThroughput.CurrentMiBps)
	e.str(s.WarmThroughput.Status)
	e.tags(s.Tags)
	e.uvarint(s.NextShardIndex)
	e.times(s.ShardCountUpdates)
	e.bytes(s.Resharding)
	return e.b
}

// decodeStream decodes a stream value; Namespace and Name come from the key
// and are left for the caller to set.
func decodeStream(b []byte) (*Stream, error) {
	d := decoder{b: b}
	d.version("stream", streamV1)
	s := &Stream{}
	s.ARN = d.str()
	s.ID = d.str()
	s.Incarnation = d.uvarint()
	s.Status = d.str()
	s.StatusUntil = d.time()
	s.Created = d.time()
	s.Mode = d.str()
	s.ModeChanges = d.times()
	s.RetentionHours = d.int()
	s.EncryptionType = d.str()
	s.KeyID = d.str()
	s.ShardLevelMetrics = d.strs()
	s.MaxRecordSizeKiB = d.int()
	s.WarmThroughput.TargetMiBps = d.int()
	s.WarmThroughput.CurrentMiBps = d.int()
	s.WarmThroughput.Status = d.str()
	s.Tags = d.tags()
	s.NextShardIndex = d.uvarint()
	s.ShardCountUpdates = d.times()
	s.Resharding = d.bytes()
	if err := d.finish(); err != nil {
		return nil, fmt.Errorf("decode stream: %w", err)
	}
	return s, nil
}

// A shard value has a fixed layout (shardSize bytes) so that loading a
// stream's 10,000 shards is a tight loop of fixed-offset reads:
//
//	0  version (1)
//	1  flags: bit 0 closed, bit 1 has parent, bit 2 has adjacent parent
//	2  LogID (u64)
//	10 starting hash key (16 bytes)
//	26 ending hash key (16 bytes)
//	42 parent index (u64)
//	50 adjacent parent index (u64)
//	58 created (i64 Unix ns)
//	66 closed at (i64 Unix ns)
//	74 ending record (u64)
const shardSize = 82

const (
	shardClosed            = 1 << 0
	shardHasParent         = 1 << 1
	shardHasAdjacentParent = 1 << 2
	shardKnownFlags        = shardClosed | shardHasParent | shardHasAdjacentParent
)

func encodeShard(s *Shard) []byte {
	e := encoder{b: make([]byte, 0, shardSize)}
	e.u8(shardV1)
	var flags byte
	if s.Closed {
		flags |= shardClosed
	}
	if s.HasParent {
		flags |= shardHasParent
	}
	if s.HasAdjacentParent {
		flags |= shardHasAdjacentParent
	}
	e.u8(flags)
	e.u64(s.LogID)
	e.u128(s.StartingHashKey)
	e.u128(s.EndingHashKey)
	e.u64(s.ParentIndex)
	e.u64(s.AdjacentParentIndex)
	e.fixedTime(s.Created)
	e.fixedTime(s.ClosedAt)
	e.u64(s.EndingRecord)
	return e.b
}

// decodeShard decodes a shard value; Index comes from the key.
func decodeShard(b []byte, s *Shard) error {
	if len(b) != shardSize {
		return fmt.Errorf("decode shard: %d bytes, want %d", len(b), shardSize)
	}
	if b[0] != shardV1 {
		return fmt.Errorf("decode shard: record version %d, want %d", b[0], shardV1)
	}
	flags := b[1]
	if flags&^shardKnownFlags != 0 {
		return fmt.Errorf("decode shard: unknown flags %#x", flags)
	}
	be := binary.BigEndian
	*s = Shard{
		Index:               s.Index,
		LogID:               be.Uint64(b[2:]),
		StartingHashKey:     hashkey.Key{Hi: be.Uint64(b[10:]), Lo: be.Uint64(b[18:])},
		EndingHashKey:       hashkey.Key{Hi: be.Uint64(b[26:]), Lo: be.Uint64(b[34:])},
		HasParent:           flags&shardHasParent != 0,
		ParentIndex:         be.Uint64(b[42:]),
		HasAdjacentParent:   flags&shardHasAdjacentParent != 0,
		AdjacentParentIndex: be.Uint64(b[50:]),
		Created:             nanosTime(int64(be.Uint64(b[58:]))),
		Closed:              flags&shardClosed != 0,
		ClosedAt:            nanosTime(int64(be.Uint64(b[66:]))),
		EndingRecord:        be.Uint64(b[74:]),
	}
	return nil
}

func encodeConsumer(c *Consumer) []byte {
	e := encoder{b: make([]byte, 0, 96)}
	e.u8(consumerV1)
	e.str(c.ARN)
	e.str(c.Status)
	e.time(c.Created)
	e.time(c.StatusUntil)
	e.tags(c.Tags)
	return e.b
}

// decodeConsumer decodes a consumer value; StreamName and Name come from the
// keys.
func decodeConsumer(b []byte) (*Consumer, error) {
	d := decoder{b: b}
	d.version("consumer", consumerV1)
	c := &Consumer{}
	c.ARN = d.str()
	c.Status = d.str()
	c.Created = d.time()
	c.StatusUntil = d.time()
	c.Tags = d.tags()
	if err := d.finish(); err != nil {
		return nil, fmt.Errorf("decode consumer: %w", err)
	}
	return c, nil
}

func encodeSettings(a *AccountSettings) []byte {
	e := encoder{}
	e.u8(settingsV1)
	m := &a.MinimumThroughputBillingCommitment
	e.str(m.Status)
	e.time(m.StartedAt)
	e.time(m.EndedAt)
	e.time(m.EarliestAllowedEndAt)
	return e.b
}

func decodeSettings(b []byte) (*AccountSettings, error) {
	d := decoder{b: b}
	d.version("account settings", settingsV1)
	a := &AccountSettings{}
	m := &a.MinimumThroughputBillingCommitment
	m.Status = d.str()
	m.StartedAt = d.time()
	m.EndedAt = d.time()
	m.EarliestAllowedEndAt = d.time()
	if err := d.finish(); err != nil {
		return nil, fmt.Errorf("decode account settings: %w", err)
	}
	return a, nil
}

func encodeRef(r Ref) []byte {
	e := encoder{}
	e.u8(refV1)
	e.str(r.Namespace)
	e.str(r.Stream)
	e.str(r.Consumer)
	return e.b
}

func decodeRef(b []byte) (Ref, error) {
	d := decoder{b: b}
	d.version("index", refV1)
	r := Ref{Namespace: d.str(), Stream: d.str(), Consumer: d.str()}
	if err := d.finish(); err != nil {
		return Ref{}, fmt.Errorf("decode index entry: %w", err)
	}
	return r, nil
}

// shardKey is the big-endian index, so key order is index order.
func shardKey(index uint64) []byte { return binary.BigEndian.AppendUint64(nil, index) }
