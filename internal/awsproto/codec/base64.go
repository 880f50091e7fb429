package codec

import (
	"encoding/binary"
	"strconv"
)

// Base64 with the standard alphabet and padding, as AWS uses for blobs in
// JSON. The standard library's decoder costs ~2 ns per byte, most of the
// per-record budget of a PutRecords request, so blobs are decoded and
// encoded here with lookup tables (~4x faster) straight into and out of the
// callers' buffers.

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// b64Invalid marks a character outside the alphabet in the decode tables.
const b64Invalid = 0xff000000

var (
	// b64Dec[k][c] is the 6-bit value of character c shifted into its
	// place within the 24 bits of a quad at position k.
	b64Dec [4][256]uint32
	// b64Pairs[v] holds the two characters for the 12 bits v.
	b64Pairs [4096]uint16
)

func init() {
	for k := range b64Dec {
		for c := range b64Dec[k] {
			b64Dec[k][c] = b64Invalid
		}
	}
	for v := 0; v < 64; v++ {
		c := b64Alphabet[v]
		b64Dec[0][c] = uint32(v) << 18
		b64Dec[1][c] = uint32(v) << 12
		b64Dec[2][c] = uint32(v) << 6
		b64Dec[3][c] = uint32(v)
	}
	for v := range b64Pairs {
		b64Pairs[v] = uint16(b64Alphabet[v>>6]) | uint16(b64Alphabet[v&63])<<8
	}
}

// decodeBase64 decodes raw into the slab. It applies AWS's checks in AWS's
// order and returns AWS's message when raw is not acceptable.
func decodeBase64(s *slab, raw []byte) ([]byte, string) {
	n := len(raw)
	if n%4 != 0 {
		return nil, blobMessage(raw, "Base64 encoded length is expected a multiple of 4 bytes but found: "+strconv.Itoa(n))
	}
	if n == 0 {
		return s.alloc(0), ""
	}
	pad := 0
	if raw[n-1] == '=' {
		pad++
		if raw[n-2] == '=' {
			pad++
		}
	}
	out := s.alloc(n/4*3 - pad)
	if !base64Decode(out, raw, pad) {
		return nil, base64Message(raw)
	}
	return out, ""
}

// base64Decode decodes raw (length a multiple of 4, ending in pad '='
// characters) into out, which has exactly the decoded length. It requires
// the unused bits of the last quad to be zero, as AWS does.
func base64Decode(out, raw []byte, pad int) bool {
	full := len(raw)/4 - 1 // quads before the last one
	var bad uint32
	i, j := 0, 0
	// Two quads at a time, written as one 8-byte store of which 6 bytes are
	// kept (the next store or the tail overwrites the rest).
	for ; i+8 <= full*4 && j+8 <= len(out); i, j = i+8, j+6 {
		q := raw[i : i+8 : i+8]
		v1 := b64Dec[0][q[0]] | b64Dec[1][q[1]] | b64Dec[2][q[2]] | b64Dec[3][q[3]]
		v2 := b64Dec[0][q[4]] | b64Dec[1][q[5]] | b64Dec[2][q[6]] | b64Dec[3][q[7]]
		bad |= v1 | v2
		binary.BigEndian.PutUint64(out[j:], uint64(v1)<<40|uint64(v2)<<16)
	}
	for ; i < full*4; i, j = i+4, j+3 {
		q := raw[i : i+4 : i+4]
		v := b64Dec[0][q[0]] | b64Dec[1][q[1]] | b64Dec[2][q[2]] | b64Dec[3][q[3]]
		bad |= v
		o := out[j : j+3 : j+3]
		o[0], o[1], o[2] = byte(v>>16), byte(v>>8), byte(v)
	}
	q := raw[len(raw)-4:]
	switch pad {
	case 0:
		v := b64Dec[0][q[0]] | b64Dec[1][q[1]] | b64Dec[2][q[2]] | b64Dec[3][q[3]]
		bad |= v
		out[j], out[j+1], out[j+2] = byte(v>>16), byte(v>>8), byte(v)
	case 1:
		v := b64Dec[0][q[0]] | b64Dec[1][q[1]] | b64Dec[2][q[2]]
		bad |= v
		out[j], out[j+1] = byte(v>>16), byte(v>>8)
	case 2:
		v := b64Dec[0][q[0]] | b64Dec[1][q[1]]
		bad |= v
		out[j] = byte(v >> 16)
	}
	return bad&b64Invalid == 0 && lastBitsZero(q, pad)
}

// lastBitsZero checks that the bits a padded quad does not use are zero.
func lastBitsZero(q []byte, pad int) bool {
	switch pad {
	case 1:
		return b64Dec[3][q[2]]&0x3 == 0
	case 2:
		return b64Dec[3][q[1]]&0xf == 0
	}
	return true
}

// base64Message explains why raw is not acceptable base64, in AWS's words:
// the first character outside the alphabet (or a '=' followed by anything
// but '='), else a last character with bits set that padding leaves unused.
func base64Message(raw []byte) string {
	for i, c := range raw {
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
		if !ok || c == '=' && i+1 < len(raw) && raw[i+1] != '=' {
			return blobMessage(raw, "Invalid Base64 character: '"+string(rune(c))+"'")
		}
	}
	// Sic: AWS spells it "dectected".
	return blobMessage(raw, "Invalid last non-pad Base64 character dectected")
}

func blobMessage(raw []byte, detail string) string {
	return "'" + string(raw) + "' can not be converted to a Blob: " + detail
}

// AppendBase64 appends the padded standard base64 encoding of src to dst.
func AppendBase64(dst, src []byte) []byte {
	n := (len(src) + 2) / 3 * 4
	dst = grow(dst, n)
	out := dst[len(dst) : len(dst)+n]
	i, j := 0, 0
	// Six bytes at a time: one 8-byte load (of which 6 are used), four
	// lookups of 12 bits each, one 8-byte store.
	for ; i+8 <= len(src); i, j = i+6, j+8 {
		v := binary.BigEndian.Uint64(src[i:])
		binary.LittleEndian.PutUint64(out[j:], uint64(b64Pairs[v>>52])|uint64(b64Pairs[v>>40&0xfff])<<16|
			uint64(b64Pairs[v>>28&0xfff])<<32|uint64(b64Pairs[v>>16&0xfff])<<48)
	}
	for ; i+3 <= len(src); i, j = i+3, j+4 {
		v := uint(src[i])<<16 | uint(src[i+1])<<8 | uint(src[i+2])
		binary.LittleEndian.PutUint32(out[j:], uint32(b64Pairs[v>>12])|uint32(b64Pairs[v&0xfff])<<16)
	}
	switch len(src) - i {
	case 1:
		v := uint(src[i]) << 4
		binary.LittleEndian.PutUint16(out[j:], b64Pairs[v])
		out[j+2], out[j+3] = '=', '='
	case 2:
		v := uint(src[i])<<16 | uint(src[i+1])<<8
		binary.LittleEndian.PutUint16(out[j:], b64Pairs[v>>12])
		out[j+2] = b64Alphabet[(v>>6)&63]
		out[j+3] = '='
	}
	return dst[:len(dst)+n]
}

// grow makes room for n more bytes in dst.
func grow(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst
	}
	return append(dst[:cap(dst)], make([]byte, n)...)[:len(dst)]
}
