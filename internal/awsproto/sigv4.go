package awsproto

import (
	"net/http"
	"strings"
)

// SigV4 is the AWS Signature Version 4 authentication of a request, parsed
// but not verified. It holds everything verification needs besides the
// secret key and the request itself: the canonical request is rebuilt from
// the request using SignedHeaders, the string to sign from Algorithm,
// RequestTime and the credential scope, and the result is compared with
// Signature.
type SigV4 struct {
	// Presigned is true when the authentication came from the query string
	// (X-Amz-Algorithm, X-Amz-Credential, ...) rather than the
	// Authorization header.
	Presigned bool
	// Algorithm as sent, normally "AWS4-HMAC-SHA256".
	Algorithm string
	// Credential is the whole credential, e.g.
	// "AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request".
	Credential string
	// The five parts of Credential.
	AccessKeyID string
	Date        string // scope date, YYYYMMDD
	Region      string
	Service     string
	Terminator  string // "aws4_request"
	// SignedHeaders is the semicolon-separated list of signed header names
	// as sent (see SignedHeaderNames).
	SignedHeaders string
	// Signature is the hex signature as sent.
	Signature string
	// RequestTime is the X-Amz-Date header (or query parameter), or the Date
	// header when X-Amz-Date is absent.
	RequestTime string
	// Expires is the X-Amz-Expires query parameter of a presigned request.
	Expires string
	// SecurityToken is X-Amz-Security-Token (header or query), for
	// temporary credentials.
	SecurityToken string
}

// SignedHeaderNames splits SignedHeaders.
func (s *SigV4) SignedHeaderNames() []string {
	if s.SignedHeaders == "" {
		return nil
	}
	return strings.Split(s.SignedHeaders, ";")
}

// Caller returns the identity the credential names: the region of its scope
// and the account, which is the access key id when that is 12 digits and
// "000000000000" otherwise.
func (s *SigV4) Caller() Caller {
	return Caller{AccessKeyID: s.AccessKeyID, Account: AccountFor(s.AccessKeyID), Region: s.Region}
}

// DefaultAccount is the account of callers whose access key id is not an
// account number.
const DefaultAccount = "000000000000"

// AccountFor maps an access key id to its account: the key itself when it is
// exactly 12 decimal digits, else DefaultAccount.
func AccountFor(accessKeyID string) string {
	if len(accessKeyID) != 12 {
		return DefaultAccount
	}
	for i := 0; i < len(accessKeyID); i++ {
		if c := accessKeyID[i]; c < '0' || c > '9' {
			return DefaultAccount
		}
	}
	return accessKeyID
}

// AWS's messages for malformed authentication (see PROTOCOL.md for sources).
const (
	msgMissingToken  = "Missing Authentication Token"
	msgBothAuthForms = "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
	termAWS4Request  = "aws4_request"
)

// ParseSigV4 parses the SigV4 authentication of r from its Authorization
// header or its presigned query string. signingName is the service name the
// credential must be scoped to (e.g. "kinesis"); empty skips that check.
// Failures are the *Error AWS sends: MissingAuthenticationTokenException,
// IncompleteSignatureException or InvalidSignatureException, with AWS's
// messages.
func ParseSigV4(r *http.Request, signingName string) (SigV4, *Error) {
	var s SigV4
	auth := headerValue(r.Header, "Authorization")
	var query map[string][]string
	hasQueryAuth := false
	if r.URL != nil && strings.Contains(r.URL.RawQuery, "X-Amz-Algorithm") {
		// Parsing the query allocates, so only requests that may be
		// presigned pay for it.
		query = r.URL.Query()
		_, hasQueryAuth = query["X-Amz-Algorithm"]
	}
	switch {
	case auth != "" && hasQueryAuth:
		return s, &Error{Exception: InvalidSignature, Message: msgBothAuthForms}
	case auth == "" && !hasQueryAuth:
		return s, &Error{Exception: MissingAuthenticationToken, Message: msgMissingToken}
	case auth != "":
		if err := parseAuthHeader(&s, auth, r.Header); err != nil {
			return s, err
		}
	default:
		if err := parseAuthQuery(&s, query); err != nil {
			return s, err
		}
	}
	if err := parseCredential(&s, signingName); err != nil {
		return s, err
	}
	return s, nil
}

func headerValue(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// parseAuthHeader reads "ALGORITHM Credential=..., SignedHeaders=...,
// Signature=...". Like AWS it splits on commas and spaces, takes the first
// field as the algorithm and the rest as name=value pairs, and reports every
// missing part at once.
func parseAuthHeader(s *SigV4, auth string, h http.Header) *Error {
	first := true
	rest := auth
	for {
		i := strings.IndexAny(rest, ", ")
		field := rest
		if i >= 0 {
			field, rest = rest[:i], rest[i+1:]
		}
		if first {
			s.Algorithm = field
			first = false
		} else if field != "" {
			name, value, _ := strings.Cut(field, "=")
			// A value ends at the next '=', as AWS reads it.
			value, _, _ = strings.Cut(value, "=")
			switch name {
			case "Credential":
				s.Credential = value
			case "SignedHeaders":
				s.SignedHeaders = value
			case "Signature":
				s.Signature = value
			}
		}
		if i < 0 {
			break
		}
	}
	s.RequestTime = headerValue(h, "X-Amz-Date")
	if s.RequestTime == "" {
		s.RequestTime = headerValue(h, "Date")
	}
	s.SecurityToken = headerValue(h, "X-Amz-Security-Token")
	if s.Credential != "" && s.SignedHeaders != "" && s.Signature != "" && s.RequestTime != "" {
		return nil
	}
	var b strings.Builder
	if s.Credential == "" {
		b.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if s.Signature == "" {
		b.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if s.SignedHeaders == "" {
		b.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	if s.RequestTime == "" {
		b.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	b.WriteString("Authorization=")
	b.WriteString(auth)
	return &Error{Exception: IncompleteSignature, Message: b.String()}
}

func parseAuthQuery(s *SigV4, q map[string][]string) *Error {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	s.Presigned = true
	s.Algorithm = get("X-Amz-Algorithm")
	s.Credential = get("X-Amz-Credential")
	s.Signature = get("X-Amz-Signature")
	s.SignedHeaders = get("X-Amz-SignedHeaders")
	s.RequestTime = get("X-Amz-Date")
	s.Expires = get("X-Amz-Expires")
	s.SecurityToken = get("X-Amz-Security-Token")
	var b strings.Builder
	for _, p := range [...]struct{ name, value string }{
		{"X-Amz-Algorithm", s.Algorithm},
		{"X-Amz-Credential", s.Credential},
		{"X-Amz-Signature", s.Signature},
		{"X-Amz-SignedHeaders", s.SignedHeaders},
		{"X-Amz-Date", s.RequestTime},
	} {
		if p.value == "" {
			b.WriteString("AWS query-string parameters must include '")
			b.WriteString(p.name)
			b.WriteString("'. ")
		}
	}
	if b.Len() == 0 {
		return nil
	}
	b.WriteString("Re-examine the query-string parameters.")
	return &Error{Exception: IncompleteSignature, Message: b.String()}
}

// parseCredential splits keyid/date/region/service/terminator and checks the
// scope the way AWS does before it looks at secrets.
func parseCredential(s *SigV4, signingName string) *Error {
	var parts [5]string
	rest := s.Credential
	n := 0
	for {
		i := strings.IndexByte(rest, '/')
		if n == len(parts) {
			n++ // too many
			break
		}
		if i < 0 {
			parts[n] = rest
			n++
			break
		}
		parts[n], rest = rest[:i], rest[i+1:]
		n++
	}
	if n != len(parts) {
		return &Error{Exception: IncompleteSignature, Message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + s.Credential + "'"}
	}
	s.AccessKeyID, s.Date, s.Region, s.Service, s.Terminator = parts[0], parts[1], parts[2], parts[3], parts[4]
	if s.Terminator != termAWS4Request {
		return &Error{Exception: InvalidSignature, Message: "Credential should be scoped with a valid terminator: 'aws4_request', not '" + s.Terminator + "'. "}
	}
	if signingName != "" && s.Service != signingName {
		return &Error{Exception: InvalidSignature, Message: "Credential should be scoped to correct service: '" + signingName + "'. "}
	}
	return nil
}
