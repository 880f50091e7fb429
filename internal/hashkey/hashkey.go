// Package hashkey is arithmetic on Kinesis's 128-bit hash key space: the MD5
// of a partition key, decimal parsing and formatting, and dividing the space
// into shard ranges the way CreateStream, SplitShard and UpdateShardCount do.
// It is a leaf package shared by the catalog (which stores ranges) and the
// streams service (which routes records).
package hashkey

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"math/bits"
	"strconv"
)

// Key is a point in Kinesis's 128-bit hash key space. A record's hash key
// is the MD5 of its partition key read as a big-endian integer, or its
// ExplicitKey. Each open shard owns a contiguous range of the space.
type Key struct{ Hi, Lo uint64 }

// Max is 2^128-1, the end of the last shard's range.
var Max = Key{^uint64(0), ^uint64(0)}

// FromPartitionKey returns the hash key of a partition key.
func FromPartitionKey(pk string) Key {
	sum := md5.Sum([]byte(pk))
	return FromBytes(sum[:])
}

// FromBytes reads 16 big-endian bytes.
func FromBytes(b []byte) Key {
	return Key{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:16])}
}

// Bytes returns the key as 16 big-endian bytes.
func (h Key) Bytes() [16]byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], h.Hi)
	binary.BigEndian.PutUint64(b[8:], h.Lo)
	return b
}

// Cmp returns -1, 0 or 1 as h is less than, equal to or greater than o.
func (h Key) Cmp(o Key) int {
	switch {
	case h.Hi < o.Hi:
		return -1
	case h.Hi > o.Hi:
		return 1
	case h.Lo < o.Lo:
		return -1
	case h.Lo > o.Lo:
		return 1
	}
	return 0
}

// Add returns h+o, and whether it overflowed 128 bits.
func (h Key) Add(o Key) (Key, bool) {
	lo, c := bits.Add64(h.Lo, o.Lo, 0)
	hi, c := bits.Add64(h.Hi, o.Hi, c)
	return Key{hi, lo}, c != 0
}

// Sub returns h-o (callers ensure h >= o).
func (h Key) Sub(o Key) Key {
	lo, b := bits.Sub64(h.Lo, o.Lo, 0)
	hi, _ := bits.Sub64(h.Hi, o.Hi, b)
	return Key{hi, lo}
}

// AddUint64 returns h+n (wrapping; callers stay within range).
func (h Key) AddUint64(n uint64) Key {
	r, _ := h.Add(Key{0, n})
	return r
}

// MulUint64 returns h*n, and whether it overflowed.
func (h Key) MulUint64(n uint64) (Key, bool) {
	hiLo, lo := bits.Mul64(h.Lo, n)
	hiHi, hiLo2 := bits.Mul64(h.Hi, n)
	hi, c := bits.Add64(hiLo, hiLo2, 0)
	return Key{hi, lo}, hiHi != 0 || c != 0
}

// DivUint64 returns h/n and h%n (n > 0).
func (h Key) DivUint64(n uint64) (Key, uint64) {
	qHi, r := bits.Div64(0, h.Hi, n)
	qLo, r := bits.Div64(r, h.Lo, n)
	return Key{qHi, qLo}, r
}

// Rsh1 returns h>>1.
func (h Key) Rsh1() Key {
	return Key{h.Hi >> 1, h.Lo>>1 | h.Hi<<63}
}

// String returns the key in decimal, the form the API uses.
func (h Key) String() string {
	var buf [40]byte
	return string(h.AppendDecimal(buf[:0]))
}

// AppendDecimal appends the decimal form of h to dst.
func (h Key) AppendDecimal(dst []byte) []byte {
	if h.Hi == 0 {
		return strconv.AppendUint(dst, h.Lo, 10)
	}
	// Split into base-10^19 chunks: at most three for 128 bits.
	const chunk = 1e19
	var parts [3]uint64
	n := 0
	for h.Hi != 0 || h.Lo != 0 {
		var r uint64
		h, r = h.DivUint64(chunk)
		parts[n] = r
		n++
	}
	dst = strconv.AppendUint(dst, parts[n-1], 10)
	for i := n - 2; i >= 0; i-- {
		dst = appendPadded(dst, parts[i], 19)
	}
	return dst
}

// appendPadded appends v in decimal, zero-padded to width digits.
func appendPadded(dst []byte, v uint64, width int) []byte {
	var buf [20]byte
	digits := strconv.AppendUint(buf[:0], v, 10)
	for i := len(digits); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, digits...)
}

var errRange = errors.New("hash key out of range")

// Parse parses a decimal hash key in [0, 2^128-1]. The API model's
// pattern (0|([1-9]\d{0,38})) has been checked before this is called, but
// a 39-digit value can still exceed 2^128-1.
func Parse(s string) (Key, error) {
	if s == "" {
		return Key{}, strconv.ErrSyntax
	}
	var h Key
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return Key{}, strconv.ErrSyntax
		}
		var over bool
		h, over = h.MulUint64(10)
		if over {
			return Key{}, errRange
		}
		h, over = h.Add(Key{0, uint64(c - '0')})
		if over {
			return Key{}, errRange
		}
	}
	return h, nil
}

// Range is an inclusive range of hash keys.
type Range struct{ Start, End Key }

// Contains reports whether k is in r.
func (r Range) Contains(k Key) bool { return r.Start.Cmp(k) <= 0 && k.Cmp(r.End) <= 0 }

// SplitEvenly divides the whole hash key space into n contiguous ranges the
// way CreateStream does: each range is floor(2^128/n) keys wide and the last
// one runs to 2^128-1.
func SplitEvenly(n int) []Range {
	return SplitRangeEvenly(Range{Start: Key{}, End: Max}, n)
}

// SplitRangeEvenly divides r into n contiguous ranges of floor(width/n)
// keys each, the last taking the remainder.
func SplitRangeEvenly(r Range, n int) []Range {
	// width = End - Start + 1, which is 2^128 for the full space: compute
	// width/n as ((End-Start)/n) adjusted, avoiding the 129-bit value.
	span := r.End.Sub(r.Start) // width - 1
	q, rem := span.DivUint64(uint64(n))
	// (span+1)/n == q + (rem+1)/n, where (rem+1)/n is 1 exactly when rem == n-1.
	step := q
	if rem == uint64(n)-1 {
		step = step.AddUint64(1)
	}
	out := make([]Range, n)
	start := r.Start
	for i := 0; i < n; i++ {
		out[i].Start = start
		if i == n-1 {
			out[i].End = r.End
			break
		}
		next, _ := start.Add(step)
		out[i].End = next.Sub(Key{0, 1})
		start = next
	}
	return out
}
