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

// Tokens handed to clients (shard iterators, pagination NextTokens) are
// stateless: everything the server needs is inside, sealed with AES-256-GCM
// under a key kept in the data directory. Clients cannot forge or alter them
// (any change fails authentication), they survive restarts, and they need no
// server-side state or cleanup. Layouts are in docs/format/shard-iterator.md.

// sealer seals and opens tokens: version byte (also authenticated), random
// nonce, ciphertext and tag, in standard base64.
type sealer struct{ aead cipher.AEAD }

const sealNonceLen = 12

var errBadToken = errors.New("token is not one this server issued")

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) sealedLen(plain int) int {
	return base64.StdEncoding.EncodedLen(1 + sealNonceLen + plain + s.aead.Overhead())
}

func (s *sealer) seal(version byte, plain []byte) string {
	raw := make([]byte, 1+sealNonceLen, 1+sealNonceLen+len(plain)+s.aead.Overhead())
	raw[0] = version
	rand.Read(raw[1 : 1+sealNonceLen]) // never fails (crypto/rand panics instead since Go 1.24)
	raw = s.aead.Seal(raw, raw[1:1+sealNonceLen], plain, raw[:1])
	return base64.StdEncoding.EncodeToString(raw)
}

// open authenticates tok and returns its version and body.
func (s *sealer) open(tok string) (byte, []byte, error) {
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(raw) < 1+sealNonceLen+s.aead.Overhead() {
		return 0, nil, errBadToken
	}
	plain, err := s.aead.Open(nil, raw[1:1+sealNonceLen], raw[1+sealNonceLen:], raw[:1])
	if err != nil {
		return 0, nil, errBadToken
	}
	return raw[0], plain, nil
}

// iteratorToken is the content of a shard iterator.
type iteratorToken struct {
	Epoch    uint32 // stream incarnation: creation second ...
	Tag      uint64 // ... and random tag, as in sequence numbers
	Shard    uint64 // shard index
	Position uint64 // next record number to read
	IssuedMs int64  // when the iterator was issued (unix ms); it expires 5 minutes later
	// Stream is the stream's name, for messages about a stream that no
	// longer exists.
	Stream string
}

const (
	maxStreamNameLen = 128
	iteratorVersion  = 1
	iteratorPlainLen = 4 + 8 + 8 + 8 + 8
)

// iteratorCodec seals and opens shard iterators.
type iteratorCodec struct{ sealer }

func newIteratorCodec(key []byte) (*iteratorCodec, error) {
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	return &iteratorCodec{*s}, nil
}

// Seal returns the iterator string for t.
func (c *iteratorCodec) Seal(t iteratorToken) string {
	plain := make([]byte, iteratorPlainLen, iteratorPlainLen+len(t.Stream))
	binary.BigEndian.PutUint32(plain[0:], t.Epoch)
	binary.BigEndian.PutUint64(plain[4:], t.Tag)
	binary.BigEndian.PutUint64(plain[12:], t.Shard)
	binary.BigEndian.PutUint64(plain[20:], t.Position)
	binary.BigEndian.PutUint64(plain[28:], uint64(t.IssuedMs))
	return c.seal(iteratorVersion, append(plain, t.Stream...))
}

// Open authenticates and decodes an iterator string.
func (c *iteratorCodec) Open(s string) (iteratorToken, error) {
	if len(s) < c.sealedLen(iteratorPlainLen) || len(s) > c.sealedLen(iteratorPlainLen+maxStreamNameLen) {
		return iteratorToken{}, errBadToken
	}
	v, plain, err := c.open(s)
	if err != nil || v != iteratorVersion || len(plain) < iteratorPlainLen {
		return iteratorToken{}, errBadToken
	}
	return iteratorToken{
		Epoch:    binary.BigEndian.Uint32(plain[0:]),
		Tag:      binary.BigEndian.Uint64(plain[4:]),
		Shard:    binary.BigEndian.Uint64(plain[12:]),
		Position: binary.BigEndian.Uint64(plain[20:]),
		IssuedMs: int64(binary.BigEndian.Uint64(plain[28:])),
		Stream:   string(plain[iteratorPlainLen:]),
	}, nil
}
