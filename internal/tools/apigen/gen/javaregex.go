package gen

import (
	"fmt"
	"regexp"
	"strings"
)

// goPattern translates a model pattern (Java regular expression syntax, as
// AWS evaluates it) into Go's RE2 syntax where the two differ in ways the
// models use: \uXXXX escapes become \x{XXXX}, and possessive quantifiers
// (X*+, X++, X?+, X{n,m}+) become greedy ones, which accept the same strings
// whenever the quantified item cannot also match what follows it (true of
// the models' uses, e.g. \d{12}+:). Lookarounds have no RE2 equivalent and
// are reported as errors.
func goPattern(java string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(java); i++ {
		c := java[i]
		switch {
		case c == '\\' && i+1 < len(java):
			if java[i+1] == 'u' && i+5 < len(java) && isHex(java[i+2:i+6]) {
				fmt.Fprintf(&b, `\x{%s}`, java[i+2:i+6])
				i += 5
				continue
			}
			b.WriteString(java[i : i+2])
			i++
			continue
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			// A ']' right after '[' or '[^' is a literal.
			b.WriteByte(c)
			if i+1 < len(java) && java[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(java) && java[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
			continue
		case c == '(' && strings.HasPrefix(java[i:], "(?") && len(java) > i+2 && strings.ContainsRune("=!<", rune(java[i+2])):
			if java[i+2] != '<' || (len(java) > i+3 && strings.ContainsRune("=!", rune(java[i+3]))) {
				return "", fmt.Errorf("pattern %q uses a lookaround, which Go's regexp lacks", java)
			}
		case (c == '*' || c == '+' || c == '?' || c == '}') && i+1 < len(java) && java[i+1] == '+':
			b.WriteByte(c)
			i++ // drop the possessive '+'
			continue
		}
		b.WriteByte(c)
	}
	out := b.String()
	if _, err := regexp.Compile(`^(?:` + out + `)$`); err != nil {
		return "", fmt.Errorf("pattern %q: %w", java, err)
	}
	return out, nil
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}
