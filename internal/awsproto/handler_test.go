package awsproto

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

var uuidRE = regexp.MustCompile(`^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$`)

// checkCommon asserts what every response carries.
func checkCommon(t *testing.T, name string, r resp, wantID2 bool) {
	t.Helper()
	if id := r.header.Get("X-Amzn-Requestid"); !uuidRE.MatchString(id) {
		t.Errorf("%s: x-amzn-RequestId %q is not a v4 UUID", name, id)
	}
	id2 := r.header.Get("X-Amz-Id-2")
	if !wantID2 {
		if id2 != "" {
			t.Errorf("%s: unexpected x-amz-id-2", name)
		}
	} else if raw, err := base64.StdEncoding.DecodeString(id2); err != nil || len(raw) < 64 || len(raw) > 80 {
		t.Errorf("%s: x-amz-id-2 %q: %d bytes, %v", name, id2, len(raw), err)
	}
	if got := r.header.Get("Content-Length"); got != strconv.Itoa(len(r.body)) {
		t.Errorf("%s: Content-Length %q for %d bytes", name, got, len(r.body))
	}
	if r.header.Get("Date") == "" {
		t.Errorf("%s: no Date header", name)
	}
}

// TestProtocolErrors replays the protocol-level cases that kinesalite's
// connection tests established against AWS (see PROTOCOL.md).
func TestProtocolErrors(t *testing.T) {
	srv, _, _ := newTestServer(t, HandlerOptions{})
	target := testPrefix + ".ListStreams"
	xmlDenied := xmlAccessDenied
	jsonErr := func(typ, msg string) string {
		if msg == "" {
			return `{"__type":"` + typ + `"}`
		}
		return `{"__type":"` + typ + `","message":` + strconv.Quote(msg) + `}`
	}
	incompleteHeaderX := "Authorization header requires 'Credential' parameter. " +
		"Authorization header requires 'Signature' parameter. " +
		"Authorization header requires 'SignedHeaders' parameter. " +
		"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
		"Authorization=X"
	cases := []struct {
		name   string
		req    req
		status int
		ctype  string // "" means the header must be absent
		body   string
	}{
		{"GET", req{method: "GET", sign: true}, 403, "", xmlDenied},
		{"PUT", req{method: "PUT", sign: true}, 403, "", xmlDenied},
		{"DELETE", req{method: "DELETE", sign: true}, 403, "", xmlDenied},
		{"GET other path", req{method: "GET", path: "/whatever"}, 403, "", xmlDenied},
		{"POST nothing", req{}, 400, ContentTypeCBOR, string(cborError("UnknownOperationException"))},
		{"POST nothing signed", req{sign: true}, 400, ContentTypeCBOR, string(cborError("UnknownOperationException"))},
		{"body, no content type", req{body: "{}", sign: true}, 403, "", xmlDenied},
		{"x-amz-json-1.0", req{headers: map[string]string{"Content-Type": "application/x-amz-json-1.0"}}, 400, ContentTypeCBOR, string(cborError("UnknownOperationException"))},
		{"x-amz-json-1.0 with body and target", req{headers: map[string]string{"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target}, body: "{}"}, 404, "", xmlUnknownOperation},
		{"random content type", req{headers: map[string]string{"Content-Type": "application/x-amz-json-1.1asdf"}}, 400, ContentTypeCBOR, string(cborError("UnknownOperationException"))},
		{"random target", req{headers: map[string]string{"X-Amz-Target": "Whatever"}}, 400, ContentTypeCBOR, string(cborError("UnknownOperationException"))},
		{"empty action", req{headers: map[string]string{"X-Amz-Target": testPrefix + "."}}, 400, ContentTypeCBOR, string(cborError("UnknownOperationException"))},
		{"random action", req{headers: map[string]string{"X-Amz-Target": testPrefix + ".Whatever"}}, 400, ContentTypeCBOR, string(cborError("UnknownOperationException"))},
		{"random service and action", req{headers: map[string]string{"X-Amz-Target": "Whatever.Whatever"}}, 400, ContentTypeCBOR, string(cborError("UnknownOperationException"))},
		{"incomplete action", req{headers: map[string]string{"X-Amz-Target": testPrefix + ".ListStream"}}, 400, ContentTypeCBOR, string(cborError("UnknownOperationException"))},
		{"valid target, no content type", req{headers: map[string]string{"X-Amz-Target": target}}, 400, ContentTypeCBOR, string(cborError("SerializationException"))},
		{"JSON, no target", req{headers: map[string]string{"Content-Type": ctJSON}, sign: true}, 400, ctJSON, jsonErr("UnknownOperationException", "")},
		{"JSON, no target, body", req{headers: map[string]string{"Content-Type": ctJSON}, body: "{}"}, 400, ctJSON, jsonErr("UnknownOperationException", "")},
		{"JSON, bad body, no target", req{headers: map[string]string{"Content-Type": ctJSON}, body: "hello"}, 400, ctJSON, jsonErr("SerializationException", "")},
		{"application/json, no target", req{headers: map[string]string{"Content-Type": "application/json"}}, 400, ContentTypeCBOR, string(cborError("UnknownOperationException"))},
		{"application/json, target, no body", req{headers: map[string]string{"Content-Type": "application/json", "X-Amz-Target": target}}, 400, ContentTypeCBOR, string(cborError("SerializationException"))},
		{"JSON, no body", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target}, sign: true}, 400, ctJSON, jsonErr("SerializationException", "")},
		{"JSON, no body, no auth", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target}}, 400, ctJSON, jsonErr("SerializationException", "")},
		{"JSON, non-JSON body", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target}, body: "hello"}, 400, ctJSON, jsonErr("SerializationException", "")},
		{"JSON, scalar body", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target}, body: "true", sign: true}, 400, ctJSON, jsonErr("SerializationException", "")},
		{"application/json, body", req{headers: map[string]string{"Content-Type": "application/json", "X-Amz-Target": target}, body: "{}"}, 200, "application/json", deprecatedUnknownOperation},
		{"application/json, bad body", req{headers: map[string]string{"Content-Type": "application/json", "X-Amz-Target": target}, body: "hello"}, 200, "application/json", deprecatedSerialization},
		{"application/json with spaces", req{headers: map[string]string{"Content-Type": "     application/json     ;", "X-Amz-Target": target}, body: "hello"}, 200, "application/json", deprecatedSerialization},
		{"no auth", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target}, body: "{}"}, 400, ctJSON, jsonErr("MissingAuthenticationTokenException", "Missing Authentication Token")},
		{"no auth, content type with spaces", req{headers: map[string]string{"Content-Type": "   application/x-amz-json-1.1   ;whatever", "X-Amz-Target": target}, body: "{}"}, 400, ctJSON, jsonErr("MissingAuthenticationTokenException", "Missing Authentication Token")},
		{"bad body beats no auth", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target}, body: "{nope"}, 400, ctJSON, jsonErr("SerializationException", "")},
		{"invalid auth", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target, "Authorization": "X"}, body: "{}"}, 400, ctJSON, jsonErr("IncompleteSignatureException", incompleteHeaderX)},
		{"invalid auth and incomplete query", req{path: "/?X-Amz-Algorith", headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target, "Authorization": "X"}, body: "{}"}, 400, ctJSON, jsonErr("IncompleteSignatureException", incompleteHeaderX)},
		{"query without algorithm", req{path: "/?X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d", headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target}, body: "{}"}, 400, ctJSON, jsonErr("MissingAuthenticationTokenException", "Missing Authentication Token")},
		{"header and query", req{path: "/?X-Amz-Algorithm", headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target, "Authorization": "X"}, body: "{}"}, 400, ctJSON, jsonErr("InvalidSignatureException", "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")},
		{"spaces", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target, "Authorization": "AWS4- Signature=b Credential=a", "Date": "a"}, body: "{}"}, 400, ctJSON, jsonErr("IncompleteSignatureException", "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b Credential=a")},
		{"comma", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target, "Authorization": "AWS4- Signature=b,Credential=a", "Date": "a"}, body: "{}"}, 400, ctJSON, jsonErr("IncompleteSignatureException", "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b,Credential=a")},
		{"comma space", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target, "Authorization": "AWS4- Signature=b, Credential=a", "Date": "a"}, body: "{}"}, 400, ctJSON, jsonErr("IncompleteSignatureException", "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a")},
		{"empty algorithm query", req{path: "/?X-Amz-Algorithm", headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target}, body: "{}"}, 400, ctJSON, jsonErr("IncompleteSignatureException",
			"AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.")},
		{"query without signed headers", req{path: "/?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d", headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target}, body: "{}"}, 400, ctJSON, jsonErr("IncompleteSignatureException", "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.")},
		{"credential not 5 parts", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target, "Authorization": "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=c", "X-Amz-Date": "d"}, body: "{}"}, 400, ctJSON, jsonErr("IncompleteSignatureException", "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b'")},
		{"wrong service", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target, "Authorization": "AWS4-HMAC-SHA256 Credential=a/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=c", "X-Amz-Date": "d"}, body: "{}"}, 400, ctJSON, jsonErr("InvalidSignatureException", "Credential should be scoped to correct service: 'kinesis'. ")},
		{"wrong terminator", req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": target, "Authorization": "AWS4-HMAC-SHA256 Credential=a/20240101/us-east-1/kinesis/aws4_reques, SignedHeaders=host, Signature=c", "X-Amz-Date": "d"}, body: "{}"}, 400, ctJSON, jsonErr("InvalidSignatureException", "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reques'. ")},
		{"CBOR unknown op with body", req{headers: map[string]string{"Content-Type": ContentTypeCBOR, "X-Amz-Target": testPrefix + ".Nope"}, body: "\xa0"}, 400, ContentTypeCBOR, string(cborError("UnknownOperationException"))},
		{"CBOR no auth", req{headers: map[string]string{"Content-Type": ContentTypeCBOR, "X-Amz-Target": target}, body: "\xa0"}, 400, ContentTypeCBOR,
			string(AppendErrorBody(nil, CBOR, &Error{Exception: MissingAuthenticationToken, Message: "Missing Authentication Token"}))},
	}
	for _, c := range cases {
		r := do(t, srv, c.req)
		if r.status != c.status || string(r.body) != c.body {
			t.Errorf("%s: got %d %q, want %d %q", c.name, r.status, r.body, c.status, c.body)
		}
		if got, ok := r.header["Content-Type"]; c.ctype == "" && ok {
			t.Errorf("%s: Content-Type %q, want none", c.name, got)
		} else if c.ctype != "" && r.header.Get("Content-Type") != c.ctype {
			t.Errorf("%s: Content-Type %q, want %q", c.name, r.header.Get("Content-Type"), c.ctype)
		}
		wantErrorType := c.status >= 400 && c.ctype != ""
		if got := r.header.Get("X-Amzn-Errortype"); wantErrorType && got == "" {
			t.Errorf("%s: no x-amzn-ErrorType", c.name)
		} else if !wantErrorType && got != "" {
			t.Errorf("%s: unexpected x-amzn-ErrorType %q", c.name, got)
		}
		checkCommon(t, c.name, r, true)
	}
}

func TestCBORErrorBytesMatchAWS(t *testing.T) {
	// The exact bytes AWS sends (kinesalite's tests, checked against AWS).
	want := map[string]string{
		"UnknownOperationException": "bf665f5f747970657819" + hex.EncodeToString([]byte("UnknownOperationException")) + "ff",
		"SerializationException":    "bf665f5f7479706576" + hex.EncodeToString([]byte("SerializationException")) + "ff",
	}
	for typ, w := range want {
		if got := hex.EncodeToString(cborError(typ)); got != w {
			t.Errorf("%s: %s, want %s", typ, got, w)
		}
	}
}

func TestCORS(t *testing.T) {
	srv, _, _ := newTestServer(t, HandlerOptions{})
	r := do(t, srv, req{headers: map[string]string{"Origin": "whatever"}})
	if r.header.Get("Access-Control-Allow-Origin") != "*" ||
		r.header.Get("Access-Control-Expose-Headers") != "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date" {
		t.Errorf("CORS headers: %v", r.header)
	}
	if !bytes.Equal(r.body, cborError("UnknownOperationException")) {
		t.Errorf("body %x", r.body)
	}
	for _, sign := range []bool{false, true} {
		r = do(t, srv, req{method: "OPTIONS", sign: sign, headers: map[string]string{
			"Origin": "whatever", "Access-Control-Request-Headers": "a, b, c", "Access-Control-Request-Method": "d"}})
		if r.status != 200 || len(r.body) != 0 || r.header.Get("Access-Control-Allow-Origin") != "*" ||
			r.header.Get("Access-Control-Max-Age") != "172800" || r.header.Get("Access-Control-Allow-Headers") != "a, b, c" ||
			r.header.Get("Access-Control-Allow-Methods") != "d" {
			t.Errorf("preflight: %d %v", r.status, r.header)
		}
		if _, ok := r.header["Content-Type"]; ok {
			t.Error("preflight has a Content-Type")
		}
		checkCommon(t, "preflight", r, false)
	}
	// OPTIONS without Origin is just another non-POST.
	r = do(t, srv, req{method: "OPTIONS"})
	if r.status != 403 || string(r.body) != xmlAccessDenied {
		t.Errorf("OPTIONS without Origin: %d %q", r.status, r.body)
	}
}

func TestSuccessAndCaller(t *testing.T) {
	srv, _, _ := newTestServer(t, HandlerOptions{})
	r := do(t, srv, req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": testPrefix + ".ListStreams"}, body: `{"Name":"s1"}`, sign: true})
	if r.status != 200 || r.header.Get("Content-Type") != ctJSON {
		t.Fatalf("got %d %s %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	var out testOutput
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	if out != (testOutput{Name: "s1", Account: "123456789012", Region: "eu-central-1", AccessKey: "123456789012"}) {
		t.Errorf("output %+v", out)
	}
	checkCommon(t, "success", r, true)
	if r.header.Get("X-Amzn-Errortype") != "" {
		t.Error("x-amzn-ErrorType on a success")
	}

	// A presigned request, an access key that is not an account, and the
	// Date header standing in for X-Amz-Date.
	r = do(t, srv, req{path: "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240101%2Fap-south-1%2Fkinesis%2Faws4_request&X-Amz-Signature=ab&X-Amz-SignedHeaders=host&X-Amz-Date=20240101T000000Z",
		headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": testPrefix + ".ListStreams"}, body: `{}`})
	json.Unmarshal(r.body, &out)
	if r.status != 200 || out.Account != DefaultAccount || out.Region != "ap-south-1" || out.AccessKey != "AKIDEXAMPLE" {
		t.Errorf("presigned: %d %q", r.status, r.body)
	}
	r = do(t, srv, req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": testPrefix + ".ListStreams",
		"Authorization": "AWS4-HMAC-SHA256 Credential=k/20240101/us-east-2/kinesis/aws4_request, SignedHeaders=host;date, Signature=ab", "Date": "Mon, 01 Jan 2024 00:00:00 GMT"}, body: `{}`})
	if r.status != 200 {
		t.Errorf("Date header: %d %q", r.status, r.body)
	}

	// A nil Output is an empty body.
	r = do(t, srv, req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": testPrefix + ".AddTagsToStream"}, body: `{}`, sign: true})
	if r.status != 200 || len(r.body) != 0 || r.header.Get("Content-Length") != "0" || r.header.Get("Content-Type") != ctJSON {
		t.Errorf("empty output: %d %v %q", r.status, r.header, r.body)
	}

	// CBOR in, CBOR out.
	cborReq := append([]byte{0xbf}, appendCBORText(appendCBORText(nil, "Name"), "s2")...)
	cborReq = append(cborReq, 0xff)
	r = do(t, srv, req{headers: map[string]string{"Content-Type": ContentTypeCBOR, "X-Amz-Target": testPrefix + ".ListStreams"}, body: string(cborReq), sign: true})
	want := (&testOutput{Name: "s2", Account: "123456789012", Region: "eu-central-1"}).AppendAWS(CBOR, nil)
	if r.status != 200 || r.header.Get("Content-Type") != ContentTypeCBOR || !bytes.Equal(r.body, want) {
		t.Errorf("CBOR: %d %s %x", r.status, r.header.Get("Content-Type"), r.body)
	}
}

func TestOperationErrors(t *testing.T) {
	set := metrics.NewSet()
	srv, _, logs := newTestServer(t, HandlerOptions{Metrics: set})
	call := func(op, body string) resp {
		return do(t, srv, req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": testPrefix + "." + op}, body: body, sign: true})
	}
	cases := []struct {
		op, body string
		status   int
		want     string
	}{
		{"DescribeStream", "{}", 400, `{"__type":"ResourceNotFoundException","message":"Stream missing under account 000000000000 not found."}`},
		{"GetRecords", "{}", 500, `{"__type":"InternalFailureException","message":"Internal service failure."}`},
		{"PutRecord", "{}", 500, `{"__type":"InternalFailureException","message":"Internal service failure."}`},
		{"ListStreams", `{"Name":5}`, 400, `{"__type":"SerializationException","Message":"class java.math.BigDecimal can not be converted to an String"}`},
		{"ListStreams", `{"Name":"invalid!"}`, 400, `{"__type":"ValidationException","message":"1 validation error detected: Value 'invalid!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"}`},
		{"ListStreams", `{"Name"`, 400, `{"__type":"SerializationException"}`},
	}
	for _, c := range cases {
		r := call(c.op, c.body)
		if r.status != c.status || string(r.body) != c.want {
			t.Errorf("%s %s: got %d %s, want %d %s", c.op, c.body, r.status, r.body, c.status, c.want)
		}
		var e struct {
			Type string `json:"__type"`
		}
		json.Unmarshal(r.body, &e)
		if r.header.Get("X-Amzn-Errortype") != e.Type {
			t.Errorf("%s: x-amzn-ErrorType %q, body type %q", c.op, r.header.Get("X-Amzn-Errortype"), e.Type)
		}
	}
	l := logs.String()
	if !strings.Contains(l, "reading segment 7: unexpected EOF") {
		t.Errorf("internal failure cause not logged:\n%s", l)
	}
	if !strings.Contains(l, "panic in request handler") || !strings.Contains(l, "boom") || !strings.Contains(l, "handler_helpers_test.go") {
		t.Errorf("panic not logged with its stack:\n%s", l)
	}
	var mb bytes.Buffer
	set.WritePrometheus(&mb)
	for _, m := range []string{
		`eddy_api_requests_total{service="kinesis",operation="DescribeStream"} 1`,
		`eddy_api_errors_total{service="kinesis",operation="DescribeStream",type="ResourceNotFoundException"} 1`,
		`eddy_api_errors_total{service="kinesis",operation="PutRecord",type="InternalFailureException"} 1`,
		`eddy_api_requests_total{service="kinesis",operation="ListStreams"} 3`,
	} {
		if !strings.Contains(mb.String(), m) {
			t.Errorf("metrics lack %s:\n%s", m, mb.String())
		}
	}
}

func TestBodyLimit(t *testing.T) {
	srv, _, _ := newTestServer(t, HandlerOptions{MaxBodyBytes: 100})
	hdrs := map[string]string{"Content-Type": ctJSON, "X-Amz-Target": testPrefix + ".ListStreams"}
	big := `{"Name":"` + strings.Repeat("a", 100) + `"}`
	r := do(t, srv, req{headers: hdrs, body: big, sign: true})
	if r.status != 413 || len(r.body) != 0 {
		t.Errorf("declared length: %d %q", r.status, r.body)
	}
	// Without a declared length (chunked) the cap applies while reading.
	hr, _ := http.NewRequest("POST", srv.URL, strings.NewReader(big))
	hr.ContentLength = -1
	hr.Body = io.NopCloser(struct{ io.Reader }{strings.NewReader(big)})
	for k, v := range hdrs {
		hr.Header.Set(k, v)
	}
	res, err := srv.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 413 || len(res.TransferEncoding) != 0 && res.ContentLength > 0 {
		t.Errorf("chunked: %d", res.StatusCode)
	}
	// At the limit is fine.
	ok := `{"Name":"` + strings.Repeat("a", 100-11) + `"}`
	if r := do(t, srv, req{headers: hdrs, body: ok, sign: true}); r.status != 200 {
		t.Errorf("at the limit: %d %q", r.status, r.body)
	}
}

func TestNewHandlerRejectsBadServices(t *testing.T) {
	in := func() Input { return &testInput{} }
	bad := []*Service{
		{TargetPrefix: ""},
		{TargetPrefix: "X", Operations: map[string]*Operation{"A": {Name: "A"}}},
		{TargetPrefix: "X", Operations: map[string]*Operation{"A": {Name: "B", NewInput: in, Call: testService(nil).Operations["ListStreams"].Call}}},
	}
	for i, s := range bad {
		if _, err := NewHandler(HandlerOptions{}, s); err == nil {
			t.Errorf("case %d accepted", i)
		}
	}
	if _, err := NewHandler(HandlerOptions{}, testService(nil), testService(nil)); err == nil {
		t.Error("duplicate prefix accepted")
	}
}

func TestNoServices(t *testing.T) {
	srv, _, _ := newTestServer(t, HandlerOptions{}, &Service{TargetPrefix: "None"})
	r := do(t, srv, req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": testPrefix + ".ListStreams"}, body: "{}", sign: true})
	if r.status != 400 || string(r.body) != `{"__type":"UnknownOperationException"}` {
		t.Errorf("got %d %s", r.status, r.body)
	}
}

// TestWireHeaderNames checks AWS's spelling of its headers on an HTTP/1.1
// connection, where names keep their case.
func TestWireHeaderNames(t *testing.T) {
	srv, _, _ := newTestServer(t, HandlerOptions{})
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nX-Amz-Target: %s.Nope\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", ctJSON, testPrefix)
	raw, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"\r\nx-amzn-RequestId: ", "\r\nx-amz-id-2: ", "\r\nx-amzn-ErrorType: UnknownOperationException\r\n", "\r\nContent-Type: application/x-amz-json-1.1\r\n", "\r\nContent-Length: 38\r\n", "\r\nDate: "} {
		if !strings.Contains(string(raw), h) {
			t.Errorf("response lacks %q:\n%s", h, raw)
		}
	}
}

func TestReadyAndRegister(t *testing.T) {
	var ready atomic.Bool
	srv, h, _ := newTestServer(t, HandlerOptions{Ready: ready.Load}, &Service{TargetPrefix: "Other"})
	call := func() resp {
		return do(t, srv, req{headers: map[string]string{"Content-Type": ctJSON, "X-Amz-Target": testPrefix + ".ListStreams"}, body: "{}", sign: true})
	}
	if r := call(); r.status != 503 || !strings.Contains(string(r.body), `"__type":"ServiceUnavailableException"`) {
		t.Errorf("before ready: %d %s", r.status, r.body)
	}
	ready.Store(true)
	if r := call(); r.status != 400 || string(r.body) != `{"__type":"UnknownOperationException"}` {
		t.Errorf("ready, not registered: %d %s", r.status, r.body)
	}
	if err := h.Register(testService(nil)); err != nil {
		t.Fatal(err)
	}
	if r := call(); r.status != 200 {
		t.Errorf("registered: %d %s", r.status, r.body)
	}
	if err := h.Register(testService(nil)); err == nil {
		t.Error("registered the same prefix twice")
	}
}

// TestStalledBodyIsAborted checks that a client that stops sending its body
// is cut off at the body read deadline rather than holding the request.
func TestStalledBodyIsAborted(t *testing.T) {
	srv, _, _ := newTestServer(t, HandlerOptions{BodyReadTimeout: 30 * time.Millisecond})
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the abort is logged by net/http
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nX-Amz-Target: %s.ListStreams\r\nContent-Length: 100\r\n\r\n{\"Na", ctJSON, testPrefix)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	raw, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("connection not closed by the server: %v", err)
	}
	if len(raw) != 0 {
		t.Errorf("got a response for a stalled body:\n%s", raw)
	}
}
