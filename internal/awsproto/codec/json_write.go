package codec

import (
	"math"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto/jsontext"
)

// JSONSep appends the ',' that separates a member or element from the one
// before it, unless dst ends with the bracket that opened the container.
// (After any JSON value the last byte is never '{' or '[', so one byte of
// look-behind replaces a "first member" flag in generated code.)
func JSONSep(dst []byte) []byte {
	if c := dst[len(dst)-1]; c != '{' && c != '[' {
		dst = append(dst, ',')
	}
	return dst
}

// AppendJSONString appends s as a JSON string (see jsontext.AppendString).
func AppendJSONString(dst []byte, s string) []byte { return jsontext.AppendString(dst, s) }

// AppendJSONBlob appends b as a base64 JSON string.
func AppendJSONBlob(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = AppendBase64(dst, b)
	return append(dst, '"')
}

// AppendJSONTime appends t as seconds since the epoch with a fraction of at
// most millisecond precision, e.g. 1441215410.867 (AWS's precision).
func AppendJSONTime(dst []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	u := uint64(ms)
	if ms < 0 {
		dst = append(dst, '-')
		u = -u
	}
	sec, frac := u/1000, u%1000
	dst = strconv.AppendUint(dst, sec, 10)
	if frac == 0 {
		return dst
	}
	dst = append(dst, '.', byte('0'+frac/100))
	if frac%100 != 0 {
		dst = append(dst, byte('0'+frac/10%10))
		if frac%10 != 0 {
			dst = append(dst, byte('0'+frac%10))
		}
	}
	return dst
}

// AppendJSONInt appends an Integer or Long.
func AppendJSONInt(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }

// AppendJSONBool appends a Boolean.
func AppendJSONBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// AppendJSONFloat appends a Double or Float (bits 64 or 32). JSON has no
// NaN or infinities; they are written as null.
func AppendJSONFloat(dst []byte, v float64, bits int) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(dst, "null"...)
	}
	return strconv.AppendFloat(dst, v, 'g', -1, bits)
}
