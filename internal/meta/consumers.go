package meta

import (
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
)

func (tx *Tx) consumersBucket(ns, stream string) (*bbolt.Bucket, error) {
	b, err := tx.streamBucket(ns, stream)
	if err != nil {
		return nil, err
	}
	cb := b.Bucket(bktConsumers)
	if cb == nil {
		return nil, &CorruptError{Bucket: streamPath(ns, stream), Key: bktConsumers, Err: errors.New("missing consumers bucket")}
	}
	return cb, nil
}

func consumerAt(ns, stream string, k, v []byte) (*Consumer, error) {
	c, err := decodeConsumer(v)
	if err != nil {
		return nil, &CorruptError{Bucket: streamPath(ns, stream) + "/consumers", Key: k, Err: err}
	}
	c.StreamName, c.Name = stream, string(k)
	return c, nil
}

// GetConsumer returns a consumer of a stream, or an error wrapping
// ErrNotFound.
func (tx *Tx) GetConsumer(ns, stream, name string) (*Consumer, error) {
	cb, err := tx.consumersBucket(ns, stream)
	if err != nil {
		return nil, err
	}
	v := cb.Get([]byte(name))
	if v == nil || name == "" {
		return nil, fmt.Errorf("meta: consumer %q of stream %q in namespace %q: %w", name, stream, ns, ErrNotFound)
	}
	return consumerAt(ns, stream, []byte(name), v)
}

// ConsumerByARN returns the consumer with the given ARN. A stream ARN gives
// an error wrapping ErrNotFound.
func (tx *Tx) ConsumerByARN(arn string) (*Consumer, error) {
	r, err := tx.Resolve(arn)
	if err != nil {
		return nil, err
	}
	if r.Consumer == "" {
		return nil, fmt.Errorf("meta: %q is a stream ARN, not a consumer ARN: %w", arn, ErrNotFound)
	}
	return tx.GetConsumer(r.Namespace, r.Stream, r.Consumer)
}

// Consumers returns a stream's consumers in byte order of their names.
func (tx *Tx) Consumers(ns, stream string) ([]*Consumer, error) {
	cb, err := tx.consumersBucket(ns, stream)
	if err != nil {
		return nil, err
	}
	var out []*Consumer
	err = cb.ForEach(func(k, v []byte) error {
		c, err := consumerAt(ns, stream, k, v)
		if err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PutConsumer adds or replaces a consumer of an existing stream (c.StreamName
// names the stream) and indexes its ARN. Replacing a consumer with one of a
// different ARN drops the old ARN's index entry and resource policy. The
// ARN must not belong to anything else.
func (tx *Tx) PutConsumer(ns string, c *Consumer) error {
	if c.Name == "" || c.ARN == "" {
		return fmt.Errorf("meta: put consumer %q of stream %q: empty name or ARN", c.Name, c.StreamName)
	}
	cb, err := tx.consumersBucket(ns, c.StreamName)
	if err != nil {
		return err
	}
	ref := Ref{Namespace: ns, Stream: c.StreamName, Consumer: c.Name}
	if r, err := tx.Resolve(c.ARN); err == nil && r != ref {
		return fmt.Errorf("meta: consumer ARN %q: %w", c.ARN, ErrExists)
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if v := cb.Get([]byte(c.Name)); v != nil {
		old, err := consumerAt(ns, c.StreamName, []byte(c.Name), v)
		if err != nil {
			return err
		}
		if old.ARN != c.ARN {
			if err := tx.deleteKey(bktARNs, old.ARN); err != nil {
				return err
			}
			if err := tx.deleteKey(bktPolicies, old.ARN); err != nil {
				return err
			}
		}
	}
	if err := cb.Put([]byte(c.Name), encodeConsumer(c)); err != nil {
		return fmt.Errorf("meta: put consumer %q of stream %q: %w", c.Name, c.StreamName, err)
	}
	return tx.putRef(bktARNs, c.ARN, ref)
}

// DeleteConsumer removes a consumer, its ARN index entry and its resource
// policy.
func (tx *Tx) DeleteConsumer(ns, stream, name string) error {
	c, err := tx.GetConsumer(ns, stream, name)
	if err != nil {
		return err
	}
	cb, err := tx.consumersBucket(ns, stream)
	if err != nil {
		return err
	}
	if err := cb.Delete([]byte(name)); err != nil {
		return fmt.Errorf("meta: delete consumer %q of stream %q: %w", name, stream, err)
	}
	if err := tx.deleteKey(bktARNs, c.ARN); err != nil {
		return err
	}
	return tx.deleteKey(bktPolicies, c.ARN)
}

// Policy returns the resource policy document stored for an ARN, or an
// error wrapping ErrNotFound.
func (tx *Tx) Policy(arn string) (string, error) {
	v := tx.btx.Bucket(bktPolicies).Get([]byte(arn))
	if v == nil || arn == "" {
		return "", fmt.Errorf("meta: resource policy for %q: %w", arn, ErrNotFound)
	}
	return string(v), nil
}

// PutPolicy stores a resource policy document for an ARN. The catalog does
// not check that the ARN exists or that the document is valid JSON; it
// drops the policy when the stream or consumer is deleted.
func (tx *Tx) PutPolicy(arn, policy string) error {
	if arn == "" {
		return errors.New("meta: put resource policy: empty ARN")
	}
	if err := tx.btx.Bucket(bktPolicies).Put([]byte(arn), []byte(policy)); err != nil {
		return fmt.Errorf("meta: put resource policy for %q: %w", arn, err)
	}
	return nil
}

// DeletePolicy removes the resource policy of an ARN, or returns an error
// wrapping ErrNotFound if it has none.
func (tx *Tx) DeletePolicy(arn string) error {
	if _, err := tx.Policy(arn); err != nil {
		return err
	}
	return tx.deleteKey(bktPolicies, arn)
}

// AccountSettings returns a namespace's settings, or an error wrapping
// ErrNotFound if none were ever stored.
func (tx *Tx) AccountSettings(ns string) (*AccountSettings, error) {
	nb, err := tx.nsBucket(ns, false)
	if err != nil {
		return nil, err
	}
	var v []byte
	if nb != nil {
		v = nb.Get(keySettings)
	}
	if v == nil {
		return nil, fmt.Errorf("meta: account settings of namespace %q: %w", ns, ErrNotFound)
	}
	a, err := decodeSettings(v)
	if err != nil {
		return nil, &CorruptError{Bucket: "ns/" + ns, Key: keySettings, Err: err}
	}
	return a, nil
}

// PutAccountSettings stores a namespace's settings.
func (tx *Tx) PutAccountSettings(ns string, a *AccountSettings) error {
	nb, err := tx.nsBucket(ns, true)
	if err != nil {
		return err
	}
	if err := nb.Put(keySettings, encodeSettings(a)); err != nil {
		return fmt.Errorf("meta: put account settings of namespace %q: %w", ns, err)
	}
	return nil
}
