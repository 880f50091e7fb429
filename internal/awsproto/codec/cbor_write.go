package codec

import (
	"encoding/binary"
	"math"
	"time"
)

// The CBOR writers use definite lengths and the shortest heads, which every
// CBOR reader accepts (Jackson, used by the AWS SDK for Java, included).

// AppendCBORHead appends the head of an item of the given major type with
// argument n (a length, count or unsigned value).
func AppendCBORHead(dst []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(dst, m|byte(n))
	case n <= math.MaxUint8:
		return append(dst, m|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, m|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, m|27), n)
}

// AppendCBORMap appends the head of a map of n entries.
func AppendCBORMap(dst []byte, n int) []byte { return AppendCBORHead(dst, majMap, uint64(n)) }

// AppendCBORArray appends the head of an array of n elements.
func AppendCBORArray(dst []byte, n int) []byte { return AppendCBORHead(dst, majArray, uint64(n)) }

// AppendCBORString appends a text string.
func AppendCBORString(dst []byte, s string) []byte {
	dst = AppendCBORHead(dst, majText, uint64(len(s)))
	return append(dst, s...)
}

// AppendCBORBlob appends a byte string.
func AppendCBORBlob(dst, b []byte) []byte {
	dst = AppendCBORHead(dst, majBytes, uint64(len(b)))
	return append(dst, b...)
}

// AppendCBORInt appends an integer.
func AppendCBORInt(dst []byte, v int64) []byte {
	if v < 0 {
		return AppendCBORHead(dst, majNint, uint64(-1-v))
	}
	return AppendCBORHead(dst, majUint, uint64(v))
}

// AppendCBORBool appends a Boolean.
func AppendCBORBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, majSimple<<5|simpleTrue)
	}
	return append(dst, majSimple<<5|simpleFalse)
}

// AppendCBORFloat appends a Double (bits 64) or Float (bits 32).
func AppendCBORFloat(dst []byte, v float64, bits int) []byte {
	if bits == 32 {
		return binary.BigEndian.AppendUint32(append(dst, majSimple<<5|infoFloat32), math.Float32bits(float32(v)))
	}
	return binary.BigEndian.AppendUint64(append(dst, majSimple<<5|infoFloat64), math.Float64bits(v))
}

// AppendCBORTime appends a timestamp as the AWS SDK for Java writes and
// reads it: tag 1 followed by an integer number of epoch milliseconds. (The
// Java SDK parses the number with Long.parseLong, so a float would break it.)
func AppendCBORTime(dst []byte, t time.Time) []byte {
	return AppendCBORInt(append(dst, majTag<<5|tagEpoch), t.UnixMilli())
}
