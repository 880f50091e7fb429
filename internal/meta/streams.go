package meta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
)

// GetStream returns the stream, or an error wrapping ErrNotFound.
func (tx *Tx) GetStream(ns, name string) (*Stream, error) {
	b, err := tx.streamBucket(ns, name)
	if err != nil {
		return nil, err
	}
	return readStream(b, ns, name)
}

// StreamByID returns the stream with the given StreamId.
func (tx *Tx) StreamByID(id string) (*Stream, error) {
	r, err := tx.lookupRef(bktIDs, id)
	if err != nil {
		return nil, err
	}
	return tx.GetStream(r.Namespace, r.Stream)
}

// StreamByARN returns the stream with the given ARN. A consumer ARN is not
// a stream ARN: it gives an error wrapping ErrNotFound.
func (tx *Tx) StreamByARN(arn string) (*Stream, error) {
	r, err := tx.Resolve(arn)
	if err != nil {
		return nil, err
	}
	if r.Consumer != "" {
		return nil, fmt.Errorf("meta: %q is a consumer ARN, not a stream ARN: %w", arn, ErrNotFound)
	}
	return tx.GetStream(r.Namespace, r.Stream)
}

// CreateStream adds a new stream. s.Namespace, s.Name and s.ARN must be set.
// It fails with an error wrapping ErrExists if the name, the ARN or a given
// ID is taken. When s.ID is empty it generates a unique StreamId, and when
// s.Incarnation is 0 it draws a random 40-bit tag that differs from the tag
// of the previous stream of the same name; both are written back into s.
// Add the stream's shards with PutShard in the same Update.
func (tx *Tx) CreateStream(s *Stream) error {
	if s.ARN == "" {
		return fmt.Errorf("meta: create stream %q: empty ARN", s.Name)
	}
	if s.Name == "" {
		return errors.New("meta: create stream: empty stream name")
	}
	nb, err := tx.nsBucket(s.Namespace, true)
	if err != nil {
		return err
	}
	streams := nb.Bucket(bktStreams)
	if streams.Bucket([]byte(s.Name)) != nil {
		return fmt.Errorf("meta: stream %q in namespace %q: %w", s.Name, s.Namespace, ErrExists)
	}
	if tx.btx.Bucket(bktARNs).Get([]byte(s.ARN)) != nil {
		return fmt.Errorf("meta: ARN %q: %w", s.ARN, ErrExists)
	}
	ids := tx.btx.Bucket(bktIDs)
	if s.ID == "" {
		for {
			id, err := newStreamID(tx.c.rand)
			if err != nil {
				return fmt.Errorf("meta: create stream %q: %w", s.Name, err)
			}
			if ids.Get([]byte(id)) == nil {
				s.ID = id
				break
			}
		}
	} else if ids.Get([]byte(s.ID)) != nil {
		return fmt.Errorf("meta: StreamId %q: %w", s.ID, ErrExists)
	}
	incs := nb.Bucket(bktIncarnations)
	if s.Incarnation == 0 {
		var prev uint64
		if v := incs.Get([]byte(s.Name)); len(v) == 8 {
			prev = binary.BigEndian.Uint64(v)
		}
		for s.Incarnation == 0 || s.Incarnation == prev {
			if s.Incarnation, err = newIncarnation(tx.c.rand); err != nil {
				return fmt.Errorf("meta: create stream %q: %w", s.Name, err)
			}
		}
	}
	if err := incs.Put([]byte(s.Name), binary.BigEndian.AppendUint64(nil, s.Incarnation)); err != nil {
		return fmt.Errorf("meta: create stream %q: %w", s.Name, err)
	}
	b, err := streams.CreateBucket([]byte(s.Name))
	if err != nil {
		return fmt.Errorf("meta: create stream %q: %w", s.Name, err)
	}
	for _, name := range [][]byte{bktShards, bktConsumers} {
		if _, err := b.CreateBucket(name); err != nil {
			return fmt.Errorf("meta: create stream %q: %w", s.Name, err)
		}
	}
	if err := b.Put(keyStream, encodeStream(s)); err != nil {
		return fmt.Errorf("meta: create stream %q: %w", s.Name, err)
	}
	ref := Ref{Namespace: s.Namespace, Stream: s.Name}
	if err := tx.putRef(bktIDs, s.ID, ref); err != nil {
		return err
	}
	return tx.putRef(bktARNs, s.ARN, ref)
}

// PutStream replaces an existing stream's record. The ID, ARN and
// incarnation are fixed at creation: changing them is an error.
func (tx *Tx) PutStream(s *Stream) error {
	b, err := tx.streamBucket(s.Namespace, s.Name)
	if err != nil {
		return err
	}
	old, err := readStream(b, s.Namespace, s.Name)
	if err != nil {
		return err
	}
	if old.ID != s.ID || old.ARN != s.ARN || old.Incarnation != s.Incarnation {
		return fmt.Errorf("meta: put stream %q: ID, ARN and incarnation are immutable (have %q %q %d, got %q %q %d)",
			s.Name, old.ID, old.ARN, old.Incarnation, s.ID, s.ARN, s.Incarnation)
	}
	if err := b.Put(keyStream, encodeStream(s)); err != nil {
		return fmt.Errorf("meta: put stream %q: %w", s.Name, err)
	}
	return nil
}

// DeleteStream removes a stream with its shards, consumers, index entries
// and the resource policies of the stream and its consumers. The LogIDs of
// its shards go to the dead-log queue (DeadLogs).
func (tx *Tx) DeleteStream(ns, name string) error {
	b, err := tx.streamBucket(ns, name)
	if err != nil {
		return err
	}
	s, err := readStream(b, ns, name)
	if err != nil {
		return err
	}
	sb, err := tx.shardsBucket(ns, name)
	if err != nil {
		return err
	}
	err = sb.ForEach(func(k, v []byte) error {
		var sh Shard
		if err := shardAt(ns, name, k, v, &sh); err != nil {
			return err
		}
		return tx.buryLog(sh.LogID)
	})
	if err != nil {
		return err
	}
	cb, err := tx.consumersBucket(ns, name)
	if err != nil {
		return err
	}
	err = cb.ForEach(func(k, v []byte) error {
		c, err := consumerAt(ns, name, k, v)
		if err != nil {
			return err
		}
		if err := tx.deleteKey(bktARNs, c.ARN); err != nil {
			return err
		}
		return tx.deleteKey(bktPolicies, c.ARN)
	})
	if err != nil {
		return err
	}
	for _, del := range []struct {
		bucket []byte
		key    string
	}{{bktIDs, s.ID}, {bktARNs, s.ARN}, {bktPolicies, s.ARN}} {
		if err := tx.deleteKey(del.bucket, del.key); err != nil {
			return err
		}
	}
	nb, _ := tx.nsBucket(ns, false)
	if err := nb.Bucket(bktStreams).DeleteBucket([]byte(name)); err != nil {
		return fmt.Errorf("meta: delete stream %q: %w", name, err)
	}
	return nil
}

// ListStreams returns up to limit streams of a namespace in byte order of
// their names, starting after the name after ("" starts at the beginning).
// limit <= 0 means no limit. more reports whether streams remain.
func (tx *Tx) ListStreams(ns, after string, limit int) (streams []*Stream, more bool, err error) {
	nb, err := tx.nsBucket(ns, false)
	if err != nil || nb == nil {
		return nil, false, err
	}
	c := nb.Bucket(bktStreams).Cursor()
	var k []byte
	if after == "" {
		k, _ = c.First()
	} else {
		k, _ = c.Seek([]byte(after))
		if k != nil && bytes.Equal(k, []byte(after)) {
			k, _ = c.Next()
		}
	}
	for ; k != nil; k, _ = c.Next() {
		if limit > 0 && len(streams) == limit {
			return streams, true, nil
		}
		s, err := tx.streamAt(nb, ns, k)
		if err != nil {
			return nil, false, err
		}
		streams = append(streams, s)
	}
	return streams, false, nil
}

func (tx *Tx) streamAt(nb *bbolt.Bucket, ns string, name []byte) (*Stream, error) {
	b := nb.Bucket(bktStreams).Bucket(name)
	if b == nil {
		return nil, &CorruptError{Bucket: "ns/" + ns + "/streams", Key: name, Err: errors.New("value where a stream bucket belongs")}
	}
	return readStream(b, ns, string(name))
}

// ForEachStream calls fn for every stream of every namespace, in namespace
// then name order; it is how the server loads the catalog at start. An
// error from fn stops the walk and is returned unchanged.
func (tx *Tx) ForEachStream(fn func(*Stream) error) error {
	return tx.btx.Bucket(bktNS).ForEachBucket(func(nsKey []byte) error {
		ns := string(nsKey)
		nb := tx.btx.Bucket(bktNS).Bucket(nsKey)
		return nb.Bucket(bktStreams).ForEachBucket(func(name []byte) error {
			s, err := tx.streamAt(nb, ns, name)
			if err != nil {
				return err
			}
			return fn(s)
		})
	})
}

// Namespaces lists the namespaces that have ever held a stream or settings.
func (tx *Tx) Namespaces() ([]string, error) {
	var out []string
	err := tx.btx.Bucket(bktNS).ForEachBucket(func(k []byte) error {
		out = append(out, string(k))
		return nil
	})
	return out, err
}
