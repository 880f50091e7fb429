package codec

import "github.com/eddy-streams/eddy/internal/awsproto"

// EmptyInput is the input of an operation whose model has no input shape:
// any object is accepted (members are ignored) and nothing is validated.
type EmptyInput struct{}

// DecodeAWS checks that body is a JSON object or CBOR map and skips it.
func (*EmptyInput) DecodeAWS(enc awsproto.Encoding, body []byte) error {
	if enc == awsproto.CBOR {
		var d CBORDecoder
		d.Reset(body)
		if d.Root() {
			d.Skip()
		}
		return d.Finish()
	}
	var d JSONDecoder
	d.Reset(body)
	if d.Root() {
		d.Skip()
	}
	return d.Finish()
}

// Validate implements awsproto.Input; there is nothing to check.
func (*EmptyInput) Validate() error { return nil }

// AppendAWS appends an empty object.
func (*EmptyInput) AppendAWS(enc awsproto.Encoding, dst []byte) []byte {
	if enc == awsproto.CBOR {
		return AppendCBORMap(dst, 0)
	}
	return append(dst, '{', '}')
}
