package streams

import (
	"unicode"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// maxTags is the number of tags a stream or consumer may carry.
const maxTags = 50

// tagCharsError checks keys (and values) for the characters AWS allows:
// Unicode letters, digits, white space and _ . : / = + - @. '%' gets its own
// message, as on AWS. verb is "add tags to" or "remove tags from".
func tagCharsError(verb, name, acct string, strs ...string) error {
	for _, s := range strs {
		for _, r := range s {
			switch {
			case unicode.IsLetter(r), unicode.IsDigit(r), r == ' ':
			case r == '_' || r == '.' || r == ':' || r == '/' || r == '=' || r == '+' || r == '-' || r == '@':
			case r == '%':
				// AWS.
				return awsproto.Errorf(awsproto.InvalidArgument, "Failed to %s stream %s under account %s because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.", verb, name, acct)
			default:
				// AWS.
				return awsproto.Errorf(awsproto.InvalidArgument, "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - %% @.")
			}
		}
	}
	return nil
}

// checkNewTags validates tags being added to a resource that has existing
// tags: characters, and the 50-tag limit counted after the merge.
func checkNewTags(name, acct string, existing, add map[string]string) error {
	for k, v := range add {
		if err := tagCharsError("add tags to", name, acct, k, v); err != nil {
			return err
		}
	}
	n := len(existing)
	for k := range add {
		if _, ok := existing[k]; !ok {
			n++
		}
	}
	if n > maxTags {
		// AWS (the 10-tag era text, with today's limit).
		return awsproto.Errorf(awsproto.InvalidArgument, "Failed to add tags to stream %s under account %s because a given stream cannot have more than %d tags associated with it.", name, acct, maxTags)
	}
	return nil
}
