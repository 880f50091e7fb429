package streams

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"math/bits"
	"strconv"
)

// HashKey is a point in Kinesis's 128-bit hash key space. A record's hash key
// is the MD5 of its partition key read as a big-endian integer, or its
// ExplicitHashKey. Each open shard owns a contiguous range of the space.
type HashKey struct{ Hi, Lo uint64 }

// MaxHashKey is 2^128-1, the end of the last shard's range.
var MaxHashKey = HashKey{^uint64(0), ^uint64(0)}

// HashPartitionKey returns the hash key of a partition key.
func HashPartitionKey(pk string) HashKey {
	sum := md5.Sum([]byte(pk))
	return HashKeyFromBytes(sum[:])
}

// HashKeyFromBytes reads 16 big-endian bytes.
func HashKeyFromBytes(b []byte) HashKey {
	return HashKey{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:16])}
}

// Bytes returns the key as 16 big-endian bytes.
func (h HashKey) Bytes() [16]byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], h.Hi)
	binary.BigEndian.PutUint64(b[8:], h.Lo)
	return b
}

// Cmp returns -1, 0 or 1 as h is less than, equal to or greater than o.
func (h HashKey) Cmp(o HashKey) int {
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
func (h HashKey) Add(o HashKey) (HashKey, bool) {
	lo, c := bits.Add64(h.Lo, o.Lo, 0)
	hi, c := bits.Add64(h.Hi, o.Hi, c)
	return HashKey{hi, lo}, c != 0
}

// Sub returns h-o (callers ensure h >= o).
func (h HashKey) Sub(o HashKey) HashKey {
	lo, b := bits.Sub64(h.Lo, o.Lo, 0)
	hi, _ := bits.Sub64(h.Hi, o.Hi, b)
	return HashKey{hi, lo}
}

// AddUint64 returns h+n (wrapping; callers stay within range).
func (h HashKey) AddUint64(n uint64) HashKey {
	r, _ := h.Add(HashKey{0, n})
	return r
}

// MulUint64 returns h*n, and whether it overflowed.
func (h HashKey) MulUint64(n uint64) (HashKey, bool) {
	hiLo, lo := bits.Mul64(h.Lo, n)
	hiHi, hiLo2 := bits.Mul64(h.Hi, n)
	hi, c := bits.Add64(hiLo, hiLo2, 0)
	return HashKey{hi, lo}, hiHi != 0 || c != 0
}

// DivUint64 returns h/n and h%n (n > 0).
func (h HashKey) DivUint64(n uint64) (HashKey, uint64) {
	qHi, r := bits.Div64(0, h.Hi, n)
	qLo, r := bits.Div64(r, h.Lo, n)
	return HashKey{qHi, qLo}, r
}

// Rsh1 returns h>>1.
func (h HashKey) Rsh1() HashKey {
	return HashKey{h.Hi >> 1, h.Lo>>1 | h.Hi<<63}
}

// String returns the key in decimal, the form the API uses.
func (h HashKey) String() string {
	var buf [40]byte
	return string(h.AppendDecimal(buf[:0]))
}

// AppendDecimal appends the decimal form of h to dst.
func (h HashKey) AppendDecimal(dst []byte) []byte {
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

const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// appendPadded appends v in decimal, zero-padded to width digits (width <= 20).
func appendPadded(dst []byte, v uint64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v >= 100 {
		q := v / 100
		j := (v - q*100) * 2
		i -= 2
		buf[i], buf[i+1] = digitPairs[j], digitPairs[j+1]
		v = q
	}
	if v >= 10 {
		i -= 2
		buf[i], buf[i+1] = digitPairs[v*2], digitPairs[v*2+1]
	} else if v > 0 {
		i--
		buf[i] = byte('0' + v)
	}
	for len(buf)-i < width {
		i--
		buf[i] = '0'
	}
	return append(dst, buf[i:]...)
}

var errHashKeyRange = errors.New("hash key out of range")

// ParseHashKey parses a decimal hash key in [0, 2^128-1]. The API model's
// pattern (0|([1-9]\d{0,38})) has been checked before this is called, but
// a 39-digit value can still exceed 2^128-1.
func ParseHashKey(s string) (HashKey, error) {
	if s == "" {
		return HashKey{}, strconv.ErrSyntax
	}
	var h HashKey
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return HashKey{}, strconv.ErrSyntax
		}
		var over bool
		h, over = h.MulUint64(10)
		if over {
			return HashKey{}, errHashKeyRange
		}
		h, over = h.Add(HashKey{0, uint64(c - '0')})
		if over {
			return HashKey{}, errHashKeyRange
		}
	}
	return h, nil
}

// HashRange is an inclusive range of hash keys.
type HashRange struct{ Start, End HashKey }

// Contains reports whether k is in r.
func (r HashRange) Contains(k HashKey) bool { return r.Start.Cmp(k) <= 0 && k.Cmp(r.End) <= 0 }

// SplitEvenly divides the whole hash key space into n contiguous ranges the
// way CreateStream does: each range is floor(2^128/n) keys wide and the last
// one runs to 2^128-1.
func SplitEvenly(n int) []HashRange {
	return SplitRangeEvenly(HashRange{Start: HashKey{}, End: MaxHashKey}, n)
}

// SplitRangeEvenly divides r into n contiguous ranges of floor(width/n)
// keys each, the last taking the remainder.
func SplitRangeEvenly(r HashRange, n int) []HashRange {
	// width = End - Start + 1, which is 2^128 for the full space: compute
	// width/n as ((End-Start)/n) adjusted, avoiding the 129-bit value.
	span := r.End.Sub(r.Start) // width - 1
	q, rem := span.DivUint64(uint64(n))
	// (span+1)/n == q + (rem+1)/n, where (rem+1)/n is 1 exactly when rem == n-1.
	step := q
	if rem == uint64(n)-1 {
		step = step.AddUint64(1)
	}
	out := make([]HashRange, n)
	start := r.Start
	for i := 0; i < n; i++ {
		out[i].Start = start
		if i == n-1 {
			out[i].End = r.End
			break
		}
		next, _ := start.Add(step)
		out[i].End = next.Sub(HashKey{0, 1})
		start = next
	}
	return out
}
