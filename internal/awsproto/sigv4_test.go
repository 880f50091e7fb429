package awsproto

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParseSigV4Header(t *testing.T) {
	r, _ := http.NewRequest("POST", "http://x/", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
	r.Header.Set("X-Amz-Date", "20150830T123600Z")
	r.Header.Set("X-Amz-Security-Token", "tok")
	s, err := ParseSigV4(r, "kinesis")
	if err != nil {
		t.Fatal(err)
	}
	want := SigV4{
		Algorithm:     "AWS4-HMAC-SHA256",
		Credential:    "AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request",
		AccessKeyID:   "AKIDEXAMPLE",
		Date:          "20150830",
		Region:        "us-east-1",
		Service:       "kinesis",
		Terminator:    "aws4_request",
		SignedHeaders: "content-type;host;x-amz-date",
		Signature:     "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
		RequestTime:   "20150830T123600Z",
		SecurityToken: "tok",
	}
	if s != want {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
	if got := s.SignedHeaderNames(); !reflect.DeepEqual(got, []string{"content-type", "host", "x-amz-date"}) {
		t.Errorf("SignedHeaderNames %q", got)
	}
	if c := s.Caller(); c != (Caller{AccessKeyID: "AKIDEXAMPLE", Account: DefaultAccount, Region: "us-east-1"}) {
		t.Errorf("Caller %+v", c)
	}
}

func TestParseSigV4Query(t *testing.T) {
	q := url.Values{
		"X-Amz-Algorithm":      {"AWS4-HMAC-SHA256"},
		"X-Amz-Credential":     {"111122223333/20240101/eu-west-1/kinesis/aws4_request"},
		"X-Amz-Signature":      {"abc"},
		"X-Amz-SignedHeaders":  {"host"},
		"X-Amz-Date":           {"20240101T000000Z"},
		"X-Amz-Expires":        {"300"},
		"X-Amz-Security-Token": {"t"},
	}
	r, _ := http.NewRequest("POST", "http://x/?"+q.Encode(), nil)
	s, err := ParseSigV4(r, "kinesis")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Presigned || s.Expires != "300" || s.SecurityToken != "t" || s.Region != "eu-west-1" || s.Caller().Account != "111122223333" {
		t.Errorf("%+v", s)
	}
}

func TestAccountFor(t *testing.T) {
	for key, want := range map[string]string{
		"123456789012":  "123456789012",
		"000000000001":  "000000000001",
		"12345678901":   DefaultAccount,
		"1234567890123": DefaultAccount,
		"12345678901a":  DefaultAccount,
		"AKIDEXAMPLE":   DefaultAccount,
		"":              DefaultAccount,
	} {
		if got := AccountFor(key); got != want {
			t.Errorf("AccountFor(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestParseSigV4Errors(t *testing.T) {
	cases := []struct {
		auth, date, query string
		exc               *Exception
		msg               string
	}{
		{"", "", "", MissingAuthenticationToken, "Missing Authentication Token"},
		{"Bearer abc", "", "", IncompleteSignature, "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc"},
		{"AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=x", "d", "", IncompleteSignature, "Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=x"},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=host, Signature=x", "d", "", IncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d/e/f'"},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request/, SignedHeaders=host, Signature=x", "d", "", IncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d/aws4_request/'"},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/kinesis/x, SignedHeaders=host, Signature=x", "d", "", InvalidSignature, "Credential should be scoped with a valid terminator: 'aws4_request', not 'x'. "},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/s3/aws4_request, SignedHeaders=host, Signature=x", "d", "", InvalidSignature, "Credential should be scoped to correct service: 'kinesis'. "},
		{"x", "", "X-Amz-Algorithm=a", InvalidSignature, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."},
		{"", "", "X-Amz-Algorithm=a&X-Amz-Credential=a%2Fb&X-Amz-Signature=c&X-Amz-SignedHeaders=host&X-Amz-Date=d", IncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b'"},
	}
	for _, c := range cases {
		r, _ := http.NewRequest("POST", "http://x/?"+c.query, nil)
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		if c.date != "" {
			r.Header.Set("X-Amz-Date", c.date)
		}
		_, err := ParseSigV4(r, "kinesis")
		if err == nil || err.Exception != c.exc || err.Message != c.msg {
			t.Errorf("auth %q query %q:\n got %v\nwant %s: %s", c.auth, c.query, err, c.exc.Type, c.msg)
		}
	}
	// No signing name: any service is accepted.
	r, _ := http.NewRequest("POST", "http://x/", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=a/b/c/s3/aws4_request, SignedHeaders=host, Signature=x")
	r.Header.Set("Date", "d")
	if _, err := ParseSigV4(r, ""); err != nil {
		t.Errorf("without a signing name: %v", err)
	}
}

// FuzzParseSigV4 checks that parsing never panics and that what it accepts
// is consistent.
func FuzzParseSigV4(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=ab", "20150830T123600Z", "")
	f.Add("X", "", "X-Amz-Algorithm")
	f.Add("", "", "X-Amz-Algorithm=A&X-Amz-Credential=k%2Fd%2Fr%2Fkinesis%2Faws4_request&X-Amz-Signature=s&X-Amz-SignedHeaders=host&X-Amz-Date=d")
	f.Add("a b,c=d=e, ,Credential==", "x", "%zz&X-Amz-Algorithm=")
	f.Fuzz(func(t *testing.T, auth, date, query string) {
		r := &http.Request{Method: "POST", Header: http.Header{}, URL: &url.URL{Path: "/", RawQuery: query}}
		if auth != "" {
			r.Header["Authorization"] = []string{auth}
		}
		if date != "" {
			r.Header["X-Amz-Date"] = []string{date}
		}
		s, err := ParseSigV4(r, "kinesis")
		if err != nil {
			if err.Exception == nil || err.Message == "" || err.Exception.Status != 400 {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		if s.Terminator != "aws4_request" || s.Service != "kinesis" || s.Signature == "" || s.SignedHeaders == "" || s.RequestTime == "" {
			t.Fatalf("accepted incomplete %+v", s)
		}
		if strings.Join([]string{s.AccessKeyID, s.Date, s.Region, s.Service, s.Terminator}, "/") != s.Credential {
			t.Fatalf("credential parts %+v", s)
		}
		if a := s.Caller().Account; len(a) != 12 {
			t.Fatalf("account %q", a)
		}
	})
}
