package jsontext

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzAppendString checks the hand-written JSON string encoder against
// encoding/json: the decoded value must be what encoding/json would encode.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "ctl\x00\x1f\n\r\t\b\f", "<>&", "\u2028\u2029", "bad\xff\xfeutf8", "日本語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := AppendString(nil, s)
		if !json.Valid(enc) {
			t.Fatalf("invalid JSON %q", enc)
		}
		var got, want string
		if err := json.Unmarshal(enc, &got); err != nil {
			t.Fatal(err)
		}
		ref, _ := json.Marshal(s)
		json.Unmarshal(ref, &want)
		if got != want {
			t.Fatalf("decoded %q, encoding/json gives %q", got, want)
		}
		if !utf8.Valid(enc) {
			t.Fatal("output is not UTF-8")
		}
	})
}
