package streams

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSeqNumRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []SeqNum{
		{},
		{Epoch: 1, Tag: 1, Shard: 1, Record: 1},
		{Epoch: ^uint32(0), Tag: tagMask, Shard: shardMask, Record: ^uint64(0)},
		{Epoch: 1_700_000_000, Tag: 0xabcdef1234, Shard: 42, Record: 7},
	}
	for i := 0; i < 1000; i++ {
		cases = append(cases, SeqNum{Epoch: r.Uint32(), Tag: r.Uint64() & tagMask, Shard: r.Uint64() & shardMask, Record: r.Uint64()})
	}
	for _, c := range cases {
		s := c.String()
		if len(s) != SeqNumLen || !strings.HasPrefix(s, "49") {
			t.Fatalf("%+v -> %q", c, s)
		}
		// The string is the decimal form of the documented layout.
		x := new(big.Int).SetUint64(uint64(c.Epoch))
		x.Lsh(x, 40).Or(x, new(big.Int).SetUint64(c.Tag))
		x.Lsh(x, 40).Or(x, new(big.Int).SetUint64(c.Shard))
		x.Lsh(x, 64).Or(x, new(big.Int).SetUint64(c.Record))
		want := new(big.Int).Mul(big.NewInt(49), new(big.Int).Exp(big.NewInt(10), big.NewInt(54), nil))
		want.Add(want, x)
		if want.String() != s {
			t.Fatalf("%+v -> %s, want %s", c, s, want)
		}
		got, err := ParseSeqNum(s)
		if err != nil || got != c {
			t.Fatalf("parse %s = %+v, %v; want %+v", s, got, err, c)
		}
	}
}

func TestSeqNumOrder(t *testing.T) {
	a := SeqNum{Epoch: 5, Tag: 9, Shard: 1, Record: 1000}
	b := SeqNum{Epoch: 5, Tag: 9, Shard: 1, Record: 1001}
	c := SeqNum{Epoch: 5, Tag: 9, Shard: 2, Record: 1}
	if !(a.Less(b) && b.Less(c)) || a.String() >= b.String() || b.String() >= c.String() {
		t.Fatal("sequence numbers do not order by shard, then record")
	}
}

func TestParseSeqNumRejects(t *testing.T) {
	good := SeqNum{Epoch: 1, Tag: 2, Shard: 3, Record: 4}.String()
	for _, s := range []string{"", "0", "1", good[:55], good + "0", "50" + good[2:],
		"49" + strings.Repeat("9", 54), good[:10] + "x" + good[11:]} {
		if _, err := ParseSeqNum(s); err == nil {
			t.Errorf("accepted %q", s)
		}
	}
}

func BenchmarkSeqNumAppend(b *testing.B) {
	s := SeqNum{Epoch: 1_700_000_000, Tag: 0xabcdef1234, Shard: 42, Record: 7}
	buf := make([]byte, 0, 64)
	base := s.Base()
	for i := 0; i < b.N; i++ {
		buf = base.Append(buf[:0], uint64(i))
	}
}

func BenchmarkParseSeqNum(b *testing.B) {
	s := SeqNum{Epoch: 1_700_000_000, Tag: 0xabcdef1234, Shard: 42, Record: 7}.String()
	for i := 0; i < b.N; i++ {
		if _, err := ParseSeqNum(s); err != nil {
			b.Fatal(err)
		}
	}
}
