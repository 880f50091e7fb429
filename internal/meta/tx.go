package meta

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
)

// Tx is a catalog transaction, valid only inside the View or Update call
// that created it. Methods that write fail in a View transaction.
type Tx struct {
	btx *bbolt.Tx
	c   *Catalog
}

// Writable reports whether tx can write (it belongs to an Update).
func (tx *Tx) Writable() bool { return tx.btx.Writable() }

// NextLogID hands out a new LogID: monotonic, never 0, never handed out
// twice by committed transactions (see the package comment for failed ones).
func (tx *Tx) NextLogID() (uint64, error) {
	m := tx.btx.Bucket(bktMeta)
	v := m.Get(keyNextLog)
	if len(v) != 8 {
		return 0, &CorruptError{Bucket: "meta", Key: keyNextLog, Err: fmt.Errorf("%d bytes, want 8", len(v))}
	}
	id := binary.BigEndian.Uint64(v)
	if err := m.Put(keyNextLog, binary.BigEndian.AppendUint64(nil, id+1)); err != nil {
		return 0, fmt.Errorf("meta: allocate LogID: %w", err)
	}
	return id, nil
}

// peekNextLogID returns the LogID NextLogID would hand out, without taking it.
func (tx *Tx) peekNextLogID() uint64 {
	v := tx.btx.Bucket(bktMeta).Get(keyNextLog)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// DeadLogs lists the LogIDs of deleted shards whose logs may still exist in
// the log store, in increasing order.
func (tx *Tx) DeadLogs() ([]uint64, error) {
	var ids []uint64
	err := tx.btx.Bucket(bktDeadLogs).ForEach(func(k, _ []byte) error {
		if len(k) != 8 {
			return &CorruptError{Bucket: "deadlogs", Key: k, Err: errors.New("key is not 8 bytes")}
		}
		ids = append(ids, binary.BigEndian.Uint64(k))
		return nil
	})
	return ids, err
}

// ForgetDeadLogs removes LogIDs from the dead-log queue once their logs are
// deleted. Unknown ids are ignored.
func (tx *Tx) ForgetDeadLogs(ids ...uint64) error {
	b := tx.btx.Bucket(bktDeadLogs)
	for _, id := range ids {
		if err := b.Delete(shardKey(id)); err != nil {
			return fmt.Errorf("meta: forget dead log %d: %w", id, err)
		}
	}
	return nil
}

func (tx *Tx) buryLog(id uint64) error {
	if err := tx.btx.Bucket(bktDeadLogs).Put(shardKey(id), []byte{}); err != nil {
		return fmt.Errorf("meta: queue dead log %d: %w", id, err)
	}
	return nil
}

// nsBucket returns ns/<namespace>, creating it (and its sub-buckets) when
// create is set. Without create, a missing namespace is (nil, nil).
func (tx *Tx) nsBucket(ns string, create bool) (*bbolt.Bucket, error) {
	if ns == "" {
		return nil, errors.New("meta: empty namespace")
	}
	root := tx.btx.Bucket(bktNS)
	b := root.Bucket([]byte(ns))
	if b != nil {
		// Later code walks these without checking again.
		for _, name := range [][]byte{bktStreams, bktIncarnations} {
			if b.Bucket(name) == nil {
				return nil, &CorruptError{Bucket: "ns/" + ns, Key: name, Err: errors.New("missing bucket")}
			}
		}
		return b, nil
	}
	if !create {
		return nil, nil
	}
	b, err := root.CreateBucket([]byte(ns))
	if err != nil {
		return nil, fmt.Errorf("meta: create namespace %q: %w", ns, err)
	}
	for _, name := range [][]byte{bktStreams, bktIncarnations} {
		if _, err := b.CreateBucket(name); err != nil {
			return nil, fmt.Errorf("meta: create namespace %q: %w", ns, err)
		}
	}
	return b, nil
}

func errStreamNotFound(ns, name string) error {
	return fmt.Errorf("meta: stream %q in namespace %q: %w", name, ns, ErrNotFound)
}

// streamBucket returns ns/<namespace>/streams/<name>, or an error wrapping
// ErrNotFound.
func (tx *Tx) streamBucket(ns, name string) (*bbolt.Bucket, error) {
	if name == "" {
		return nil, errors.New("meta: empty stream name")
	}
	nb, err := tx.nsBucket(ns, false)
	if err != nil {
		return nil, err
	}
	if nb == nil {
		return nil, errStreamNotFound(ns, name)
	}
	b := nb.Bucket(bktStreams).Bucket([]byte(name))
	if b == nil {
		return nil, errStreamNotFound(ns, name)
	}
	return b, nil
}

func streamPath(ns, name string) string { return "ns/" + ns + "/streams/" + name }

func readStream(b *bbolt.Bucket, ns, name string) (*Stream, error) {
	v := b.Get(keyStream)
	if v == nil {
		return nil, &CorruptError{Bucket: streamPath(ns, name), Key: keyStream, Err: errors.New("stream bucket without a stream record")}
	}
	s, err := decodeStream(v)
	if err != nil {
		return nil, &CorruptError{Bucket: streamPath(ns, name), Key: keyStream, Err: err}
	}
	s.Namespace, s.Name = ns, name
	return s, nil
}

// lookupRef reads an index entry (ids or arns bucket).
func (tx *Tx) lookupRef(bucket []byte, key string) (Ref, error) {
	if key == "" {
		return Ref{}, fmt.Errorf("meta: empty %s key: %w", bucket, ErrNotFound)
	}
	v := tx.btx.Bucket(bucket).Get([]byte(key))
	if v == nil {
		return Ref{}, fmt.Errorf("meta: %s entry %q: %w", bucket, key, ErrNotFound)
	}
	r, err := decodeRef(v)
	if err != nil {
		return Ref{}, &CorruptError{Bucket: string(bucket), Key: []byte(key), Err: err}
	}
	return r, nil
}

func (tx *Tx) putRef(bucket []byte, key string, r Ref) error {
	if err := tx.btx.Bucket(bucket).Put([]byte(key), encodeRef(r)); err != nil {
		return fmt.Errorf("meta: index %s %q: %w", bucket, key, err)
	}
	return nil
}

func (tx *Tx) deleteKey(bucket []byte, key string) error {
	if key == "" {
		return nil
	}
	if err := tx.btx.Bucket(bucket).Delete([]byte(key)); err != nil {
		return fmt.Errorf("meta: delete %s %q: %w", bucket, key, err)
	}
	return nil
}

// Resolve looks up a stream or consumer ARN.
func (tx *Tx) Resolve(arn string) (Ref, error) { return tx.lookupRef(bktARNs, arn) }
