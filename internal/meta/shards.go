package meta

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
)

// shardFill packs shard pages tightly: shard keys are big-endian indexes
// that mostly grow, so pages split at the right edge and would otherwise be
// left half full.
const shardFill = 0.9

func (tx *Tx) shardsBucket(ns, name string) (*bbolt.Bucket, error) {
	b, err := tx.streamBucket(ns, name)
	if err != nil {
		return nil, err
	}
	sb := b.Bucket(bktShards)
	if sb == nil {
		return nil, &CorruptError{Bucket: streamPath(ns, name), Key: bktShards, Err: errors.New("missing shards bucket")}
	}
	sb.FillPercent = shardFill
	return sb, nil
}

func shardAt(ns, name string, k, v []byte, sh *Shard) error {
	if len(k) != 8 {
		return &CorruptError{Bucket: streamPath(ns, name) + "/shards", Key: k, Err: errors.New("key is not 8 bytes")}
	}
	sh.Index = binary.BigEndian.Uint64(k)
	if err := decodeShard(v, sh); err != nil {
		return &CorruptError{Bucket: streamPath(ns, name) + "/shards", Key: k, Err: err}
	}
	return nil
}

// Shards returns all shards of a stream, open and closed, in index order.
func (tx *Tx) Shards(ns, name string) ([]Shard, error) {
	sb, err := tx.shardsBucket(ns, name)
	if err != nil {
		return nil, err
	}
	c := sb.Cursor()
	out := make([]Shard, 0, shardCountHint(c))
	for k, v := c.First(); k != nil; k, v = c.Next() {
		out = append(out, Shard{})
		if err := shardAt(ns, name, k, v, &out[len(out)-1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// shardCountHint bounds the number of shards by last index - first index + 1,
// which is exact while indexes are dense, so Shards allocates once. The cap
// keeps a corrupt key from asking for a huge allocation.
func shardCountHint(c *bbolt.Cursor) int {
	first, _ := c.First()
	last, _ := c.Last()
	if len(first) != 8 || len(last) != 8 {
		return 0
	}
	n := binary.BigEndian.Uint64(last) - binary.BigEndian.Uint64(first) + 1
	return int(min(n, 1<<16))
}

// ForEachShard calls fn for the stream's shards with index >= from, in index
// order. An error from fn stops the walk and is returned unchanged.
func (tx *Tx) ForEachShard(ns, name string, from uint64, fn func(Shard) error) error {
	sb, err := tx.shardsBucket(ns, name)
	if err != nil {
		return err
	}
	c := sb.Cursor()
	for k, v := c.Seek(shardKey(from)); k != nil; k, v = c.Next() {
		var sh Shard
		if err := shardAt(ns, name, k, v, &sh); err != nil {
			return err
		}
		if err := fn(sh); err != nil {
			return err
		}
	}
	return nil
}

// Shard returns one shard, or an error wrapping ErrNotFound.
func (tx *Tx) Shard(ns, name string, index uint64) (Shard, error) {
	sb, err := tx.shardsBucket(ns, name)
	if err != nil {
		return Shard{}, err
	}
	k := shardKey(index)
	v := sb.Get(k)
	if v == nil {
		return Shard{}, fmt.Errorf("meta: shard %d of stream %q in namespace %q: %w", index, name, ns, ErrNotFound)
	}
	var sh Shard
	err = shardAt(ns, name, k, v, &sh)
	return sh, err
}

// PutShard adds or replaces a shard of an existing stream. sh.LogID must
// come from NextLogID, and a shard's LogID cannot change once stored.
// Writing a shard rewrites only the pages that hold it, so closing two
// shards of a 10,000-shard stream costs two small writes.
func (tx *Tx) PutShard(ns, name string, sh Shard) error {
	sb, err := tx.shardsBucket(ns, name)
	if err != nil {
		return err
	}
	if sh.LogID == 0 || sh.LogID >= tx.peekNextLogID() {
		return fmt.Errorf("meta: put shard %d of stream %q: LogID %d was not allocated by NextLogID", sh.Index, name, sh.LogID)
	}
	k := shardKey(sh.Index)
	if v := sb.Get(k); v != nil {
		var old Shard
		if err := shardAt(ns, name, k, v, &old); err != nil {
			return err
		}
		if old.LogID != sh.LogID {
			return fmt.Errorf("meta: put shard %d of stream %q: LogID is immutable (have %d, got %d)", sh.Index, name, old.LogID, sh.LogID)
		}
	}
	if err := sb.Put(k, encodeShard(&sh)); err != nil {
		return fmt.Errorf("meta: put shard %d of stream %q: %w", sh.Index, name, err)
	}
	return nil
}

// DeleteShard removes a shard (for example a closed shard past retention)
// and queues its LogID in DeadLogs.
func (tx *Tx) DeleteShard(ns, name string, index uint64) error {
	sh, err := tx.Shard(ns, name, index)
	if err != nil {
		return err
	}
	sb, err := tx.shardsBucket(ns, name)
	if err != nil {
		return err
	}
	if err := sb.Delete(shardKey(index)); err != nil {
		return fmt.Errorf("meta: delete shard %d of stream %q: %w", index, name, err)
	}
	return tx.buryLog(sh.LogID)
}
