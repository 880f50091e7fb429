package meta

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestUint128StringAndParse(t *testing.T) {
	cases := []struct {
		u Uint128
		s string
	}{
		{Uint128{}, "0"},
		{Uint128{Lo: 1}, "1"},
		{Uint128{Lo: ^uint64(0)}, "18446744073709551615"},
		{Uint128{Hi: 1}, "18446744073709551616"},
		{Uint128{Lo: pow10_19}, "10000000000000000000"},
		{MaxUint128, "340282366920938463463374607431768211455"},
		{Uint128{Hi: 0x5555555555555555, Lo: 0x5555555555555555}, "113427455640312821154458202477256070485"},
	}
	for _, c := range cases {
		if got := c.u.String(); got != c.s {
			t.Errorf("%#v.String() = %s, want %s", c.u, got, c.s)
		}
		p, err := ParseUint128(c.s)
		if err != nil || p != c.u {
			t.Errorf("ParseUint128(%s) = %#v, %v; want %#v", c.s, p, err, c.u)
		}
	}
}

func TestUint128AgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		// Mix magnitudes so chunk boundaries (10^19 multiples) are covered.
		u := Uint128{Hi: r.Uint64() >> r.UintN(64), Lo: r.Uint64() >> r.UintN(64)}
		want := u.Big().String()
		if got := u.String(); got != want {
			t.Fatalf("%#v: String %s, big %s", u, got, want)
		}
		p, err := ParseUint128(want)
		if err != nil || p != u {
			t.Fatalf("ParseUint128(%s) = %#v, %v", want, p, err)
		}
		back, err := Uint128FromBig(u.Big())
		if err != nil || back != u {
			t.Fatalf("Uint128FromBig round trip %#v: %#v %v", u, back, err)
		}
		v := Uint128{Hi: r.Uint64(), Lo: r.Uint64()}
		sum, over := u.Add(v)
		bs := new(big.Int).Add(u.Big(), v.Big())
		if over != (bs.BitLen() > 128) {
			t.Fatalf("%v + %v: overflow %v", u, v, over)
		}
		if !over && sum.Big().Cmp(bs) != 0 {
			t.Fatalf("%v + %v = %v, want %v", u, v, sum, bs)
		}
		diff, under := u.Sub(v)
		if under != (u.Big().Cmp(v.Big()) < 0) {
			t.Fatalf("%v - %v: underflow %v", u, v, under)
		}
		if !under && diff.Big().Cmp(new(big.Int).Sub(u.Big(), v.Big())) != 0 {
			t.Fatalf("%v - %v = %v", u, v, diff)
		}
		if u.Cmp(v) != u.Big().Cmp(v.Big()) {
			t.Fatalf("Cmp(%v, %v) = %d", u, v, u.Cmp(v))
		}
		if Uint128FromBytes(u.Bytes()) != u {
			t.Fatalf("bytes round trip %v", u)
		}
	}
}

func TestParseUint128Rejects(t *testing.T) {
	for _, s := range []string{"", "-1", "+1", "1a", " 1", "340282366920938463463374607431768211456", "9999999999999999999999999999999999999999"} {
		if u, err := ParseUint128(s); err == nil {
			t.Errorf("ParseUint128(%q) = %v, want an error", s, u)
		}
	}
	if _, err := Uint128FromBig(big.NewInt(-1)); err == nil {
		t.Error("Uint128FromBig(-1) succeeded")
	}
	if _, err := Uint128FromBig(new(big.Int).Lsh(big.NewInt(1), 128)); err == nil {
		t.Error("Uint128FromBig(2^128) succeeded")
	}
}
