package streams

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
)

// A shard iterator is a stateless token: the position to read from, the
// shard and stream incarnation it belongs to, and when it was issued, sealed
// with AES-256-GCM under a key kept in the data directory. Clients cannot
// forge or alter it (any change fails authentication), it survives server
// restarts, and it needs no server-side state or cleanup. The layout is in
// docs/format/shard-iterator.md.
type iteratorToken struct {
	Epoch    uint32 // stream incarnation: creation second ...
	Tag      uint64 // ... and random tag, as in sequence numbers
	Shard    uint64 // shard index
	Position uint64 // next record number to read
	IssuedMs int64  // when the iterator was issued (unix ms); it expires 5 minutes later
}

const (
	iteratorVersion  = 1
	iteratorPlainLen = 4 + 8 + 8 + 8 + 8
	iteratorNonceLen = 12
	iteratorRawLen   = 1 + iteratorNonceLen + iteratorPlainLen + 16
)

// IteratorTokenLen is the length of every iterator string eddy issues.
var IteratorTokenLen = base64.StdEncoding.EncodedLen(iteratorRawLen)

var errBadIterator = errors.New("shard iterator is not one this server issued")

// iteratorCodec seals and opens iterator tokens.
type iteratorCodec struct{ aead cipher.AEAD }

func newIteratorCodec(key []byte) (*iteratorCodec, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("iterator key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("iterator key: %w", err)
	}
	return &iteratorCodec{aead: aead}, nil
}

// Seal returns the iterator string for t.
func (c *iteratorCodec) Seal(t iteratorToken) string {
	var raw [iteratorRawLen]byte
	raw[0] = iteratorVersion
	nonce := raw[1 : 1+iteratorNonceLen]
	rand.Read(nonce) // never fails (crypto/rand panics instead of returning errors since Go 1.24)
	var plain [iteratorPlainLen]byte
	binary.BigEndian.PutUint32(plain[0:], t.Epoch)
	binary.BigEndian.PutUint64(plain[4:], t.Tag)
	binary.BigEndian.PutUint64(plain[12:], t.Shard)
	binary.BigEndian.PutUint64(plain[20:], t.Position)
	binary.BigEndian.PutUint64(plain[28:], uint64(t.IssuedMs))
	// The version byte is authenticated as associated data.
	c.aead.Seal(raw[1+iteratorNonceLen:1+iteratorNonceLen], nonce, plain[:], raw[:1])
	return base64.StdEncoding.EncodeToString(raw[:])
}

// Open authenticates and decodes an iterator string.
func (c *iteratorCodec) Open(s string) (iteratorToken, error) {
	if len(s) != IteratorTokenLen {
		return iteratorToken{}, errBadIterator
	}
	var raw [iteratorRawLen + 2]byte
	n, err := base64.StdEncoding.Decode(raw[:], []byte(s))
	if err != nil || n != iteratorRawLen || raw[0] != iteratorVersion {
		return iteratorToken{}, errBadIterator
	}
	var plain [iteratorPlainLen]byte
	out, err := c.aead.Open(plain[:0], raw[1:1+iteratorNonceLen], raw[1+iteratorNonceLen:n], raw[:1])
	if err != nil || len(out) != iteratorPlainLen {
		return iteratorToken{}, errBadIterator
	}
	return iteratorToken{
		Epoch:    binary.BigEndian.Uint32(plain[0:]),
		Tag:      binary.BigEndian.Uint64(plain[4:]),
		Shard:    binary.BigEndian.Uint64(plain[12:]),
		Position: binary.BigEndian.Uint64(plain[20:]),
		IssuedMs: int64(binary.BigEndian.Uint64(plain[28:])),
	}, nil
}
