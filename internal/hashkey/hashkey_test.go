package hashkey

import (
	"math/big"
	"testing"
)

func TestDecimalRoundTrip(t *testing.T) {
	for _, s := range []string{"0", "1", "18446744073709551615", "18446744073709551616",
		"170141183460469231731687303715884105727", "340282366920938463463374607431768211455"} {
		h, err := Parse(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got := h.String(); got != s {
			t.Fatalf("round trip %s -> %s", s, got)
		}
	}
	if _, err := Parse("340282366920938463463374607431768211456"); err == nil {
		t.Fatal("2^128 accepted")
	}
}

func TestFromPartitionKey(t *testing.T) {
	// md5("a") = 0cc175b9c0f1b6a831c399e269772661
	want, _ := new(big.Int).SetString("0cc175b9c0f1b6a831c399e269772661", 16)
	if got := FromPartitionKey("a").String(); got != want.String() {
		t.Fatalf("got %s want %s", got, want)
	}
}

func TestSplitEvenly(t *testing.T) {
	// The ranges CreateStream gives a 3-shard stream.
	want := [][2]string{
		{"0", "113427455640312821154458202477256070484"},
		{"113427455640312821154458202477256070485", "226854911280625642308916404954512140969"},
		{"226854911280625642308916404954512140970", "340282366920938463463374607431768211455"},
	}
	got := SplitEvenly(3)
	for i, r := range got {
		if r.Start.String() != want[i][0] || r.End.String() != want[i][1] {
			t.Fatalf("shard %d: %s-%s", i, r.Start, r.End)
		}
	}
	for _, n := range []int{1, 2, 4, 5, 7, 10, 1000, 10000} {
		rs := SplitEvenly(n)
		two128 := new(big.Int).Lsh(big.NewInt(1), 128)
		step := new(big.Int).Div(two128, big.NewInt(int64(n)))
		for i, r := range rs {
			s := new(big.Int).Mul(step, big.NewInt(int64(i)))
			if r.Start.String() != s.String() {
				t.Fatalf("n=%d shard %d start %s want %s", n, i, r.Start, s)
			}
		}
		if rs[n-1].End != Max {
			t.Fatalf("n=%d last end %s", n, rs[n-1].End)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "1", "340282366920938463463374607431768211455", "340282366920938463463374607431768211456", "-1", "0x10", "", "007"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := Parse(s)
		want, ok := new(big.Int).SetString(s, 10)
		inRange := ok && want.Sign() >= 0 && want.BitLen() <= 128 && s[0] != '+' && s[0] != '-'
		if (err == nil) != inRange {
			t.Fatalf("Parse(%q) err=%v, big says in range=%v", s, err, inRange)
		}
		if err == nil && k.String() != want.String() {
			t.Fatalf("Parse(%q) = %s, want %s", s, k, want)
		}
	})
}
