package awsproto

import (
	"net/http"
	"strings"
	"testing"
)

func TestAppendErrorBodyJSON(t *testing.T) {
	cases := []struct {
		e    *Error
		want string
	}{
		{&Error{Exception: UnknownOperation}, `{"__type":"UnknownOperationException"}`},
		{&Error{Exception: Serialization, Message: "Start of list found where not expected"}, `{"__type":"SerializationException","Message":"Start of list found where not expected"}`},
		{&Error{Exception: ResourceNotFound, Message: `Stream "a<b>&c" not found.`}, `{"__type":"ResourceNotFoundException","message":"Stream \"a<b>&c\" not found."}`},
	}
	for _, c := range cases {
		if got := string(AppendErrorBody(nil, JSON, c.e)); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
}

func TestAppendCBORText(t *testing.T) {
	for n, prefix := range map[int]string{0: "\x60", 23: "\x77", 24: "\x78\x18", 255: "\x78\xff", 256: "\x79\x01\x00", 65536: "\x7a\x00\x01\x00\x00"} {
		s := strings.Repeat("a", n)
		if got := string(appendCBORText(nil, s)); got != prefix+s {
			t.Errorf("length %d: prefix %x", n, got[:len(got)-n])
		}
	}
}

func TestIDHeaders(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		h := http.Header{}
		id := setIDHeaders(h, true)
		if !uuidRE.MatchString(id) || h[hdrRequestID][0] != id {
			t.Fatalf("bad id %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		if len(h[hdrID2][0]) != 96 {
			t.Fatalf("x-amz-id-2 %q", h[hdrID2][0])
		}
	}
	h := http.Header{}
	setIDHeaders(h, false)
	if _, ok := h[hdrID2]; ok {
		t.Error("x-amz-id-2 set when not asked for")
	}
}

func TestJSONObjectOrArray(t *testing.T) {
	for body, want := range map[string]bool{
		"{}": true, " [1] ": true, `{"a":1}`: true, "": false, "hello": false, "true": false,
		"null": false, `"s"`: false, "{": false, "{} x": false, "\n\t{}": true,
	} {
		if got := jsonObjectOrArray([]byte(body)); got != want {
			t.Errorf("%q: %v", body, got)
		}
	}
}
