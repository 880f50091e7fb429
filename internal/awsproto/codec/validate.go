package codec

import (
	"encoding/binary"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// MaxViolations is how many constraint violations AWS lists in one
// ValidationException; it stops looking after that many and reports
// "10 validation errors detected".
const MaxViolations = 10

// Violations collects the constraint violations of one request, in the
// order generated code checks them: members in model order, and for each
// member required, then pattern, length, value range, enum, then nested
// members. The zero value is ready to use.
type Violations struct {
	n    int
	msgs [MaxViolations]string
}

// Full reports whether no more violations will be recorded; generated code
// stops checking then.
func (v *Violations) Full() bool { return v.n >= MaxViolations }

// Null records a missing required member.
func (v *Violations) Null(p *Path) {
	if v.n < MaxViolations {
		v.msgs[v.n] = "Value null at '" + p.String() + "' failed to satisfy constraint: Member must not be null"
		v.n++
	}
}

// Add records that the value rendered as value at p fails constraint (one
// of the constraint texts generated from the model).
func (v *Violations) Add(p *Path, value, constraint string) {
	if v.n < MaxViolations {
		v.msgs[v.n] = "Value '" + value + "' at '" + p.String() + "' failed to satisfy constraint: " + constraint
		v.n++
	}
}

// Err returns nil or the ValidationException AWS would send.
func (v *Violations) Err() error {
	if v.n == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(v.n))
	if v.n == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	for i, m := range v.msgs[:v.n] {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(m)
	}
	return awsproto.Errorf(awsproto.Validation, "%s", b.String())
}

// Path is where a value sits in a request, rendered as AWS renders it:
// member names with their first letter lower-cased, joined by dots, with
// list elements as "name.N.member" (N from 1) and map values as
// "name.KEY.member". Generated code builds paths on its stack; they are
// rendered only when a violation is recorded.
type Path struct {
	parent *Path
	name   string
	index  int
	kind   uint8
}

const (
	pathMember uint8 = iota
	pathElement
	pathEntry
)

// Member returns the path of member name (already lower-cased) of the
// structure at parent (nil for the request itself).
func Member(parent *Path, name string) Path { return Path{parent: parent, name: name} }

// Element returns the path of element i (from 0) of the list at parent.
func Element(parent *Path, i int) Path {
	return Path{parent: parent, index: i + 1, kind: pathElement}
}

// Entry returns the path of the value under key in the map at parent.
func Entry(parent *Path, key string) Path {
	return Path{parent: parent, name: key, kind: pathEntry}
}

func (p *Path) String() string {
	var b strings.Builder
	p.write(&b)
	return b.String()
}

// write renders p into b. It is recursive rather than collecting the chain
// so that paths, which live on generated code's stack, do not escape.
func (p *Path) write(b *strings.Builder) {
	if p.parent != nil {
		p.parent.write(b)
		b.WriteByte('.')
	}
	switch p.kind {
	case pathMember:
		b.WriteString(p.name)
	case pathElement:
		b.WriteString(strconv.Itoa(p.index))
		b.WriteString(".member")
	case pathEntry:
		b.WriteString(p.name)
		b.WriteString(".member")
	}
}

// asciiMask has the top bit of each of 8 bytes: a block of ASCII has none.
const asciiMask = 0x8080808080808080

// StrLen is the length AWS checks a string's length constraints against:
// Java's String.length(), the number of UTF-16 code units.
func StrLen(s string) int {
	i := 0
	for i+8 <= len(s) && binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))&asciiMask == 0 {
		i += 8
	}
	n := i
	for i < len(s) {
		c := s[i]
		switch {
		case c < utf8.RuneSelf:
			i++
		case c >= 0xf0:
			n++ // a supplementary character takes two code units
			fallthrough
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
		n++
	}
	return n
}

// RenderInt renders a number the way AWS shows it in a message.
func RenderInt(v int64) string { return strconv.FormatInt(v, 10) }

// RenderFloat renders a Double or Float like Java's toString.
func RenderFloat(v float64) string { return JavaDouble(v) }

// RenderBlob renders a blob as AWS does: Java's ByteBuffer.toString.
func RenderBlob(n int) string {
	s := strconv.Itoa(n)
	return "java.nio.HeapByteBuffer[pos=0 lim=" + s + " cap=" + s + "]"
}

// RenderBool renders a Boolean.
func RenderBool(v bool) string { return strconv.FormatBool(v) }

// RenderList renders a list as Java's List.toString: "[a, b]", each element
// rendered by elem.
func RenderList(n int, elem func(i int) string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(elem(i))
	}
	b.WriteByte(']')
	return b.String()
}

// RenderStrings renders a list of strings or enum values.
func RenderStrings[T ~string](v []T) string {
	return RenderList(len(v), func(i int) string { return string(v[i]) })
}

// RenderMap renders a map as Java's Map.toString, "{k=v, k2=v2}", keys
// sorted (AWS's order is a hash map's).
func RenderMap[V any](m map[string]V, value func(V) string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(value(m[k]))
	}
	b.WriteByte('}')
	return b.String()
}

// RenderStruct renders a structure in a list the way AWS does, as Java's
// Object.toString: the model class name, '@' and a hash code in hex. AWS's
// hash codes cannot be reproduced; this one is a hash of the value's CBOR
// encoding, so equal elements render equally, as they do at AWS.
func RenderStruct(class string, cbor []byte) string {
	h := fnv.New32a()
	h.Write(cbor)
	return class + "@" + strconv.FormatUint(uint64(h.Sum32()), 16)
}

// JavaDouble formats v like Java's Double.toString for the values model
// constraints use (e.g. 0.0, 1.0, 0.5).
func JavaDouble(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eEIN") {
		s += ".0"
	}
	return s
}
