package vfs

import (
	"math/rand/v2"
	"testing"
)

// TestSpansMatchModel checks the span set against a plain bitmap.
func TestSpansMatchModel(t *testing.T) {
	const size = 200
	rng := rand.New(rand.NewPCG(3, 4))
	var s spans
	var model [size]bool
	count := func(lo, hi int) int64 {
		var c int64
		for i := lo; i < hi; i++ {
			if model[i] {
				c++
			}
		}
		return c
	}
	for step := range 20000 {
		lo := rng.IntN(size)
		hi := lo + rng.IntN(size-lo+1)
		switch rng.IntN(3) {
		case 0:
			want := int64(hi-lo) - count(lo, hi)
			if got := s.add(int64(lo), int64(hi)); got != want {
				t.Fatalf("step %d: add(%d,%d) = %d, want %d", step, lo, hi, got, want)
			}
			for i := lo; i < hi; i++ {
				model[i] = true
			}
		case 1:
			want := count(lo, hi)
			if got := s.remove(int64(lo), int64(hi)); got != want {
				t.Fatalf("step %d: remove(%d,%d) = %d, want %d", step, lo, hi, got, want)
			}
			for i := lo; i < hi; i++ {
				model[i] = false
			}
		default:
			budget := int64(rng.IntN(size / 4))
			want, need := int64(0), int64(0)
			for i := lo; i < hi; i++ {
				if !model[i] {
					need++
				}
				if need > budget {
					break
				}
				want++
			}
			if got := s.fit(int64(lo), int64(hi-lo), budget); got != want {
				t.Fatalf("step %d: fit(%d,%d,%d) = %d, want %d", step, lo, hi-lo, budget, got, want)
			}
		}
		if got, want := s.total(), count(0, size); got != want {
			t.Fatalf("step %d: total %d, want %d", step, got, want)
		}
		for i := 1; i < len(s); i++ {
			if s[i-1].hi >= s[i].lo || s[i].lo >= s[i].hi {
				t.Fatalf("step %d: spans not sorted, disjoint and merged: %v", step, s)
			}
		}
	}
}
