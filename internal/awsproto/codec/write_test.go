package codec

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"unicode/utf16"
)

func randomString(rng *rand.Rand) string {
	pieces := []string{"a", "Z", "9", "\"", "\\", "/", "\n", "\t", "\x00", "\x1f", "\x7f", "\u00e9", "\u2028", "\U0001F600", "\xff", "\xe2\x82", " "}
	b := make([]byte, 0, 32)
	for range rng.IntN(24) {
		b = append(b, pieces[rng.IntN(len(pieces))]...)
	}
	return string(b)
}

// AppendJSONString produces JSON that encoding/json reads back as the same
// string (invalid UTF-8 becoming U+FFFD, as encoding/json does too).
func TestAppendJSONString(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for range 5000 {
		s := randomString(rng)
		out := AppendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q -> %s: %v", s, out, err)
		}
		want, _ := json.Marshal(s)
		var wantS string
		_ = json.Unmarshal(want, &wantS)
		if got != wantS {
			t.Fatalf("%q -> %s reads as %q, want %q", s, out, got, wantS)
		}
		// And our decoder reads it back too.
		var d JSONDecoder
		d.Reset(out)
		back, ok := d.String()
		if err := d.Finish(); !ok || err != nil || back != wantS {
			t.Fatalf("%s: decoded %q %v", out, back, err)
		}
	}
}

func TestStrLen(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for range 5000 {
		s := randomString(rng)
		if !validUTF8(s) {
			continue
		}
		if got, want := StrLen(s), len(utf16.Encode([]rune(s))); got != want {
			t.Fatalf("StrLen(%q) = %d, want %d", s, got, want)
		}
	}
}

func validUTF8(s string) bool {
	for _, r := range s {
		if r == 0xFFFD {
			return false
		}
	}
	return true
}

func TestCBORHeads(t *testing.T) {
	for _, c := range []struct {
		n    uint64
		want string
	}{{0, "\x60"}, {23, "\x77"}, {24, "\x78\x18"}, {255, "\x78\xff"}, {256, "\x79\x01\x00"}, {65536, "\x7a\x00\x01\x00\x00"}, {1 << 32, "\x7b\x00\x00\x00\x01\x00\x00\x00\x00"}} {
		if got := string(AppendCBORHead(nil, majText, c.n)); got != c.want {
			t.Errorf("head %d: %x, want %x", c.n, got, c.want)
		}
	}
	if got := string(AppendCBORInt(nil, -1)); got != "\x20" {
		t.Errorf("-1: %x", got)
	}
	if got := string(AppendCBORInt(nil, -25)); got != "\x38\x18" {
		t.Errorf("-25: %x", got)
	}
}
