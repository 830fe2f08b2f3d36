package proto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
)

const (
	// Version is the envelope version this package speaks.
	Version = 0
	// MaxEnvelope is the largest envelope, length prefix excluded.
	MaxEnvelope = 4096
	// MaxDepth is the deepest nesting of arrays and maps in an envelope
	// (the envelope itself is depth 1).
	MaxDepth = 16
	// MaxItems is the most items in one array, or pairs in one map.
	MaxItems = 1024
)

// Envelope is a decoded message with its header.
type Envelope struct {
	Version uint64
	MsgID   uint64
	Msg     Message
}

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	encMode, err = cbor.EncOptions{NilContainers: cbor.NilContainerAsEmpty}.EncMode()
	if err != nil {
		panic(err)
	}
	decMode, err = cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		TagsMd:           cbor.TagsForbidden,
		MaxNestedLevels:  MaxDepth,
		MaxArrayElements: MaxItems,
		MaxMapPairs:      MaxItems,
		UTF8:             cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

// Encode returns the length-prefixed envelope [Version, msgID, [tag,
// fields...]] for m, in canonical form (shortest heads). It fails if a text
// string is not valid UTF-8, a byte string is over its limit, or the
// envelope is over MaxEnvelope bytes.
func Encode(msgID uint64, m Message) ([]byte, error) {
	if m == nil {
		return nil, errors.New("proto: encode: nil message")
	}
	v := reflect.Indirect(reflect.ValueOf(m))
	body, err := encodeFields(v, []any{uint64(m.Tag())})
	if err != nil {
		return nil, fmt.Errorf("proto: encode %s: %v", wireName(v.Type().Name()), err)
	}
	env, err := encMode.Marshal([]any{uint64(Version), msgID, body})
	if err != nil {
		return nil, fmt.Errorf("proto: encode %s: %v", wireName(v.Type().Name()), err)
	}
	if len(env) > MaxEnvelope {
		return nil, fmt.Errorf("proto: encode %s: envelope is %d bytes, over %d", wireName(v.Type().Name()), len(env), MaxEnvelope)
	}
	return append(binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(env)), uint32(len(env))), env...), nil
}

// fieldInfo parses a struct field's proto tag: its name and byte limit.
func fieldInfo(f reflect.StructField) (name string, max int) {
	name, opt, _ := strings.Cut(f.Tag.Get("proto"), ",")
	if n, ok := strings.CutPrefix(opt, "max="); ok {
		max, _ = strconv.Atoi(n)
	}
	return name, max
}

func encodeFields(v reflect.Value, out []any) ([]any, error) {
	for i := 0; i < v.NumField(); i++ {
		name, max := fieldInfo(v.Type().Field(i))
		x, err := encodeValue(v.Field(i), max)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		out = append(out, x)
	}
	return out, nil
}

func encodeValue(v reflect.Value, max int) (any, error) {
	switch v.Kind() {
	case reflect.Uint64:
		return v.Uint(), nil
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return nil, errors.New("invalid UTF-8")
		}
		return v.String(), nil
	case reflect.Array:
		b := make([]byte, v.Len())
		reflect.Copy(reflect.ValueOf(b), v)
		return b, nil
	case reflect.Struct:
		return encodeFields(v, nil)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if max > 0 && v.Len() > max {
				return nil, fmt.Errorf("%d bytes, over %d", v.Len(), max)
			}
			return v.Bytes(), nil
		}
		items := make([]any, v.Len())
		for i := range items {
			x, err := encodeValue(v.Index(i), 0)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %v", i, err)
			}
			items[i] = x
		}
		return items, nil
	}
	panic("proto: unsupported field type " + v.Type().String())
}

// DecodeFromDevice decodes one length-prefixed message sent by a device.
func DecodeFromDevice(b []byte) (Envelope, error) { return Decode(FromDevice, b) }

// DecodeFromGateway decodes one length-prefixed message sent by the gateway.
func DecodeFromGateway(b []byte) (Envelope, error) { return Decode(FromGateway, b) }

// Decode decodes b, which must be exactly one length-prefixed envelope, with
// dir's tag space. Errors are *Error; once the msg_id could be read, the
// Envelope returned with an error carries it, for the Error reply. It
// never panics.
func Decode(dir Direction, b []byte) (Envelope, error) {
	if len(b) < 4 {
		return Envelope{}, errorf(CodeMalformed, "truncated length prefix: %d bytes", len(b))
	}
	n := binary.BigEndian.Uint32(b)
	if err := checkLength(n); err != nil {
		return Envelope{}, err
	}
	if uint64(len(b)-4) != uint64(n) {
		return Envelope{}, errorf(CodeMalformed, "length prefix says %d bytes, got %d", n, len(b)-4)
	}
	return decodeEnvelope(dir, b[4:])
}

// ReadMessage reads one length-prefixed message from r and decodes it with
// dir's tag space. It refuses a length over MaxEnvelope before reading or
// allocating the envelope. It returns io.EOF if r ends before the first
// byte, and an error wrapping io.ErrUnexpectedEOF if it ends inside.
func ReadMessage(r io.Reader, dir Direction) (Envelope, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if err == io.EOF {
			return Envelope{}, err
		}
		return Envelope{}, fmt.Errorf("proto: reading length prefix: %w", err)
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if err := checkLength(n); err != nil {
		return Envelope{}, err
	}
	env := make([]byte, n)
	if _, err := io.ReadFull(r, env); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Envelope{}, fmt.Errorf("proto: reading %d-byte envelope: %w", n, err)
	}
	return decodeEnvelope(dir, env)
}

func checkLength(n uint32) error {
	if n > MaxEnvelope {
		return errorf(CodeTooLarge, "envelope length %d over %d", n, MaxEnvelope)
	}
	if n == 0 {
		return errorf(CodeMalformed, "empty envelope")
	}
	return nil
}

// cborError describes an error from the CBOR decoder in our words.
func cborError(err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "cbor: ")
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		msg = "truncated CBOR"
	}
	return errorf(CodeMalformed, "invalid CBOR: %s", msg)
}

// major returns the major type name of the data item raw, for messages.
func major(raw cbor.RawMessage) string {
	switch raw[0] >> 5 {
	case 0:
		return "unsigned integer"
	case 1:
		return "negative integer"
	case 2:
		return "byte string"
	case 3:
		return "text string"
	case 4:
		return "array"
	case 5:
		return "map"
	case 6:
		return "tag"
	}
	switch raw[0] {
	case 0xf4, 0xf5:
		return "bool"
	case 0xf6:
		return "null"
	case 0xf7:
		return "undefined"
	case 0xf9, 0xfa, 0xfb:
		return "float"
	}
	return "simple value"
}

func decodeUint(raw cbor.RawMessage) (uint64, bool) {
	var x uint64
	if raw[0]>>5 != 0 || decMode.Unmarshal(raw, &x) != nil {
		return 0, false
	}
	return x, true
}

func decodeEnvelope(dir Direction, data []byte) (Envelope, error) {
	// Well-formedness of the whole item first: definite lengths, no tags,
	// depth and size limits, no bytes after it.
	if err := decMode.Wellformed(data); err != nil {
		return Envelope{}, cborError(err)
	}
	var env []cbor.RawMessage
	if data[0]>>5 != 4 {
		return Envelope{}, errorf(CodeMalformed, "envelope: %s, want array", major(data))
	}
	if err := decMode.Unmarshal(data, &env); err != nil {
		return Envelope{}, cborError(err)
	}
	if len(env) == 0 {
		return Envelope{}, errorf(CodeMalformed, "empty envelope array")
	}
	version, ok := decodeUint(env[0])
	if !ok {
		return Envelope{}, errorf(CodeMalformed, "version: %s, want unsigned integer", major(env[0]))
	}
	if version != Version {
		return Envelope{}, errorf(CodeUnsupportedVersion, "unsupported version %d", version)
	}
	if len(env) != 3 {
		return Envelope{}, errorf(CodeMalformed, "envelope has %d items, want 3", len(env))
	}
	msgID, ok := decodeUint(env[1])
	if !ok {
		return Envelope{}, errorf(CodeMalformed, "msg_id: %s, want unsigned integer", major(env[1]))
	}
	hdr := Envelope{Version: version, MsgID: msgID} // errors from here on carry the msg_id
	if env[2][0]>>5 != 4 {
		return hdr, errorf(CodeMalformed, "body: %s, want array", major(env[2]))
	}
	var body []cbor.RawMessage
	if err := decMode.Unmarshal(env[2], &body); err != nil {
		return hdr, cborError(err)
	}
	if len(body) == 0 {
		return hdr, errorf(CodeMalformed, "empty body")
	}
	tag, ok := decodeUint(body[0])
	if !ok {
		return hdr, errorf(CodeMalformed, "tag: %s, want unsigned integer", major(body[0]))
	}
	if dir > FromGateway || tag >= uint64(len(messageTypes[dir])) {
		return hdr, errorf(CodeUnknownTag, "unknown tag %d from %s", tag, dir)
	}
	typ := reflect.TypeOf(messageTypes[dir][tag])
	v := reflect.New(typ).Elem()
	if err := decodeFields(v, body[1:]); err != nil {
		err.Msg = wireName(typ.Name()) + ": " + err.Msg
		return hdr, err
	}
	hdr.Msg = v.Interface().(Message)
	return hdr, nil
}

// decodeFields fills the fields of struct v from raw, in order; items
// past the last field are ignored.
func decodeFields(v reflect.Value, raw []cbor.RawMessage) *Error {
	for i := 0; i < v.NumField(); i++ {
		name, max := fieldInfo(v.Type().Field(i))
		if i >= len(raw) {
			return errorf(CodeBadField, "missing field %s", name)
		}
		if err := decodeValue(v.Field(i), raw[i], max); err != nil {
			err.Msg = name + ": " + err.Msg
			return err
		}
	}
	return nil
}

func wrongType(raw cbor.RawMessage, want string) *Error {
	return errorf(CodeBadField, "%s, want %s", major(raw), want)
}

func decodeValue(v reflect.Value, raw cbor.RawMessage, max int) *Error {
	switch v.Kind() {
	case reflect.Uint64:
		x, ok := decodeUint(raw)
		if !ok {
			return wrongType(raw, "unsigned integer")
		}
		v.SetUint(x)
	case reflect.Bool:
		if len(raw) != 1 || raw[0] != 0xf4 && raw[0] != 0xf5 {
			return wrongType(raw, "bool")
		}
		v.SetBool(raw[0] == 0xf5)
	case reflect.String:
		var s string
		if raw[0]>>5 != 3 {
			return wrongType(raw, "text string")
		}
		if decMode.Unmarshal(raw, &s) != nil {
			return errorf(CodeBadField, "invalid UTF-8")
		}
		v.SetString(s)
	case reflect.Array, reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			var b []byte
			if raw[0]>>5 != 2 || decMode.Unmarshal(raw, &b) != nil {
				return wrongType(raw, "byte string")
			}
			if v.Kind() == reflect.Array {
				if len(b) != v.Len() {
					return errorf(CodeBadField, "%d bytes, want %d", len(b), v.Len())
				}
				reflect.Copy(v, reflect.ValueOf(b))
				return nil
			}
			if max > 0 && len(b) > max {
				return errorf(CodeBadField, "%d bytes, over %d", len(b), max)
			}
			v.SetBytes(b)
			return nil
		}
		var items []cbor.RawMessage
		if raw[0]>>5 != 4 || decMode.Unmarshal(raw, &items) != nil {
			return wrongType(raw, "array")
		}
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, item := range items {
			if err := decodeValue(s.Index(i), item, 0); err != nil {
				err.Msg = fmt.Sprintf("[%d]: %s", i, err.Msg)
				return err
			}
		}
		v.Set(s)
	case reflect.Struct:
		var items []cbor.RawMessage
		if raw[0]>>5 != 4 || decMode.Unmarshal(raw, &items) != nil {
			return wrongType(raw, "array")
		}
		return decodeFields(v, items)
	default:
		panic("proto: unsupported field type " + v.Type().String())
	}
	return nil
}

// wireName gives a type's name in lower-case words for messages:
// "DeviceUUID" is "device uuid".
func wireName(goName string) string {
	var b strings.Builder
	for i, r := range goName {
		if i > 0 && unicode.IsUpper(r) && !unicode.IsUpper(rune(goName[i-1])) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
