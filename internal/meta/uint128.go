package meta

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"strconv"
)

// Uint128 is an unsigned 128-bit integer: a Kinesis hash key. Hash keys are
// MD5 digests read as big-endian numbers, so Hi holds the first 8 digest
// bytes. The zero value is 0.
type Uint128 struct {
	Hi, Lo uint64
}

// MaxUint128 is 2^128 - 1, the ending hash key of a stream's key space.
var MaxUint128 = Uint128{Hi: ^uint64(0), Lo: ^uint64(0)}

// Uint128FromBytes reads 16 big-endian bytes (an MD5 digest, or a stored key).
func Uint128FromBytes(b [16]byte) Uint128 {
	return Uint128{Hi: binary.BigEndian.Uint64(b[:8]), Lo: binary.BigEndian.Uint64(b[8:])}
}

// Bytes returns the 16 big-endian bytes of u; byte order equals numeric order.
func (u Uint128) Bytes() [16]byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], u.Hi)
	binary.BigEndian.PutUint64(b[8:], u.Lo)
	return b
}

// Cmp returns -1, 0 or +1 as u is less than, equal to or greater than v.
func (u Uint128) Cmp(v Uint128) int {
	switch {
	case u.Hi < v.Hi:
		return -1
	case u.Hi > v.Hi:
		return 1
	case u.Lo < v.Lo:
		return -1
	case u.Lo > v.Lo:
		return 1
	}
	return 0
}

// Add returns u + v and whether it overflowed 128 bits.
func (u Uint128) Add(v Uint128) (Uint128, bool) {
	lo, c := bits.Add64(u.Lo, v.Lo, 0)
	hi, c := bits.Add64(u.Hi, v.Hi, c)
	return Uint128{Hi: hi, Lo: lo}, c != 0
}

// Sub returns u - v and whether it underflowed (v > u).
func (u Uint128) Sub(v Uint128) (Uint128, bool) {
	lo, b := bits.Sub64(u.Lo, v.Lo, 0)
	hi, b := bits.Sub64(u.Hi, v.Hi, b)
	return Uint128{Hi: hi, Lo: lo}, b != 0
}

// Big returns u as a big.Int, for arithmetic beyond Add and Sub.
func (u Uint128) Big() *big.Int {
	b := u.Bytes()
	return new(big.Int).SetBytes(b[:])
}

// Uint128FromBig converts a big.Int in [0, 2^128).
func Uint128FromBig(x *big.Int) (Uint128, error) {
	if x.Sign() < 0 || x.BitLen() > 128 {
		return Uint128{}, fmt.Errorf("meta: %s is outside the 128-bit unsigned range", x)
	}
	var b [16]byte
	x.FillBytes(b[:])
	return Uint128FromBytes(b), nil
}

const pow10_19 = 10_000_000_000_000_000_000

// String returns u in decimal, as Kinesis writes hash keys.
func (u Uint128) String() string {
	if u.Hi == 0 {
		return strconv.FormatUint(u.Lo, 10)
	}
	// Peel off 19-digit chunks: each step divides the 128-bit value by 10^19
	// with two 64-bit divisions, which keeps formatting allocation-light.
	var buf [39]byte
	i := len(buf)
	for u.Hi != 0 || u.Lo != 0 {
		qHi, r := bits.Div64(0, u.Hi, pow10_19)
		qLo, r := bits.Div64(r, u.Lo, pow10_19)
		u = Uint128{Hi: qHi, Lo: qLo}
		for range 19 {
			if u.Hi == 0 && u.Lo == 0 && r == 0 {
				break
			}
			i--
			buf[i] = byte('0' + r%10)
			r /= 10
		}
	}
	return string(buf[i:])
}

var errUint128Syntax = errors.New("not a decimal number")

// ParseUint128 parses a decimal string of 1 to 39 digits in [0, 2^128).
// It does not apply Kinesis' stricter pattern (no leading zeros); the API
// layer validates input before it gets here.
func ParseUint128(s string) (Uint128, error) {
	if len(s) == 0 || len(s) > 39 {
		return Uint128{}, fmt.Errorf("meta: parse hash key %q: %w", s, errUint128Syntax)
	}
	var u Uint128
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return Uint128{}, fmt.Errorf("meta: parse hash key %q: %w", s, errUint128Syntax)
		}
		// u = u*10 + digit, checking for overflow at each step.
		hiHi, hiLo := bits.Mul64(u.Hi, 10)
		loHi, loLo := bits.Mul64(u.Lo, 10)
		hi, carry := bits.Add64(hiLo, loHi, 0)
		if hiHi != 0 || carry != 0 {
			return Uint128{}, fmt.Errorf("meta: parse hash key %q: exceeds 2^128-1", s)
		}
		lo, carry := bits.Add64(loLo, uint64(c-'0'), 0)
		hi, carry = bits.Add64(hi, 0, carry)
		if carry != 0 {
			return Uint128{}, fmt.Errorf("meta: parse hash key %q: exceeds 2^128-1", s)
		}
		u = Uint128{Hi: hi, Lo: lo}
	}
	return u, nil
}
