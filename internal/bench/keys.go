package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// KeyDist is how producers choose partition keys.
type KeyDist struct {
	// Kind is "uniform" (a random 64-bit key per record), "hot" (a share of
	// the records under one key, the rest uniform) or "fixed" (K keys, chosen
	// uniformly).
	Kind string
	// HotShare is the share of records under the hot key (hot only).
	HotShare float64
	// K is the number of keys (fixed only).
	K int
}

// ParseKeyDist reads "uniform", "hot", "hot:0.8", "fixed:100".
func ParseKeyDist(s string) (KeyDist, error) {
	name, arg, hasArg := strings.Cut(s, ":")
	switch name {
	case "uniform":
		if hasArg {
			return KeyDist{}, fmt.Errorf("key distribution %q: uniform takes no argument", s)
		}
		return KeyDist{Kind: "uniform"}, nil
	case "hot":
		d := KeyDist{Kind: "hot", HotShare: 0.9}
		if hasArg {
			v, err := strconv.ParseFloat(arg, 64)
			if err != nil || v <= 0 || v > 1 {
				return KeyDist{}, fmt.Errorf("key distribution %q: the hot share must be in (0, 1]", s)
			}
			d.HotShare = v
		}
		return d, nil
	case "fixed":
		k, err := strconv.Atoi(arg)
		if !hasArg || err != nil || k < 1 {
			return KeyDist{}, fmt.Errorf("key distribution %q: want fixed:K with K >= 1", s)
		}
		return KeyDist{Kind: "fixed", K: k}, nil
	}
	return KeyDist{}, fmt.Errorf("key distribution %q: want uniform, hot[:SHARE] or fixed:K", s)
}

func (d KeyDist) String() string {
	switch d.Kind {
	case "hot":
		return "hot:" + strconv.FormatFloat(d.HotShare, 'g', -1, 64)
	case "fixed":
		return "fixed:" + strconv.Itoa(d.K)
	}
	return "uniform"
}

// keyGen appends partition keys. Keys are plain ASCII (no JSON escaping).
type keyGen struct {
	d     KeyDist
	r     *rand.Rand
	fixed []string
}

const hotKey = "hot-key"

func newKeyGen(d KeyDist, r *rand.Rand) *keyGen {
	g := &keyGen{d: d, r: r}
	if d.Kind == "fixed" {
		g.fixed = make([]string, d.K)
		for i := range g.fixed {
			g.fixed[i] = "key-" + strconv.Itoa(i)
		}
	}
	return g
}

// next appends a key to dst.
func (g *keyGen) next(dst []byte) []byte {
	switch g.d.Kind {
	case "fixed":
		return append(dst, g.fixed[g.r.IntN(len(g.fixed))]...)
	case "hot":
		if g.r.Float64() < g.d.HotShare {
			return append(dst, hotKey...)
		}
	}
	const hex = "0123456789abcdef"
	v := g.r.Uint64()
	for i := 60; i >= 0; i -= 4 {
		dst = append(dst, hex[(v>>uint(i))&15])
	}
	return dst
}

// keyHashBytes is KeyHash over bytes.
func keyHashBytes(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}
