package meta

import (
	"encoding/binary"
	"fmt"
	"io"
)

// idAlphabet is the StreamId alphabet, [a-z0-9].
const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newStreamID returns a random StreamId of the form [a-z0-9]{20}-[a-z0-9]{3}.
// Each character is uniform over the 36 symbols: bytes at or above 252
// (7*36) are rejected so that the modulo does not favour the first symbols.
func newStreamID(r io.Reader) (string, error) {
	out := make([]byte, 0, 24)
	var buf [32]byte
	for len(out) < 24 {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", fmt.Errorf("generate StreamId: %w", err)
		}
		for _, c := range buf {
			if len(out) == 20 {
				out = append(out, '-')
			}
			if len(out) == 24 {
				break
			}
			if c >= 252 {
				continue
			}
			out = append(out, idAlphabet[c%36])
		}
	}
	return string(out), nil
}

// incarnationBits is the width of an incarnation tag: the sequence number
// format has room for 40 bits of it.
const incarnationBits = 40

// newIncarnation returns a random non-zero 40-bit incarnation tag.
func newIncarnation(r io.Reader) (uint64, error) {
	var buf [8]byte
	for {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return 0, fmt.Errorf("generate incarnation tag: %w", err)
		}
		if v := binary.BigEndian.Uint64(buf[:]) & (1<<incarnationBits - 1); v != 0 {
			return v, nil
		}
	}
}
