package codec

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

func TestBase64MatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	strict := base64.StdEncoding.Strict()
	for n := range 200 {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		enc := AppendBase64([]byte("x"), src)
		if want := "x" + base64.StdEncoding.EncodeToString(src); string(enc) != want {
			t.Fatalf("encode %d bytes: %s, want %s", n, enc, want)
		}
		var s slab
		s.reset(len(enc))
		got, msg := decodeBase64(&s, enc[1:])
		if msg != "" || !bytes.Equal(got, src) {
			t.Fatalf("decode %d bytes: %q %x", n, msg, got)
		}
		// Corrupt one character: accept exactly what strict stdlib accepts.
		bad := bytes.Clone(enc[1:])
		if len(bad) > 0 {
			bad[rng.IntN(len(bad))] = "A=+/!\n"[rng.IntN(6)]
			_, err := strict.DecodeString(string(bad))
			if bytes.ContainsAny(bad, "\n") {
				err = base64.CorruptInputError(0)
			}
			_, msg := decodeBase64(&s, bad)
			if (err == nil) != (msg == "") {
				t.Fatalf("%q: stdlib %v, ours %q", bad, err, msg)
			}
		}
	}
}

func BenchmarkBase64(b *testing.B) {
	src := make([]byte, 100)
	enc := AppendBase64(nil, src)
	b.Run("op=decode/size=100", func(b *testing.B) {
		b.SetBytes(100)
		out := make([]byte, 100)
		for b.Loop() {
			if !base64Decode(out, enc, 2) {
				b.Fatal("bad")
			}
		}
	})
	b.Run("op=decode-stdlib/size=100", func(b *testing.B) {
		b.SetBytes(100)
		out := make([]byte, 100)
		for b.Loop() {
			base64.StdEncoding.Decode(out, enc)
		}
	})
	b.Run("op=encode/size=100", func(b *testing.B) {
		b.SetBytes(100)
		buf := make([]byte, 0, 200)
		for b.Loop() {
			buf = AppendBase64(buf[:0], src)
		}
	})
}
