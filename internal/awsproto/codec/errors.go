package codec

import (
	"fmt"
	"strings"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// Kind is the model type a decoder expects at some position. It selects the
// wording of SerializationException messages, which name Java types because
// AWS's parser is written in Java.
type Kind uint8

// The model types.
const (
	KindString Kind = iota + 1
	KindBoolean
	KindShort
	KindInteger
	KindLong
	KindFloat
	KindDouble
	KindBlob
	KindTimestamp
	KindList
	KindMap
	KindStructure
)

// javaName is the type name AWS uses after "converted to an/a".
func (k Kind) javaName() string {
	switch k {
	case KindString:
		return "String"
	case KindBoolean:
		return "Boolean"
	case KindShort:
		return "Short"
	case KindInteger:
		return "Integer"
	case KindLong:
		return "Long"
	case KindFloat:
		return "Float"
	case KindDouble:
		return "Double"
	case KindBlob:
		return "Blob"
	}
	return "Object"
}

// article is what AWS writes before the type name: Coral says "an String"
// and "an Boolean" but "a Blob".
func (k Kind) article() string {
	if k == KindBlob {
		return "a "
	}
	return "an "
}

// found classifies the token a decoder met where it expected some Kind.
type found uint8

const (
	foundString found = iota + 1
	foundNumber
	foundBool
	foundList
	foundObject
	foundBytes // CBOR byte string
)

// AWS's messages for a value of the wrong type (SerializationException,
// message in the "Message" field). Sources: kinesalite validations/index.js
// and test/helpers.js, checked by its author against AWS.
const (
	msgListNotExpected   = "Start of list found where not expected"
	msgObjectNotExpected = "Start of structure or map found where not expected."
	classNumber          = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber"
	classBoolean         = "class java.lang.Boolean"
	classString          = "class java.lang.String"
	classBytes           = "class [B"
)

// mismatch returns AWS's message for meeting f where k was expected, or ""
// when f is acceptable for k (the caller converts it).
func mismatch(k Kind, f found) string {
	switch f {
	case foundList:
		if k == KindList {
			return ""
		}
		if k == KindMap || k == KindStructure || isScalar(k) {
			return msgListNotExpected
		}
	case foundObject:
		if k == KindMap || k == KindStructure {
			return ""
		}
		return msgObjectNotExpected
	}
	switch k {
	case KindList:
		return "Expected list or null"
	case KindMap:
		return "Expected map or null"
	case KindStructure:
		return "Expected null"
	case KindTimestamp:
		switch f {
		case foundNumber:
			return ""
		case foundBool:
			return classBoolean + " can not be converted to milliseconds since epoch"
		case foundString:
			return classString + " can not be converted to milliseconds since epoch"
		}
		return classBytes + " can not be converted to milliseconds since epoch"
	}
	var class string
	switch f {
	case foundString:
		if k == KindString || k == KindBlob || k == KindBoolean {
			return "" // Blob: base64; Boolean: see boolFromString
		}
		class = classString
	case foundNumber:
		if k != KindString && k != KindBlob && k != KindBoolean {
			return ""
		}
		class = classNumber
	case foundBool:
		if k == KindBoolean {
			return ""
		}
		class = classBoolean
	case foundBytes:
		if k == KindBlob {
			return ""
		}
		class = classBytes
	}
	return class + " can not be converted to " + k.article() + k.javaName()
}

func isScalar(k Kind) bool { return k != KindList && k != KindMap && k != KindStructure }

// boolFromString converts the strings AWS accepts for a Boolean (kinesalite
// notes that 'true', 'false', '1', '0', 'yes' and 'no' convert fine) and
// otherwise returns AWS's message, which shows the value upper-cased.
func boolFromString(s string) (v bool, msg string) {
	switch strings.ToLower(s) {
	case "true", "1", "yes":
		return true, ""
	case "false", "0", "no":
		return false, ""
	}
	return false, "'" + strings.ToUpper(s) + "' can not be converted to an Boolean"
}

// serialization returns a SerializationException with AWS's message msg
// (empty for a body that does not parse: AWS then sends no message) and the
// internal cause for the log.
func serialization(msg string, cause error) *awsproto.Error {
	return &awsproto.Error{Exception: awsproto.Serialization, Message: msg, Err: cause}
}

// syntaxError is the internal cause of a body that does not parse.
type syntaxError struct {
	enc    string
	offset int
	what   string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("%s: %s at offset %d", e.enc, e.what, e.offset)
}

// maxDepth bounds the nesting of values that a decoder skips (unknown
// members), so that a hostile body cannot exhaust memory or the stack. It
// matches Jackson's default StreamReadConstraints nesting limit.
const maxDepth = 1000
