package streams

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/eddy-streams/eddy/internal/meta"
)

// Encryption at rest. While a stream's EncryptionType is KMS, each record's
// data is sealed with AES-256-GCM under the stream's newest data key before
// it reaches the log (journal and segments hold only ciphertext), and
// opened again on reads. Data keys are random, one per
// StartStreamEncryption, and stored in the catalog wrapped (AES-256-GCM)
// by the server's master key (keys/master.key in the data directory) — the
// role AWS KMS plays on AWS. Keys are kept after encryption stops so older
// records stay readable. The sealed record layout is in
// docs/format/encrypted-record.md.

const (
	flagEncrypted      = 1 << 0 // logstore.Entry.Flags: data is sealed
	sealedVersion      = 1
	sealedHeaderLen    = 1 + 4 + 12 // version, key id, nonce
	sealedOverhead     = sealedHeaderLen + 16
	dataKeyLen         = 32
	wrapAssociatedData = "eddy data key"
)

var errSealed = errors.New("encrypted record cannot be opened")

// keyring unwraps and caches data keys.
type keyring struct {
	master cipher.AEAD
	mu     sync.RWMutex
	keys   map[keyRef]cipher.AEAD
}

type keyRef struct {
	incarnation uint64
	id          uint32
}

func newKeyring(masterKey []byte) (*keyring, error) {
	aead, err := newGCM(masterKey)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	return &keyring{master: aead, keys: map[keyRef]cipher.AEAD{}}, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func wrapAD(incarnation uint64, id uint32) []byte {
	ad := append([]byte(wrapAssociatedData), make([]byte, 12)...)
	binary.BigEndian.PutUint64(ad[len(wrapAssociatedData):], incarnation)
	binary.BigEndian.PutUint32(ad[len(wrapAssociatedData)+8:], id)
	return ad
}

// newDataKey makes a data key for a stream, wrapped by the master key.
func (k *keyring) newDataKey(m *meta.Stream, kmsKeyID string) meta.DataKey {
	id := uint32(1)
	if n := len(m.DataKeys); n > 0 {
		id = m.DataKeys[n-1].ID + 1
	}
	key := make([]byte, dataKeyLen)
	rand.Read(key)
	nonce := make([]byte, k.master.NonceSize())
	rand.Read(nonce)
	wrapped := k.master.Seal(nonce, nonce, key, wrapAD(m.Incarnation, id))
	return meta.DataKey{ID: id, KMSKeyID: kmsKeyID, Wrapped: wrapped}
}

// aead returns the cipher of data key id of stream m.
func (k *keyring) aead(m *meta.Stream, id uint32) (cipher.AEAD, error) {
	ref := keyRef{m.Incarnation, id}
	k.mu.RLock()
	a := k.keys[ref]
	k.mu.RUnlock()
	if a != nil {
		return a, nil
	}
	for _, dk := range m.DataKeys {
		if dk.ID != id {
			continue
		}
		ns := k.master.NonceSize()
		if len(dk.Wrapped) < ns {
			return nil, fmt.Errorf("data key %d of stream %s: wrapped key too short", id, m.Name)
		}
		key, err := k.master.Open(nil, dk.Wrapped[:ns], dk.Wrapped[ns:], wrapAD(m.Incarnation, id))
		if err != nil {
			return nil, fmt.Errorf("data key %d of stream %s does not open with this server's master key: %w", id, m.Name, err)
		}
		if a, err = newGCM(key); err != nil {
			return nil, err
		}
		k.mu.Lock()
		k.keys[ref] = a
		k.mu.Unlock()
		return a, nil
	}
	return nil, fmt.Errorf("stream %s has no data key %d", m.Name, id)
}

// seal appends the sealed form of plain under the stream's newest key.
func (k *keyring) seal(dst []byte, m *meta.Stream, plain []byte) ([]byte, error) {
	if len(m.DataKeys) == 0 {
		return nil, fmt.Errorf("stream %s is encrypted but has no data key", m.Name)
	}
	id := m.DataKeys[len(m.DataKeys)-1].ID
	a, err := k.aead(m, id)
	if err != nil {
		return nil, err
	}
	h := len(dst)
	dst = append(dst, sealedVersion, 0, 0, 0, 0)
	binary.BigEndian.PutUint32(dst[h+1:], id)
	dst = append(dst, make([]byte, 12)...)
	rand.Read(dst[h+5 : h+sealedHeaderLen])
	var ad [8]byte
	binary.BigEndian.PutUint64(ad[:], m.Incarnation)
	return a.Seal(dst, dst[h+5:h+sealedHeaderLen], plain, ad[:]), nil
}

// open returns the plaintext of a sealed record.
func (k *keyring) open(m *meta.Stream, sealed []byte) ([]byte, error) {
	if len(sealed) < sealedOverhead || sealed[0] != sealedVersion {
		return nil, errSealed
	}
	a, err := k.aead(m, binary.BigEndian.Uint32(sealed[1:]))
	if err != nil {
		return nil, err
	}
	var ad [8]byte
	binary.BigEndian.PutUint64(ad[:], m.Incarnation)
	plain, err := a.Open(nil, sealed[5:sealedHeaderLen], sealed[sealedHeaderLen:], ad[:])
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}

// kmsKeyPattern accepts the KeyId forms AWS accepts: the AWS managed key
// alias, aliases, key ids (UUIDs), and key or alias ARNs.
var kmsKeyPattern = regexp.MustCompile(`^(alias/[a-zA-Z0-9/_-]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/([0-9a-fA-F-]{36}|mrk-[0-9a-fA-F]{32})|alias/[a-zA-Z0-9/_-]+))$`)
