package codec

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// TestPatternFastMatchesRegexp checks the fast matcher against regexp on
// random strings built from characters that matter to each pattern.
func TestPatternFastMatchesRegexp(t *testing.T) {
	cases := []struct {
		expr string
		fast bool
	}{
		{`0|([1-9]\d{0,38})`, true},
		{`0|([1-9]\d{0,128})`, true},
		{`[a-zA-Z0-9_.-]+`, true},
		{`[a-z0-9]{20}-[a-z0-9]{3}`, true},
		{`[0-9]+`, true},
		{`UTF-8`, true},
		{`arn:aws.*:kinesis:.*:\d{12}:stream/\S+`, false},
		{`^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+`, false},
		{`[a-z]*a`, false}, // greedy run would eat the final a
		{`^$|[a-zA-Z/_]+`, false},
		{`[\p{L}\p{Z}]*`, false},
	}
	alphabet := "0123456789az-_.:/ aZ\u00e9\n"
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		p := MustPattern(c.expr)
		if got := p.branches != nil; got != c.fast {
			t.Errorf("%q: fast matcher %v, want %v", c.expr, got, c.fast)
		}
		re := regexp.MustCompile(`^(?:` + c.expr + `)$`)
		inputs := []string{"", "0", "00", "01", "10", "a", "abc", "stream-1", "aaaaaaaaaaaaaaaaaaaa-bbb", "UTF-8"}
		for range 3000 {
			n := rng.IntN(45)
			b := make([]rune, n)
			ar := []rune(alphabet)
			for i := range b {
				b[i] = ar[rng.IntN(len(ar))]
			}
			inputs = append(inputs, string(b))
		}
		for _, s := range inputs {
			if got, want := p.Match(s), re.MatchString(s); got != want {
				t.Fatalf("%q.Match(%q) = %v, want %v", c.expr, s, got, want)
			}
		}
	}
}

func BenchmarkPattern(b *testing.B) {
	for _, c := range []struct{ name, expr, in string }{
		{"pattern=hashkey", `0|([1-9]\d{0,38})`, "170141183460469231731687303715884105728"},
		{"pattern=name", `[a-zA-Z0-9_.-]+`, "my-stream-name_01"},
	} {
		p := MustPattern(c.expr)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if !p.Match(c.in) {
					b.Fatal("no match")
				}
			}
		})
	}
}
