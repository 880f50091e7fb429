package codec

import (
	"encoding/binary"
	"math"
	"time"
	"unicode/utf8"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// CBOR major types (RFC 8949).
const (
	majUint   = 0
	majNint   = 1
	majBytes  = 2
	majText   = 3
	majArray  = 4
	majMap    = 5
	majTag    = 6
	majSimple = 7
)

// Simple values and the additional information that marks an indefinite
// length (or, for major type 7, the "break" that ends it).
const (
	simpleFalse = 20
	simpleTrue  = 21
	simpleNull  = 22
	simpleUndef = 23
	infoFloat16 = 25
	infoFloat32 = 26
	infoFloat64 = 27
	infoIndef   = 31
	breakByte   = 0xff
)

// CBOR tags AWS clients use.
const (
	tagEpoch  = 1 // timestamps: the AWS SDKs send tag 1 + epoch milliseconds
	tagBigPos = 2
	tagBigNeg = 3
)

// CBORDecoder reads an application/x-amz-cbor-1.1 body with the same
// interface as JSONDecoder. It accepts what the AWS SDK for Java (Jackson)
// writes: indefinite-length maps, arrays and strings as well as definite
// ones, any integer width, half, single and double floats, and tags, which
// it ignores except for timestamps (tag 1) and big numbers (tags 2 and 3).
// Every length is checked against the bytes left before anything is
// allocated for it.
type CBORDecoder struct {
	data    []byte
	pos     int
	err     *awsproto.Error
	key     []byte
	scratch []byte
	slab    slab
}

// item is the head of one data item.
type item struct {
	major byte
	info  byte
	arg   uint64 // length, count, value or float bits
	tag   uint64 // innermost tag before the item, or noTag
	start int    // offset of the item's first tag or head
}

const noTag = math.MaxUint64

// Reset prepares d to read body. Decoded values never alias body.
func (d *CBORDecoder) Reset(body []byte) {
	d.data = body
	d.pos = 0
	d.err = nil
	d.key = nil
	d.slab.reset(len(body))
}

// Failed reports whether d has met an error.
func (d *CBORDecoder) Failed() bool { return d.err != nil }

// Err returns the first error, a SerializationException *awsproto.Error.
func (d *CBORDecoder) Err() error {
	if d.err == nil {
		return nil
	}
	return d.err
}

// Root checks that the body is a CBOR map.
func (d *CBORDecoder) Root() bool {
	if d.err != nil {
		return false
	}
	if len(d.data) == 0 || d.data[0]>>5 != majMap && d.data[0]>>5 != majTag {
		d.syntax("request body is not a CBOR map")
		return false
	}
	return true
}

// Finish checks that the whole body was one item and returns the first
// error.
func (d *CBORDecoder) Finish() error {
	if d.err == nil && d.pos < len(d.data) {
		d.syntax("data after the CBOR item")
	}
	return d.Err()
}

func (d *CBORDecoder) syntax(what string) {
	if d.err == nil {
		d.err = serialization("", &syntaxError{enc: "cbor", offset: d.pos, what: what})
	}
}

func (d *CBORDecoder) fail(msg string) {
	if d.err == nil {
		d.err = serialization(msg, nil)
	}
}

func (d *CBORDecoder) remaining() uint64 { return uint64(len(d.data) - d.pos) }

// head reads one head (initial byte and argument).
func (d *CBORDecoder) head() (major, info byte, arg uint64, ok bool) {
	if d.err != nil {
		return 0, 0, 0, false
	}
	if d.pos >= len(d.data) {
		d.syntax("unexpected end of input")
		return 0, 0, 0, false
	}
	b := d.data[d.pos]
	d.pos++
	major, info = b>>5, b&31
	switch {
	case info < 24:
		return major, info, uint64(info), true
	case info <= infoFloat64:
		n := 1 << (info - 24)
		if len(d.data)-d.pos < n {
			d.syntax("truncated head")
			return 0, 0, 0, false
		}
		p := d.data[d.pos:]
		switch n {
		case 1:
			arg = uint64(p[0])
		case 2:
			arg = uint64(binary.BigEndian.Uint16(p))
		case 4:
			arg = uint64(binary.BigEndian.Uint32(p))
		default:
			arg = binary.BigEndian.Uint64(p)
		}
		d.pos += n
		return major, info, arg, true
	case info == infoIndef:
		if major == majUint || major == majNint || major == majTag {
			d.syntax("indefinite length not allowed")
			return 0, 0, 0, false
		}
		return major, info, 0, true
	}
	d.syntax("reserved additional information")
	return 0, 0, 0, false
}

// next reads the tags and head of the next item.
func (d *CBORDecoder) next() (it item, ok bool) {
	it.start = d.pos
	it.tag = noTag
	for {
		it.major, it.info, it.arg, ok = d.head()
		if !ok {
			return it, false
		}
		if it.major != majTag {
			break
		}
		it.tag = it.arg
	}
	if it.major == majSimple && it.info == infoIndef {
		d.pos--
		d.syntax("unexpected break")
		return it, false
	}
	return it, true
}

// classify says what kind of JSON-like value an item is.
func (it *item) classify() found {
	switch it.major {
	case majUint, majNint:
		return foundNumber
	case majBytes:
		if it.tag == tagBigPos || it.tag == tagBigNeg {
			return foundNumber
		}
		return foundBytes
	case majText:
		return foundString
	case majArray:
		return foundList
	case majMap:
		return foundObject
	}
	switch it.info {
	case simpleTrue, simpleFalse:
		return foundBool
	case infoFloat16, infoFloat32, infoFloat64:
		return foundNumber
	}
	return 0
}

func (it *item) isNull() bool {
	return it.major == majSimple && (it.info == simpleNull || it.info == simpleUndef)
}

// start reads the next item expecting kind k. It returns ok=false if the
// item is null or undefined (absent) or cannot be converted to k (the item
// is skipped and AWS's message recorded).
func (d *CBORDecoder) start(k Kind) (it item, ok bool) {
	it, ok = d.next()
	if !ok || it.isNull() {
		return it, false
	}
	f := it.classify()
	if f == 0 {
		d.syntax("unsupported simple value")
		return it, false
	}
	if msg := mismatch(k, f); msg != "" {
		d.pos = it.start
		d.Skip()
		d.fail(msg)
		return it, false
	}
	return it, true
}

// MapStart begins reading a structure or map.
func (d *CBORDecoder) MapStart(it *Iter, k Kind) bool {
	if d.err == nil && d.pos < len(d.data) {
		// Fast path: an indefinite or short definite map head.
		switch c := d.data[d.pos]; {
		case c == majMap<<5|infoIndef:
			d.pos++
			it.n = -1
			return true
		case c >= majMap<<5 && c < majMap<<5|24 && uint64(c&31)*2 <= d.remaining()-1:
			d.pos++
			it.n = int(c & 31)
			return true
		}
	}
	h, ok := d.start(k)
	if !ok {
		return false
	}
	return d.container(it, h, 2)
}

// ArrayStart begins reading a list. Count then tells how many elements a
// definite-length array announces.
func (d *CBORDecoder) ArrayStart(it *Iter) bool {
	h, ok := d.start(KindList)
	if !ok {
		return false
	}
	return d.container(it, h, 1)
}

// container sets up it for a map or array whose head is h; each entry takes
// per items, each at least one byte.
func (d *CBORDecoder) container(it *Iter, h item, per uint64) bool {
	if h.info == infoIndef {
		it.n = -1
		return true
	}
	if h.arg > d.remaining()/per {
		d.syntax("container longer than the input")
		return false
	}
	it.n = int(h.arg)
	return true
}

// more reports whether the container has another entry, consuming the
// break that ends an indefinite-length one.
func (d *CBORDecoder) more(it *Iter) bool {
	if d.err != nil {
		return false
	}
	if it.n >= 0 {
		if it.n == 0 {
			return false
		}
		it.n--
		return true
	}
	if d.pos >= len(d.data) {
		d.syntax("unexpected end of input")
		return false
	}
	if d.data[d.pos] == breakByte {
		d.pos++
		return false
	}
	return true
}

// NextMember advances to the next entry of a map, making its key available
// from Key.
func (d *CBORDecoder) NextMember(it *Iter) bool {
	if !d.more(it) {
		return false
	}
	if d.pos < len(d.data) {
		// Fast path: a short ASCII key (every member name of the models).
		if c := d.data[d.pos]; c >= majText<<5 && c < majText<<5|24 {
			end := d.pos + 1 + int(c&31)
			if end <= len(d.data) {
				if key := d.data[d.pos+1 : end]; isASCII(key) {
					d.key = key
					d.pos = end
					return true
				}
			}
		}
	}
	h, ok := d.next()
	if !ok {
		return false
	}
	if h.major != majText {
		d.syntax("map key is not a text string")
		return false
	}
	d.key = d.text(h, false)
	return d.err == nil
}

// NextElement advances to the next element of a list.
func (d *CBORDecoder) NextElement(it *Iter) bool { return d.more(it) }

// Key returns the key of the current entry, valid until the next call.
func (d *CBORDecoder) Key() []byte { return d.key }

// KeyString returns the current key as a new string (map keys).
func (d *CBORDecoder) KeyString() string { return string(d.key) }

// KeySlab returns the current key as a string in the request slab.
func (d *CBORDecoder) KeySlab() string { return d.slab.str(d.key) }

// text returns the content of a text or byte string whose head is h: a
// slice of the input for a definite-length string, else the chunks joined in
// scratch. Text must be valid UTF-8.
func (d *CBORDecoder) text(h item, isBytes bool) []byte {
	if h.info != infoIndef {
		if h.arg > d.remaining() {
			d.syntax("string longer than the input")
			return nil
		}
		b := d.data[d.pos : d.pos+int(h.arg)]
		d.pos += int(h.arg)
		if !isBytes && !utf8.Valid(b) {
			d.syntax("invalid UTF-8 in text string")
			return nil
		}
		return b
	}
	buf := d.scratch[:0]
	for d.err == nil {
		if d.pos < len(d.data) && d.data[d.pos] == breakByte {
			d.pos++
			break
		}
		major, info, n, ok := d.head()
		if !ok {
			break
		}
		if major != h.major || info == infoIndef {
			d.syntax("bad chunk in indefinite-length string")
			break
		}
		if n > d.remaining() {
			d.syntax("string longer than the input")
			break
		}
		chunk := d.data[d.pos : d.pos+int(n)]
		if !isBytes && !utf8.Valid(chunk) {
			d.syntax("invalid UTF-8 in text string")
			break
		}
		buf = append(buf, chunk...)
		d.pos += int(n)
	}
	d.scratch = buf
	if d.err != nil {
		return nil
	}
	return buf
}

// shortText returns the content of a definite text string of at most 255
// bytes at d.pos (the common case), or ok=false to take the general path.
func (d *CBORDecoder) shortText() (b []byte, ok bool) {
	if d.err != nil || d.pos >= len(d.data) {
		return nil, false
	}
	c := d.data[d.pos]
	start, n := d.pos+1, 0
	switch {
	case c >= majText<<5 && c < majText<<5|24:
		n = int(c & 31)
	case c == majText<<5|24 && d.pos+1 < len(d.data):
		start, n = d.pos+2, int(d.data[d.pos+1])
	default:
		return nil, false
	}
	if start+n > len(d.data) {
		return nil, false
	}
	b = d.data[start : start+n]
	if !utf8.Valid(b) {
		return nil, false
	}
	d.pos = start + n
	return b, true
}

// String reads a text string.
func (d *CBORDecoder) String() (string, bool) {
	if b, ok := d.shortText(); ok {
		return string(b), true
	}
	h, ok := d.start(KindString)
	if !ok {
		return "", false
	}
	b := d.text(h, false)
	return string(b), d.err == nil
}

// StringSlab is String for members of list elements (see JSONDecoder).
func (d *CBORDecoder) StringSlab() (string, bool) {
	if b, ok := d.shortText(); ok {
		return d.slab.str(b), true
	}
	h, ok := d.start(KindString)
	if !ok {
		return "", false
	}
	b := d.text(h, false)
	return d.slab.str(b), d.err == nil
}

// StringPtr reads an optional string.
func (d *CBORDecoder) StringPtr() *string {
	if s, ok := d.String(); ok {
		return &s
	}
	return nil
}

// StringPtrSlab is StringPtr for members of list elements.
func (d *CBORDecoder) StringPtrSlab() *string {
	if s, ok := d.StringSlab(); ok {
		return d.slab.strPtr(s)
	}
	return nil
}

// Blob reads a byte string into the request slab. Like Jackson, it also
// accepts a text string holding base64.
func (d *CBORDecoder) Blob() []byte {
	if d.err == nil && d.pos < len(d.data) {
		// Fast path: a definite byte string of up to 64 KiB.
		c := d.data[d.pos]
		start, n := d.pos+1, -1
		switch {
		case c >= majBytes<<5 && c < majBytes<<5|24:
			n = int(c & 31)
		case c == majBytes<<5|24 && d.pos+1 < len(d.data):
			start, n = d.pos+2, int(d.data[d.pos+1])
		case c == majBytes<<5|25 && d.pos+2 < len(d.data):
			start, n = d.pos+3, int(binary.BigEndian.Uint16(d.data[d.pos+1:]))
		}
		if n >= 0 && start+n <= len(d.data) {
			out := d.slab.alloc(n)
			copy(out, d.data[start:start+n])
			d.pos = start + n
			return out
		}
	}
	h, ok := d.start(KindBlob)
	if !ok {
		return nil
	}
	b := d.text(h, h.major == majBytes)
	if d.err != nil {
		return nil
	}
	if h.major == majText {
		out, msg := decodeBase64(&d.slab, b)
		if msg != "" {
			d.fail(msg)
			return nil
		}
		return out
	}
	out := d.slab.alloc(len(b))
	copy(out, b)
	return out
}

// Bool reads a Boolean (also from the strings AWS accepts for one).
func (d *CBORDecoder) Bool() (v, ok bool) {
	h, ok := d.start(KindBoolean)
	if !ok {
		return false, false
	}
	if h.major == majText {
		b := d.text(h, false)
		if d.err != nil {
			return false, false
		}
		v, msg := boolFromString(string(b))
		if msg != "" {
			d.fail(msg)
			return false, false
		}
		return v, true
	}
	return h.info == simpleTrue, true
}

// number converts a numeric item: integers exactly (clamped to int64),
// floats as such, big numbers clamped.
func (d *CBORDecoder) number(h item) (i int64, f float64, isFloat bool) {
	switch h.major {
	case majUint:
		if h.arg > math.MaxInt64 {
			return math.MaxInt64, 0, false
		}
		return int64(h.arg), 0, false
	case majNint:
		if h.arg > math.MaxInt64 {
			return math.MinInt64, 0, false
		}
		return -1 - int64(h.arg), 0, false
	case majBytes: // big number
		b := d.text(h, true)
		for len(b) > 0 && b[0] == 0 {
			b = b[1:]
		}
		u := uint64(math.MaxUint64)
		if len(b) <= 8 {
			u = 0
			for _, c := range b {
				u = u<<8 | uint64(c)
			}
		}
		if h.tag == tagBigNeg {
			if u > math.MaxInt64 {
				return math.MinInt64, 0, false
			}
			return -1 - int64(u), 0, false
		}
		return int64(min(u, math.MaxInt64)), 0, false
	}
	switch h.info {
	case infoFloat16:
		return 0, float16(uint16(h.arg)), true
	case infoFloat32:
		return 0, float64(math.Float32frombits(uint32(h.arg))), true
	}
	return 0, math.Float64frombits(h.arg), true
}

func (d *CBORDecoder) integer(k Kind, lo, hi int64) (int64, bool) {
	h, ok := d.start(k)
	if !ok {
		return 0, false
	}
	i, f, isFloat := d.number(h)
	if isFloat {
		i = floatToInt(f)
	}
	return min(max(i, lo), hi), d.err == nil
}

// Int64 reads a Long, truncating and clamping like the JSON decoder.
func (d *CBORDecoder) Int64() (int64, bool) { return d.integer(KindLong, math.MinInt64, math.MaxInt64) }

// Int32 reads an Integer.
func (d *CBORDecoder) Int32() (int32, bool) {
	v, ok := d.integer(KindInteger, math.MinInt32, math.MaxInt32)
	return int32(v), ok
}

func (d *CBORDecoder) float(k Kind) (float64, bool) {
	h, ok := d.start(k)
	if !ok {
		return 0, false
	}
	i, f, isFloat := d.number(h)
	if !isFloat {
		f = float64(i)
	}
	return f, d.err == nil
}

// Float64 reads a Double.
func (d *CBORDecoder) Float64() (float64, bool) { return d.float(KindDouble) }

// Float32 reads a Float.
func (d *CBORDecoder) Float32() (float32, bool) {
	f, ok := d.float(KindFloat)
	return float32(f), ok
}

// Time reads a timestamp: epoch milliseconds, an integer or a float, with or
// without tag 1 (the AWS SDK for Java sends tag 1 + integer milliseconds).
func (d *CBORDecoder) Time() (time.Time, bool) {
	h, ok := d.start(KindTimestamp)
	if !ok {
		return time.Time{}, false
	}
	i, f, isFloat := d.number(h)
	if d.err != nil {
		return time.Time{}, false
	}
	if !isFloat {
		return time.UnixMilli(i).UTC(), true
	}
	ms := math.Floor(f)
	return time.UnixMilli(floatToInt(ms)).Add(time.Duration((f - ms) * 1e6)).UTC(), true
}

// Skip reads and discards one item of any type.
func (d *CBORDecoder) Skip() {
	var small [16]int
	stack := append(small[:0], 1) // items left to skip per open container, -1 if indefinite
	for len(stack) > 0 && d.err == nil {
		top := &stack[len(stack)-1]
		if *top == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		if *top < 0 {
			if d.pos >= len(d.data) {
				d.syntax("unexpected end of input")
				return
			}
			if d.data[d.pos] == breakByte {
				d.pos++
				stack = stack[:len(stack)-1]
				continue
			}
		} else {
			*top--
		}
		h, ok := d.next()
		if !ok {
			return
		}
		switch h.major {
		case majBytes, majText:
			d.text(h, h.major == majBytes)
		case majArray, majMap:
			if len(stack) == maxDepth {
				d.syntax("nesting too deep")
				return
			}
			per := uint64(1)
			if h.major == majMap {
				per = 2
			}
			if h.info == infoIndef {
				stack = append(stack, -1)
			} else if h.arg > d.remaining()/per {
				d.syntax("container longer than the input")
				return
			} else {
				stack = append(stack, int(h.arg*per))
			}
		}
	}
}

// Count returns the number of elements a definite-length CBOR array
// announced (bounded by the input size), or -1 if unknown (JSON, or an
// indefinite-length array). Generated code sizes lists with it.
func (it *Iter) Count() int { return it.n }

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// float16 converts IEEE 754 half-precision bits.
func float16(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(frac+1024, exp-25)
}
