package codec

import (
	"bytes"
	"math"
	"strconv"
	"time"
	"unsafe"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// Iter is the state of one object, map or array being read. Generated code
// keeps one per container on its stack.
type Iter struct {
	n     int  // CBOR: items left in a definite-length container, -1 if indefinite
	first bool // JSON: nothing read yet
}

// JSONDecoder reads an application/x-amz-json-1.1 body. The zero value is
// not usable; call Reset. After the first error every method returns zero
// values and false, and Finish reports that error.
type JSONDecoder struct {
	data    []byte
	pos     int
	err     *awsproto.Error
	key     []byte
	scratch []byte
	slab    slab
}

// Reset prepares d to read body. Decoded values never alias body.
func (d *JSONDecoder) Reset(body []byte) {
	d.data = body
	d.pos = 0
	d.err = nil
	d.key = nil
	d.slab.reset(len(body))
}

// Failed reports whether d has met an error.
func (d *JSONDecoder) Failed() bool { return d.err != nil }

// Err returns the first error, a SerializationException *awsproto.Error.
func (d *JSONDecoder) Err() error {
	if d.err == nil {
		return nil
	}
	return d.err
}

// Root checks that the body is a JSON object, as AWS requires of every
// request body (an empty body, null, or any other value is a
// SerializationException without a message).
func (d *JSONDecoder) Root() bool {
	if d.err != nil {
		return false
	}
	d.skipWS()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		d.syntax("request body is not a JSON object")
		return false
	}
	return true
}

// Finish checks that nothing but white space follows the value read and
// returns the first error.
func (d *JSONDecoder) Finish() error {
	if d.err == nil {
		d.skipWS()
		if d.pos < len(d.data) {
			d.syntax("data after the JSON value")
		}
	}
	return d.Err()
}

func (d *JSONDecoder) syntax(what string) {
	if d.err == nil {
		d.err = serialization("", &syntaxError{enc: "json", offset: d.pos, what: what})
	}
}

func (d *JSONDecoder) fail(msg string) {
	if d.err == nil {
		d.err = serialization(msg, nil)
	}
}

func (d *JSONDecoder) skipWS() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or 0 at the end (after
// recording a syntax error).
func (d *JSONDecoder) peek() byte {
	if d.err == nil && d.pos < len(d.data) {
		if c := d.data[d.pos]; c > ' ' { // no white space: the usual case
			return c
		}
	}
	return d.peekSlow()
}

func (d *JSONDecoder) peekSlow() byte {
	if d.err != nil {
		return 0
	}
	d.skipWS()
	if d.pos >= len(d.data) {
		d.syntax("unexpected end of input")
		return 0
	}
	return d.data[d.pos]
}

// start reads the first byte of a value expected to be of kind k. It
// returns the byte if the value may be converted to k, and 0 if the value is
// null (consumed: the member is absent) or of the wrong type (error set).
func (d *JSONDecoder) start(k Kind) byte {
	c := d.peek()
	// Fast path: the value has the expected type.
	switch c {
	case '"':
		if k == KindString || k == KindBlob {
			return c
		}
	case '{':
		if k == KindStructure || k == KindMap {
			return c
		}
	case '[':
		if k == KindList {
			return c
		}
	}
	var f found
	switch c {
	case 0:
		return 0
	case 'n':
		d.literal("null")
		return 0
	case '"':
		f = foundString
	case '{':
		f = foundObject
	case '[':
		f = foundList
	case 't', 'f':
		f = foundBool
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		f = foundNumber
	default:
		d.syntax("unexpected character")
		return 0
	}
	if msg := mismatch(k, f); msg != "" {
		// AWS reports the type before it looks further, but a body that
		// does not parse at all is reported as such: check the value's
		// syntax first so that only well-formed bodies get the message.
		d.Skip()
		if d.err == nil {
			d.fail(msg)
		}
		return 0
	}
	return c
}

func (d *JSONDecoder) literal(word string) {
	if len(d.data)-d.pos >= len(word) && string(d.data[d.pos:d.pos+len(word)]) == word {
		d.pos += len(word)
		return
	}
	d.syntax("invalid literal")
}

// ObjectStart begins reading a structure or map. It returns false if the
// value is null (absent) or on error.
func (d *JSONDecoder) ObjectStart(it *Iter, k Kind) bool {
	if d.start(k) != '{' {
		return false
	}
	d.pos++
	it.first = true
	return true
}

// NextMember advances to the next member of the object begun by
// ObjectStart, making its name available from Key. It returns false at the
// end of the object or on error.
func (d *JSONDecoder) NextMember(it *Iter) bool {
	c := d.peek()
	if c == '}' {
		d.pos++
		return false
	}
	if !it.first {
		if c != ',' {
			d.syntax("expected ',' or '}'")
			return false
		}
		d.pos++
		c = d.peek()
	}
	it.first = false
	if c != '"' {
		if c != 0 {
			d.syntax("expected a member name")
		}
		return false
	}
	raw, escaped := d.scanString()
	if d.err != nil {
		return false
	}
	if escaped {
		d.scratch = d.unescape(d.scratch[:0], raw)
		raw = d.scratch
	}
	d.key = raw
	if d.peek() != ':' {
		d.syntax("expected ':'")
		return false
	}
	d.pos++
	return true
}

// Key returns the name of the current member. It is valid until the next
// call to NextMember.
func (d *JSONDecoder) Key() []byte { return d.key }

// KeyString returns the current member name as a new string (map keys).
func (d *JSONDecoder) KeyString() string { return string(d.key) }

// KeySlab returns the current member name as a string in the request slab.
func (d *JSONDecoder) KeySlab() string { return d.slab.str(d.key) }

// ArrayStart begins reading a list. It returns false if the value is null
// (absent) or on error.
func (d *JSONDecoder) ArrayStart(it *Iter) bool {
	if d.start(KindList) != '[' {
		return false
	}
	d.pos++
	it.first = true
	it.n = -1
	return true
}

// NextElement advances to the next element of the list begun by
// ArrayStart. It returns false at the end of the list or on error.
func (d *JSONDecoder) NextElement(it *Iter) bool {
	c := d.peek()
	if c == ']' {
		d.pos++
		return false
	}
	if !it.first {
		if c != ',' {
			if c != 0 {
				d.syntax("expected ',' or ']'")
			}
			return false
		}
		d.pos++
	}
	it.first = false
	return d.err == nil
}

// String reads a string. ok is false if the value is null or on error.
func (d *JSONDecoder) String() (s string, ok bool) {
	raw, escaped, ok := d.stringRaw(KindString)
	if !ok {
		return "", false
	}
	if escaped {
		d.scratch = d.unescape(d.scratch[:0], raw)
		raw = d.scratch
	}
	return string(raw), true
}

// StringSlab is String for members of list elements: the string shares the
// request's slab (see slab) instead of costing an allocation.
func (d *JSONDecoder) StringSlab() (s string, ok bool) {
	raw, escaped, ok := d.stringRaw(KindString)
	if !ok {
		return "", false
	}
	if escaped {
		d.scratch = d.unescape(d.scratch[:0], raw)
		raw = d.scratch
	}
	return d.slab.str(raw), true
}

// StringPtr reads an optional string: nil if null or absent.
func (d *JSONDecoder) StringPtr() *string {
	if s, ok := d.String(); ok {
		return &s
	}
	return nil
}

// StringPtrSlab is StringPtr for members of list elements.
func (d *JSONDecoder) StringPtrSlab() *string {
	if s, ok := d.StringSlab(); ok {
		return d.slab.strPtr(s)
	}
	return nil
}

func (d *JSONDecoder) stringRaw(k Kind) (raw []byte, escaped, ok bool) {
	if d.start(k) != '"' {
		return nil, false, false
	}
	raw, escaped = d.scanString()
	return raw, escaped, d.err == nil
}

// Blob reads a base64 string into the request slab. It returns nil if the
// value is null or on error, and a non-nil empty slice for "".
func (d *JSONDecoder) Blob() []byte {
	if d.start(KindBlob) != '"' {
		return nil
	}
	start := d.pos + 1
	end := bytes.IndexByte(d.data[start:], '"')
	if end < 0 {
		d.pos = len(d.data)
		d.syntax("unterminated string")
		return nil
	}
	raw := d.data[start : start+end]
	if bytes.IndexByte(raw, '\\') >= 0 {
		// Escapes inside base64 are legal JSON; take the slow path.
		var escaped bool
		raw, escaped = d.scanString()
		if d.err != nil {
			return nil
		}
		if escaped {
			d.scratch = d.unescape(d.scratch[:0], raw)
			raw = d.scratch
		}
	} else {
		d.pos = start + end + 1
	}
	out, msg := decodeBase64(&d.slab, raw)
	if msg != "" {
		if hasControl(raw) {
			d.syntax("control character in string")
		} else {
			d.fail(msg)
		}
		return nil
	}
	return out
}

// Bool reads a Boolean.
func (d *JSONDecoder) Bool() (v, ok bool) {
	switch d.start(KindBoolean) {
	case 't':
		d.literal("true")
		return true, d.err == nil
	case 'f':
		d.literal("false")
		return false, d.err == nil
	case '"':
		raw, escaped := d.scanString()
		if d.err != nil {
			return false, false
		}
		if escaped {
			d.scratch = d.unescape(d.scratch[:0], raw)
			raw = d.scratch
		}
		v, msg := boolFromString(string(raw))
		if msg != "" {
			d.fail(msg)
			return false, false
		}
		return v, true
	}
	return false, false
}

// Int64 reads a Long. Like AWS, it truncates fractions toward zero and
// clamps values out of range to the nearest bound.
func (d *JSONDecoder) Int64() (int64, bool) { return d.integer(KindLong, math.MinInt64, math.MaxInt64) }

// Int32 reads an Integer, truncating and clamping like Int64.
func (d *JSONDecoder) Int32() (int32, bool) {
	v, ok := d.integer(KindInteger, math.MinInt32, math.MaxInt32)
	return int32(v), ok
}

func (d *JSONDecoder) integer(k Kind, lo, hi int64) (int64, bool) {
	if d.start(k) == 0 {
		return 0, false
	}
	raw, isInt := d.scanNumber()
	if d.err != nil {
		return 0, false
	}
	var v int64
	if isInt {
		v = parseIntClamped(raw)
	} else {
		v = floatToInt(parseFloat(raw))
	}
	return min(max(v, lo), hi), true
}

// Float64 reads a Double.
func (d *JSONDecoder) Float64() (float64, bool) {
	if d.start(KindDouble) == 0 {
		return 0, false
	}
	raw, _ := d.scanNumber()
	if d.err != nil {
		return 0, false
	}
	return parseFloat(raw), true
}

// Float32 reads a Float.
func (d *JSONDecoder) Float32() (float32, bool) {
	if d.start(KindFloat) == 0 {
		return 0, false
	}
	raw, _ := d.scanNumber()
	if d.err != nil {
		return 0, false
	}
	return float32(parseFloat(raw)), true
}

// Time reads a timestamp: a number of seconds since the epoch, with an
// optional fraction. AWS rejects timestamps in string form.
func (d *JSONDecoder) Time() (time.Time, bool) {
	if d.start(KindTimestamp) == 0 {
		return time.Time{}, false
	}
	raw, _ := d.scanNumber()
	if d.err != nil {
		return time.Time{}, false
	}
	return parseEpochSeconds(raw), true
}

// Skip reads and discards one value of any type (unknown members).
func (d *JSONDecoder) Skip() {
	var stack [maxDepth]byte // closing bracket of each open container
	depth := 0
	for d.err == nil {
		// A value.
		switch c := d.peek(); c {
		case 0:
			return
		case '{', '[':
			if depth == maxDepth {
				d.syntax("nesting too deep")
				return
			}
			d.pos++
			if c == '{' {
				stack[depth] = '}'
				depth++
				if d.peek() == '}' {
					d.pos++
					depth--
					break
				}
				if !d.memberName() {
					return
				}
				continue
			}
			stack[depth] = ']'
			depth++
			if d.peek() == ']' {
				d.pos++
				depth--
				break
			}
			continue
		case '"':
			d.scanString()
		case 't':
			d.literal("true")
		case 'f':
			d.literal("false")
		case 'n':
			d.literal("null")
		default:
			d.scanNumber()
		}
		// After a value: close containers or move to the next item.
		for d.err == nil {
			if depth == 0 {
				return
			}
			c := d.peek()
			if c == stack[depth-1] {
				d.pos++
				depth--
				continue
			}
			if c != ',' {
				d.syntax("expected ',' or a closing bracket")
				return
			}
			d.pos++
			if stack[depth-1] == '}' && !d.memberName() {
				return
			}
			break
		}
	}
}

// memberName reads `"name":` inside an object being skipped.
func (d *JSONDecoder) memberName() bool {
	if d.peek() != '"' {
		d.syntax("expected a member name")
		return false
	}
	d.scanString()
	if d.peek() != ':' {
		d.syntax("expected ':'")
		return false
	}
	d.pos++
	return d.err == nil
}

// scanNumber reads a number at d.pos, checking JSON's grammar, and reports
// whether it is an integer (no fraction or exponent).
func (d *JSONDecoder) scanNumber() (raw []byte, isInt bool) {
	b := d.data
	i := d.pos
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		d.pos = i
		d.syntax("invalid number")
		return nil, false
	}
	isInt = true
	if i < len(b) && b[i] == '.' {
		isInt = false
		i++
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			d.pos = i
			d.syntax("invalid number")
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		isInt = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			d.pos = i
			d.syntax("invalid number")
			return nil, false
		}
	}
	d.pos = i
	return b[start:i], isInt
}

// parseIntClamped parses a JSON integer, clamping to the int64 range.
func parseIntClamped(raw []byte) int64 {
	neg := raw[0] == '-'
	if neg {
		raw = raw[1:]
	}
	var u uint64
	for _, c := range raw {
		if u > (math.MaxUint64-9)/10 {
			u = math.MaxUint64
			break
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return math.MinInt64
		}
		return -int64(u)
	}
	if u > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(u)
}

// parseFloat parses a number whose grammar has been checked.
func parseFloat(raw []byte) float64 {
	// The error can only be a range error, for which ParseFloat returns
	// ±Inf or 0 as wanted; unsafe.String avoids a copy (nothing keeps it).
	f, _ := strconv.ParseFloat(unsafe.String(&raw[0], len(raw)), 64)
	return f
}

// floatToInt truncates toward zero and clamps, like Java's conversions.
func floatToInt(f float64) int64 {
	switch {
	case f != f:
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// parseEpochSeconds converts a number of seconds since the epoch into a
// time, exactly for plain decimals (to the nanosecond) and through a float
// for exponent forms.
func parseEpochSeconds(raw []byte) time.Time {
	dot := bytes.IndexByte(raw, '.')
	if bytes.IndexAny(raw, "eE") >= 0 {
		f := parseFloat(raw)
		sec := math.Floor(f)
		return time.Unix(floatToInt(sec), int64((f-sec)*1e9)).UTC()
	}
	intPart, frac := raw, []byte(nil)
	if dot >= 0 {
		intPart, frac = raw[:dot], raw[dot+1:]
	}
	sec := parseIntClamped(intPart)
	var nsec int64
	for i := 0; i < 9; i++ {
		nsec *= 10
		if i < len(frac) {
			nsec += int64(frac[i] - '0')
		}
	}
	if raw[0] == '-' {
		nsec = -nsec
	}
	return time.Unix(sec, nsec).UTC()
}
