package streams

import (
	"errors"
	"math/bits"
)

// SeqNum is the decoded form of a Kinesis sequence number.
//
// On the wire a sequence number is a 56-digit decimal string: "49" followed
// by the 54-digit zero-padded decimal form of the 176-bit integer
//
//	Epoch<<144 | Tag<<104 | Shard<<64 | Record
//
// Epoch (32 bits, stream creation in unix seconds) and Tag (40 random bits)
// identify one incarnation of a stream, so a number from a deleted and
// recreated stream of the same name is recognised as foreign. Shard is the
// shard index (the number in shardId-000000000042) and Record the shard log's
// record number. Within a shard numbers grow with Record; children get
// higher shard indexes than their parents, so a child's numbers are greater
// than its parents'. The layout is specified in
// docs/format/sequence-numbers.md.
type SeqNum struct {
	Epoch  uint32
	Tag    uint64 // 40 bits
	Shard  uint64 // 40 bits
	Record uint64
}

// SeqNumLen is the length of every sequence number eddy issues.
const SeqNumLen = 56

const (
	tagMask   = 1<<40 - 1
	shardMask = 1<<40 - 1
	// seqPrefix makes every number 56 digits long and look like AWS's.
	seqPrefix = "49"
	seqDigits = SeqNumLen - len(seqPrefix) // 54
)

// ErrBadSeqNum reports a string that is not a sequence number eddy issued.
var ErrBadSeqNum = errors.New("not a sequence number issued by eddy")

// words returns the 192-bit integer as three words, most significant first.
func (s SeqNum) words() [3]uint64 {
	tag, shard := s.Tag&tagMask, s.Shard&shardMask
	return [3]uint64{
		uint64(s.Epoch)<<16 | tag>>24,
		(tag&(1<<24-1))<<40 | shard,
		s.Record,
	}
}

// String returns the 56-digit decimal form.
func (s SeqNum) String() string {
	var buf [SeqNumLen]byte
	return string(s.AppendTo(buf[:0]))
}

// AppendTo appends the 56-digit decimal form to dst.
func (s SeqNum) AppendTo(dst []byte) []byte {
	b := s.Base()
	return b.Append(dst, s.Record)
}

// SeqBase formats the sequence numbers of one shard quickly. The number is
// H*2^64 + Record where H (epoch, tag, shard) is fixed for the shard, so the
// decimal digits of H*2^64 are computed once and Append only adds Record in
// base 10^19 — no 192-bit division per record.
type SeqBase struct {
	chunks [3]uint64 // H*2^64 in base 10^19, most significant first
}

// Base returns the SeqBase of s's shard.
func (s SeqNum) Base() SeqBase {
	w := s.words()
	w[2] = 0
	var b SeqBase
	for i := 2; i >= 0; i-- {
		var r uint64
		w, r = div192(w, 1e19)
		b.chunks[i] = r
	}
	return b
}

// Append appends the 56-digit form of the shard's sequence number for record.
func (b *SeqBase) Append(dst []byte, record uint64) []byte {
	const base = 1e19
	c := b.chunks
	r, carry := record%base, record/base
	if c[2] >= base-r { // c[2]+r >= base, without overflowing uint64
		c[2] -= base - r
		carry++
	} else {
		c[2] += r
	}
	c[1] += carry
	if c[1] >= base {
		c[1] -= base
		c[0]++
	}
	// The top chunk holds at most 16 significant digits because the value is
	// below 10^54.
	dst = append(dst, seqPrefix...)
	dst = appendPadded(dst, c[0], seqDigits-38)
	dst = appendPadded(dst, c[1], 19)
	return appendPadded(dst, c[2], 19)
}

// mulAdd192 returns w*m+a; callers keep the result below 2^192.
func mulAdd192(w [3]uint64, m, a uint64) [3]uint64 {
	carry := a
	for j := 2; j >= 0; j-- {
		hi, lo := bits.Mul64(w[j], m)
		var c uint64
		w[j], c = bits.Add64(lo, carry, 0)
		carry = hi + c
	}
	return w
}

func div192(w [3]uint64, d uint64) ([3]uint64, uint64) {
	var q [3]uint64
	var r uint64
	for i := 0; i < 3; i++ {
		q[i], r = bits.Div64(r, w[i], d)
	}
	return q, r
}

// ParseSeqNum decodes a sequence number eddy issued. Anything else (another
// length, another prefix, bits outside the layout) is ErrBadSeqNum.
func ParseSeqNum(str string) (SeqNum, error) {
	if len(str) != SeqNumLen || str[:len(seqPrefix)] != seqPrefix {
		return SeqNum{}, ErrBadSeqNum
	}
	// Parse three chunks of 16, 19 and 19 digits, each into a uint64, and
	// combine them as w = (c0*10^19 + c1)*10^19 + c2 in 192 bits.
	var w [3]uint64
	digits := str[len(seqPrefix):]
	for _, width := range [...]int{seqDigits - 38, 19, 19} {
		var c uint64
		for i := 0; i < width; i++ {
			d := digits[i] - '0'
			if d > 9 {
				return SeqNum{}, ErrBadSeqNum
			}
			c = c*10 + uint64(d)
		}
		digits = digits[width:]
		w = mulAdd192(w, 1e19, c)
	}
	if w[0]>>48 != 0 {
		return SeqNum{}, ErrBadSeqNum
	}
	return SeqNum{
		Epoch:  uint32(w[0] >> 16),
		Tag:    (w[0]&0xffff)<<24 | w[1]>>40,
		Shard:  w[1] & shardMask,
		Record: w[2],
	}, nil
}

// Less reports whether s sorts before o as the decimal numbers compare.
func (s SeqNum) Less(o SeqNum) bool {
	a, b := s.words(), o.words()
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
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
