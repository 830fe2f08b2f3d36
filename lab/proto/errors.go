package proto

import "fmt"

// ErrorCode is the code of an Error message, and of a decoding Error.
type ErrorCode uint64

const (
	CodeMalformed          ErrorCode = 1 // not one well-formed envelope
	CodeUnknownTag         ErrorCode = 2 // tag not defined for the direction
	CodeNotEnrolled        ErrorCode = 3 // message needs an enrolled device
	CodeTooLarge           ErrorCode = 4 // length prefix or a field over its limit
	CodeUnsupportedVersion ErrorCode = 5 // envelope version is not Version
	CodeBadField           ErrorCode = 6 // required field missing or of the wrong type
	CodeUnexpected         ErrorCode = 7 // well-formed but not valid in this state
	CodeInternal           ErrorCode = 8 // the sender failed; not the message's fault
)

var codeNames = map[ErrorCode]string{
	CodeMalformed:          "malformed",
	CodeUnknownTag:         "unknown_tag",
	CodeNotEnrolled:        "not_enrolled",
	CodeTooLarge:           "too_large",
	CodeUnsupportedVersion: "unsupported_version",
	CodeBadField:           "bad_field",
	CodeUnexpected:         "unexpected",
	CodeInternal:           "internal",
}

// String gives the code's name as in docs/protocol.md and the vectors,
// e.g. "bad_field".
func (c ErrorCode) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("code_%d", uint64(c))
}

// Error is what decoding returns: the code to send back in an Error message
// and what was wrong.
type Error struct {
	Code ErrorCode
	Msg  string
}

func (e *Error) Error() string { return "proto: " + e.Msg }

func errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}
