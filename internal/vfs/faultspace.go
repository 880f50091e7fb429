package vfs

import (
	"math"
	"slices"
	"sort"
)

// spans is a set of byte ranges of one file that hold storage, kept sorted
// and disjoint (touching ranges are merged). The Fault uses it to charge a
// write only for the bytes that need new space (an overwrite is free, filling
// a punched hole is not) and to know what a Truncate, PunchHole or Remove
// gives back.
type spans []span

type span struct{ lo, hi int64 }

// first returns the index of the first span that ends after lo.
func (s spans) first(lo int64) int {
	return sort.Search(len(s), func(i int) bool { return s[i].hi > lo })
}

// covered returns how many bytes of [lo, hi) are in the set.
func (s spans) covered(lo, hi int64) int64 {
	var c int64
	for i := s.first(lo); i < len(s) && s[i].lo < hi; i++ {
		c += min(hi, s[i].hi) - max(lo, s[i].lo)
	}
	return c
}

// total returns the number of bytes in the set.
func (s spans) total() int64 {
	var t int64
	for _, sp := range s {
		t += sp.hi - sp.lo
	}
	return t
}

// add puts [lo, hi) in the set and returns how many bytes were new.
func (s *spans) add(lo, hi int64) int64 {
	if lo >= hi {
		return 0
	}
	added := hi - lo - s.covered(lo, hi)
	ss := *s
	// Merge with every span that overlaps or touches [lo, hi).
	i := sort.Search(len(ss), func(i int) bool { return ss[i].hi >= lo })
	j := i
	for ; j < len(ss) && ss[j].lo <= hi; j++ {
		lo, hi = min(lo, ss[j].lo), max(hi, ss[j].hi)
	}
	*s = slices.Replace(ss, i, j, span{lo, hi})
	return added
}

// remove takes [lo, hi) out of the set and returns how many bytes it held.
func (s *spans) remove(lo, hi int64) int64 {
	if lo >= hi {
		return 0
	}
	removed := s.covered(lo, hi)
	ss := *s
	i := ss.first(lo)
	j := i
	var keep []span
	for ; j < len(ss) && ss[j].lo < hi; j++ {
		if ss[j].lo < lo {
			keep = append(keep, span{ss[j].lo, lo})
		}
		if ss[j].hi > hi {
			keep = append(keep, span{hi, ss[j].hi})
		}
	}
	*s = slices.Replace(ss, i, j, keep...)
	return removed
}

// fit returns the longest prefix [lo, lo+k) of [lo, lo+n) that needs at most
// budget new bytes: how much of a write fits in the free space left.
func (s spans) fit(lo, n, budget int64) int64 {
	hi := lo + n
	pos := lo
	for i := s.first(lo); pos < hi; {
		if i < len(s) && s[i].lo <= pos { // already allocated from pos on
			pos = min(hi, s[i].hi)
			i++
			continue
		}
		gapEnd := hi
		if i < len(s) {
			gapEnd = min(hi, s[i].lo)
		}
		if gap := gapEnd - pos; gap > budget {
			return pos + budget - lo
		} else {
			budget -= gap
		}
		pos = gapEnd
	}
	return n
}

// end returns off+n, saturating instead of overflowing.
func end(off, n int64) int64 {
	if n > math.MaxInt64-off {
		return math.MaxInt64
	}
	return off + n
}
