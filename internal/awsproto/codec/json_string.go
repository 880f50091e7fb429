package codec

import (
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/eddy-streams/eddy/internal/awsproto/jsontext"
)

// scanString reads the string whose opening quote is at d.pos, checking that
// it holds no raw control characters and is valid UTF-8, and returns its
// content between the quotes and whether it contains escapes (which the
// caller resolves with unescape).
func (d *JSONDecoder) scanString() (raw []byte, escaped bool) {
	b := d.data
	start := d.pos + 1
	i := start
	for {
		for i+8 <= len(b) && !jsontext.Special(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		if i >= len(b) {
			d.pos = len(b)
			d.syntax("unterminated string")
			return nil, false
		}
		c := b[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return b[start:i], escaped
		case c == '\\':
			escaped = true
			i += 2 // the escaped byte cannot end the string; unescape checks it
		case c < 0x20:
			d.pos = i
			d.syntax("control character in string")
			return nil, false
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size <= 1 {
				d.pos = i
				d.syntax("invalid UTF-8 in string")
				return nil, false
			}
			i += size
		}
	}
}

// unescape appends raw (string content with escapes) to dst, resolving the
// escapes. Bad escapes record a syntax error.
func (d *JSONDecoder) unescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(raw) {
			d.syntax("bad escape")
			return dst
		}
		switch raw[i] {
		case '"', '\\', '/':
			dst = append(dst, raw[i])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(raw[i+1:])
			if !ok {
				d.syntax("bad \\u escape")
				return dst
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					r2, ok = hex4(raw[i+3:])
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			d.syntax("bad escape")
			return dst
		}
	}
	return dst
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}
