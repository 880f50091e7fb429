package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// signer makes a syntactically valid SigV4 Authorization header. It is
// computed once per second per connection and operation: the signature
// covers the method, path, host, content type, date and target, but not the
// body (hashing every body would cost the generator more CPU than the
// servers it measures spend, and eddy, kinesalite and kinesis-mock do not
// verify signatures). The credential scope carries the access key and the
// region, which servers use to pick the account and region.
type signer struct {
	accessKey, secretKey, region, host string

	sec   int64
	date  string // X-Amz-Date for sec
	auth  map[string]string
	day   string
	key   []byte // signing key for day
	canon []byte
}

func newSigner(accessKey, secretKey, region, host string) *signer {
	return &signer{accessKey: accessKey, secretKey: secretKey, region: region, host: host, sec: -1, auth: map[string]string{}}
}

// header returns the X-Amz-Date and Authorization values for now.
func (s *signer) header(now time.Time, target string) (date, auth string) {
	if sec := now.Unix(); sec != s.sec {
		s.sec = sec
		s.date = now.UTC().Format("20060102T150405Z")
		clear(s.auth)
		if day := s.date[:8]; day != s.day {
			s.day = day
			k := hmacSHA256([]byte("AWS4"+s.secretKey), day)
			k = hmacSHA256(k, s.region)
			k = hmacSHA256(k, "kinesis")
			s.key = hmacSHA256(k, "aws4_request")
		}
	}
	if a, ok := s.auth[target]; ok {
		return s.date, a
	}
	scope := s.day + "/" + s.region + "/kinesis/aws4_request"
	c := s.canon[:0]
	c = append(c, "POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:"...)
	c = append(c, s.host...)
	c = append(c, "\nx-amz-date:"...)
	c = append(c, s.date...)
	c = append(c, "\nx-amz-target:Kinesis_20131202."...)
	c = append(c, target...)
	c = append(c, "\n\ncontent-type;host;x-amz-date;x-amz-target\nUNSIGNED-PAYLOAD"...)
	s.canon = c
	ch := sha256.Sum256(c)
	sts := "AWS4-HMAC-SHA256\n" + s.date + "\n" + scope + "\n" + hex.EncodeToString(ch[:])
	sig := hmacSHA256(s.key, sts)
	a := "AWS4-HMAC-SHA256 Credential=" + s.accessKey + "/" + scope +
		", SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + hex.EncodeToString(sig)
	s.auth[target] = a
	return s.date, a
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
