package streams

import (
	"bytes"
	"encoding/base64"
	"testing"
)

func testCodec(t testing.TB) *iteratorCodec {
	c, err := newIteratorCodec(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestIteratorRoundTrip(t *testing.T) {
	c := testCodec(t)
	tok := iteratorToken{Epoch: 1_700_000_000, Tag: 0xabcdef, Shard: 3, Position: 99, IssuedMs: 1_700_000_000_123}
	s := c.Seal(tok)
	if len(s) != IteratorTokenLen || len(s) > 512 {
		t.Fatalf("len %d", len(s))
	}
	got, err := c.Open(s)
	if err != nil || got != tok {
		t.Fatalf("got %+v %v", got, err)
	}
	if c.Seal(tok) == s {
		t.Fatal("two seals of the same token are identical: nonce not random")
	}
}

func TestIteratorTamperRejected(t *testing.T) {
	c := testCodec(t)
	s := c.Seal(iteratorToken{Shard: 1, Position: 5})
	raw, _ := base64.StdEncoding.DecodeString(s)
	for i := range raw {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		if _, err := c.Open(base64.StdEncoding.EncodeToString(b)); err == nil {
			t.Fatalf("flipping byte %d accepted", i)
		}
	}
	other, _ := newIteratorCodec(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(s); err == nil {
		t.Fatal("token from another key accepted")
	}
	for _, bad := range []string{"", "AAAA", s[:len(s)-1], s + "A", "!" + s[1:]} {
		if _, err := c.Open(bad); err == nil {
			t.Fatalf("accepted %q", bad)
		}
	}
}

func FuzzIteratorOpen(f *testing.F) {
	c := testCodec(f)
	f.Add(c.Seal(iteratorToken{Shard: 1, Position: 5}))
	f.Add("")
	f.Add("AAAAAAAAAAGt")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := c.Open(s)
		if err == nil && c.Seal(tok) == "" {
			t.Fatal("unreachable")
		}
	})
}

func BenchmarkIteratorSealOpen(b *testing.B) {
	c := testCodec(b)
	tok := iteratorToken{Epoch: 1, Tag: 2, Shard: 3, Position: 4, IssuedMs: 5}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := c.Open(c.Seal(tok)); err != nil {
			b.Fatal(err)
		}
	}
}
