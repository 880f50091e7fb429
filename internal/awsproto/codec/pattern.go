package codec

import (
	"fmt"
	"regexp"
	"regexp/syntax"
)

// Pattern is a model pattern constraint. AWS checks that the pattern
// matches the whole value (Java's Matcher.matches), so Match is anchored at
// both ends.
//
// Go's regexp costs 500-700 ns even for a pattern like 0|([1-9]\d{0,38}),
// more than the whole per-record budget of PutRecords, so patterns that are
// a sequence of (repeated) ASCII character classes, or an alternation of such
// sequences starting with disjoint characters, are compiled into a matcher
// that never backtracks (it runs in a few ns). Anything else uses regexp.
type Pattern struct {
	expr     string
	branches [][]patItem // the fast matcher, if the pattern allows one
	re       *regexp.Regexp
	reject   *regexp.Regexp // values matching it fail (Java negative lookaheads)
}

// patItem matches between min and max (-1: unbounded) bytes of set.
type patItem struct {
	set      byteSet
	in       *[256]bool // set as a table, for the matching loop
	min, max int
}

type byteSet [4]uint64

func (s *byteSet) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }
func (s *byteSet) add(c byte)      { s[c>>6] |= 1 << (c & 63) }
func (s *byteSet) union(t *byteSet) {
	s[0], s[1], s[2], s[3] = s[0]|t[0], s[1]|t[1], s[2]|t[2], s[3]|t[3]
}
func (s *byteSet) intersects(t *byteSet) bool {
	return s[0]&t[0]|s[1]&t[1]|s[2]&t[2]|s[3]&t[3] != 0
}

// MustPattern compiles a pattern in Go's regexp syntax (the generator
// translates Java's). It panics on a bad pattern: generated code calls it at
// package initialisation with patterns the generator has already compiled.
func MustPattern(expr string) *Pattern {
	p, err := CompilePattern(expr)
	if err != nil {
		panic(err)
	}
	return p
}

// CompilePattern compiles a pattern in Go's regexp syntax.
func CompilePattern(expr string) (*Pattern, error) {
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, fmt.Errorf("compile pattern %q: %w", expr, err)
	}
	p := &Pattern{expr: expr, re: re}
	if tree, err := syntax.Parse(expr, syntax.Perl); err == nil {
		p.branches = compileFast(tree)
	}
	return p, nil
}

// String returns the pattern as compiled.
func (p *Pattern) String() string { return p.expr }

// Rejecting returns p changed to also require that a value does not match
// the Go pattern reject entirely. The generator uses it for Java patterns
// with a negative lookahead, which RE2 lacks. It panics on a bad pattern.
func (p *Pattern) Rejecting(reject string) *Pattern {
	p.reject = regexp.MustCompile(`^(?:` + reject + `)$`)
	return p
}

// Match reports whether p matches all of s.
func (p *Pattern) Match(s string) bool {
	if p.reject != nil && p.reject.MatchString(s) {
		return false
	}
	if p.branches == nil {
		return p.re.MatchString(s)
	}
	if len(s) == 0 {
		return false // no fast branch matches the empty string
	}
	for _, br := range p.branches {
		if br[0].set.has(s[0]) {
			return matchItems(br, s)
		}
	}
	return false
}

func matchItems(items []patItem, s string) bool {
	pos := 0
	for i := range items {
		it := &items[i]
		in := it.in
		end := len(s)
		if it.max >= 0 && pos+it.max < end {
			end = pos + it.max
		}
		start := pos
		for pos < end && in[s[pos]] {
			pos++
		}
		if pos-start < it.min {
			return false
		}
	}
	return pos == len(s)
}

// compileFast returns the branches of the fast matcher for tree, or nil if
// the pattern needs regexp.
func compileFast(tree *syntax.Regexp) [][]patItem {
	var alts []*syntax.Regexp
	if tree.Op == syntax.OpAlternate {
		alts = tree.Sub
	} else {
		alts = []*syntax.Regexp{tree}
	}
	var branches [][]patItem
	var firsts byteSet
	for _, alt := range alts {
		items, ok := flatten(alt, nil)
		if !ok || len(items) == 0 || items[0].min == 0 || !deterministic(items) {
			return nil
		}
		if firsts.intersects(&items[0].set) {
			return nil
		}
		firsts.union(&items[0].set)
		for i := range items {
			items[i].in = new([256]bool)
			for c := range 256 {
				items[i].in[c] = items[i].set.has(byte(c))
			}
		}
		branches = append(branches, items)
	}
	return branches
}

// flatten turns a concatenation of ASCII classes, literals and repeats of
// them into items.
func flatten(re *syntax.Regexp, items []patItem) ([]patItem, bool) {
	switch re.Op {
	case syntax.OpCapture:
		return flatten(re.Sub[0], items)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			var ok bool
			if items, ok = flatten(sub, items); !ok {
				return nil, false
			}
		}
		return items, true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		for _, r := range re.Rune {
			if r >= 0x80 {
				return nil, false
			}
			var s byteSet
			s.add(byte(r))
			items = append(items, patItem{set: s, min: 1, max: 1})
		}
		return items, true
	case syntax.OpCharClass:
		s, ok := classSet(re)
		if !ok {
			return nil, false
		}
		return append(items, patItem{set: s, min: 1, max: 1}), true
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		if re.Flags&syntax.NonGreedy != 0 {
			return nil, false
		}
		sub, ok := flatten(re.Sub[0], nil)
		if !ok || len(sub) != 1 || sub[0].min != 1 || sub[0].max != 1 {
			return nil, false
		}
		it := patItem{set: sub[0].set}
		switch re.Op {
		case syntax.OpStar:
			it.min, it.max = 0, -1
		case syntax.OpPlus:
			it.min, it.max = 1, -1
		case syntax.OpQuest:
			it.min, it.max = 0, 1
		default:
			it.min, it.max = re.Min, re.Max
		}
		return append(items, it), true
	}
	return nil, false
}

func classSet(re *syntax.Regexp) (byteSet, bool) {
	var s byteSet
	for i := 0; i < len(re.Rune); i += 2 {
		lo, hi := re.Rune[i], re.Rune[i+1]
		if hi >= 0x80 {
			return s, false
		}
		for c := lo; c <= hi; c++ {
			s.add(byte(c))
		}
	}
	return s, true
}

// deterministic reports whether matching items greedily without ever
// giving characters back is exact: every item of variable length must stop
// at a character that the rest of the pattern cannot start with.
func deterministic(items []patItem) bool {
	for i := range items {
		if items[i].min == items[i].max {
			continue
		}
		var follow byteSet
		for j := i + 1; j < len(items); j++ {
			follow.union(&items[j].set)
			if items[j].min > 0 {
				break
			}
		}
		if items[i].set.intersects(&follow) {
			return false
		}
	}
	return true
}
