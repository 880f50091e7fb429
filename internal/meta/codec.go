package meta

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/eddy-streams/eddy/internal/hashkey"
)

// The value encoding: a record is a version byte followed by its fields in a
// fixed order. Integers are unsigned or zig-zag varints (encoding/binary),
// strings and byte strings are a uvarint length followed by the bytes, and
// times are zig-zag varints of Unix nanoseconds with math.MinInt64 standing
// for the zero time.Time. Lists are a uvarint count followed by the items.
// A decoder rejects short input, lengths or counts that exceed what is left,
// and trailing bytes.

// zeroTime encodes time.Time{}: 0 would be 1970-01-01, which a fake clock
// may well use.
const zeroTime = math.MinInt64

var errShort = errors.New("value truncated")

type encoder struct{ b []byte }

func (e *encoder) u8(v byte)             { e.b = append(e.b, v) }
func (e *encoder) u64(v uint64)          { e.b = binary.BigEndian.AppendUint64(e.b, v) }
func (e *encoder) uvarint(v uint64)      { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)        { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) int(v int)             { e.varint(int64(v)) }
func (e *encoder) time(t time.Time)      { e.varint(timeNanos(t)) }
func (e *encoder) str(s string)          { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) bytes(b []byte)        { e.uvarint(uint64(len(b))); e.b = append(e.b, b...) }
func (e *encoder) u128(u hashkey.Key)    { e.u64(u.Hi); e.u64(u.Lo) }
func (e *encoder) fixedTime(t time.Time) { e.u64(uint64(timeNanos(t))) }

func (e *encoder) strs(l []string) {
	e.uvarint(uint64(len(l)))
	for _, s := range l {
		e.str(s)
	}
}

func (e *encoder) times(l []time.Time) {
	e.uvarint(uint64(len(l)))
	for _, t := range l {
		e.time(t)
	}
}

// tags writes a map sorted by key, so that equal maps encode equally.
func (e *encoder) tags(m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.uvarint(uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		e.str(m[k])
	}
}

func timeNanos(t time.Time) int64 {
	if t.IsZero() {
		return zeroTime
	}
	return t.UnixNano()
}

func nanosTime(n int64) time.Time {
	if n == zeroTime {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// decoder reads fields in order; the first error sticks and later reads
// return zero values, so decode functions check d.err once at the end.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *decoder) u8() byte {
	if len(d.b) < 1 {
		d.fail(errShort)
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) u64() uint64 {
	if len(d.b) < 8 {
		d.fail(errShort)
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) u128() hashkey.Key {
	hi := d.u64()
	return hashkey.Key{Hi: hi, Lo: d.u64()}
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errors.New("bad uvarint"))
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errors.New("bad varint"))
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int {
	v := d.varint()
	if int64(int(v)) != v {
		d.fail(fmt.Errorf("integer %d out of range", v))
		return 0
	}
	return int(v)
}

func (d *decoder) time() time.Time      { return nanosTime(d.varint()) }
func (d *decoder) fixedTime() time.Time { return nanosTime(int64(d.u64())) }

// count reads a length or item count and checks that at least minSize bytes
// per item remain, so corrupt input cannot make the decoder allocate more
// than the value's own size.
func (d *decoder) count(minSize int) int {
	n := d.uvarint()
	if d.err != nil {
		return 0
	}
	if n > uint64(len(d.b)/minSize) {
		d.fail(fmt.Errorf("count %d exceeds the %d bytes left", n, len(d.b)))
		return 0
	}
	return int(n)
}

func (d *decoder) raw() []byte {
	n := d.count(1)
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

// str copies, so the result outlives the bbolt transaction.
func (d *decoder) str() string { return string(d.raw()) }

// bytes copies; an empty byte string decodes as nil.
func (d *decoder) bytes() []byte {
	r := d.raw()
	if len(r) == 0 {
		return nil
	}
	return append([]byte(nil), r...)
}

func (d *decoder) strs() []string {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	l := make([]string, n)
	for i := range l {
		l[i] = d.str()
	}
	return l
}

func (d *decoder) times() []time.Time {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	l := make([]time.Time, n)
	for i := range l {
		l[i] = d.time()
	}
	return l
}

// tags reads a map written by encoder.tags; keys must be strictly
// increasing. It always returns a non-nil map, so callers can add to it.
func (d *decoder) tags() map[string]string {
	n := d.count(2)
	m := make(map[string]string, n)
	prev := ""
	for i := range n {
		k := d.str()
		v := d.str()
		if d.err != nil {
			break
		}
		if i > 0 && k <= prev {
			d.fail(fmt.Errorf("tag keys out of order: %q after %q", k, prev))
			break
		}
		m[k] = v
		prev = k
	}
	return m
}

// version reads the leading version byte and checks it against want.
func (d *decoder) version(kind string, want byte) {
	v := d.u8()
	if d.err == nil && v != want {
		d.fail(fmt.Errorf("%s record version %d, want %d", kind, v, want))
	}
}

// finish reports the first error, or trailing bytes.
func (d *decoder) finish() error {
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%d trailing bytes", len(d.b))
	}
	return nil
}
