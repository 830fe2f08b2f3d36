package proto

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// goodCase is a message whose canonical encoding goes in the vectors.
type goodCase struct {
	name  string
	msgID uint64
	msg   Message
}

// acceptCase is an accepted but non-canonical encoding (hex of the envelope,
// without its length prefix) and what it decodes to.
type acceptCase struct {
	name  string
	dir   Direction
	env   string
	msgID uint64
	msg   Message
}

// badCase is input that decoding refuses with code. raw is the whole input
// when set; otherwise env (hex, no prefix) gets a correct length prefix.
type badCase struct {
	name string
	dir  Direction
	env  string
	raw  []byte
	code ErrorCode
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// prefixed gives the envelope hex env with its length prefix.
func prefixed(env string) []byte {
	e := unhex(env)
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(e))), e...)
}

func rep(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

func seqBytes(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

var (
	appA = AppID(seqBytes(0xa0, 16))
	appB = AppID(rep(0xff, 16))
	key  = [32]byte(seqBytes(0x20, 32))
	sum  = [32]byte(seqBytes(0xc0, 32))
)

const (
	max32 = 1<<32 - 1
	max64 = 1<<64 - 1
)

var goodCases = []goodCase{
	{"heartbeat zeros", 0, Heartbeat{Counters: []uint64{0, 0, 0, 0}}},
	{"heartbeat head edges", 24, Heartbeat{Seq: 23, UptimeMs: 24, FreeRAM: 255,
		Counters: []uint64{256, 65535, 65536, 1 << 32}}},
	{"heartbeat max values", max64, Heartbeat{Seq: max32, UptimeMs: 1 << 32, FreeRAM: max64,
		Counters: []uint64{max64, max32, 0, 1}}},
	{"heartbeat with apps", 256, Heartbeat{Seq: 5, UptimeMs: 1000, FreeRAM: 12288,
		Counters: []uint64{10, 1, 8, 9},
		Apps:     []AppStatus{{AppID: appA, State: 2, Detail: "running", Fuel: 1 << 33}, {AppID: appB, State: 0, Detail: ""}}}},
	{"enrollment request", 1, EnrollmentRequest{}},
	{"public key", 2, PublicKey{Key: key}},
	{"application status, 23-byte detail", 255, ApplicationStatus{AppID: appA, State: 1, Detail: "twenty-three bytes long", Fuel: 24}},
	{"application status, 24-byte detail with UTF-8", 65535, ApplicationStatus{AppID: appB, State: 65536, Detail: "trap: out of bounds \u00e9\u00e9"}},
	{"deploy ack failed", 3, ApplicationDeployAck{AppID: appA, OK: false, Error: "sha256 mismatch"}},
	{"deploy ack ok", 4, ApplicationDeployAck{AppID: appA, OK: true}},
	{"stop ack", 5, ApplicationStopAck{AppID: appA, OK: true}},
	{"device info", 6, DeviceInfo{Board: "mps2-an385", FirmwareVersion: "0.1.0",
		BuildID: seqBytes(0x10, 20), RAM: 4 << 20, Capabilities: []string{"tls13", "wasm"}}},
	{"device info empty", 7, DeviceInfo{}},
	{"device error", 8, DeviceError{Code: CodeUnknownTag, Message: "unknown tag 11"}},
	{"app event log", 9, AppEvent{AppID: appA, Kind: EventLog, Data: []byte("hello \xff")}},
	{"app event publish max", 10, AppEvent{AppID: appA, Kind: EventPublish, Topic: "counter",
		Data: seqBytes(0, MaxEventData)}},

	{"heartbeat ack", 0, HeartbeatAck{Seq: 5}},
	{"heartbeat ack max", max64, HeartbeatAck{Seq: max64}},
	{"enrollment accepted", 1, EnrollmentAccepted{HeartbeatMs: 5000}},
	{"enrollment rejected", 2, EnrollmentRejected{Reason: "unknown device"}},
	{"device uuid", 3, DeviceUUID{UUID: UUID(seqBytes(0x50, 16))}},
	{"deploy application", 4, DeployApplication{AppID: appA, Name: "blink", Size: 70000, SHA256: sum}},
	{"stop application", 5, StopApplication{AppID: appB}},
	{"request device info", 6, RequestDeviceInfo{}},
	{"request application status", 7, RequestApplicationStatus{AppID: appA}},
	{"deploy chunk empty", 8, DeployChunk{AppID: appA, Offset: 0, Data: []byte{}}},
	{"deploy chunk max", 9, DeployChunk{AppID: appA, Offset: 1 << 32, Data: seqBytes(0, MaxChunk)}},
	{"deploy commit", 10, DeployCommit{AppID: appA}},
	{"gateway error", 11, GatewayError{Code: CodeNotEnrolled, Message: "not enrolled"}},
	{"app message", 12, AppMessage{AppID: appA, Data: []byte("set 21")}},
	{"app message max", 13, AppMessage{AppID: appB, Data: seqBytes(0x10, MaxEventData)}},
}

var acceptCases = []acceptCase{
	{"non-shortest integers", FromGateway, "83 18 00 19 0001 82 1a 00000000 1b 0000000000000005",
		1, HeartbeatAck{Seq: 5}},
	{"non-shortest string length", FromGateway, "83 00 02 82 02 78 03 616263", 2, EnrollmentRejected{Reason: "abc"}},
	{"unknown trailing fields", FromGateway,
		"83 00 03 88 00 05 65 6e65776572 82 01 a1 01 02 f9 3c00 f6 fb 3ff0000000000000 40",
		3, HeartbeatAck{Seq: 5}},
	{"trailing field with invalid UTF-8", FromGateway, "83 00 04 83 01 19 1388 62 c328", 4, EnrollmentAccepted{HeartbeatMs: 5000}},
	{"enrollment request with trailing fields", FromDevice, "83 00 05 83 01 f5 80", 5, EnrollmentRequest{}},
	{"app status with trailing field", FromDevice,
		"83 00 06 86 00 01 02 03 84 00 00 00 00 81 85 50 " + hex.EncodeToString(appA[:]) + " 01 60 00 f4",
		6, Heartbeat{Seq: 1, UptimeMs: 2, FreeRAM: 3, Counters: []uint64{0, 0, 0, 0},
			Apps: []AppStatus{{AppID: appA, State: 1}}}},
	{"more counters than four", FromDevice, "83 00 07 86 00 00 00 00 85 01 02 03 04 05 80", 7,
		Heartbeat{Counters: []uint64{1, 2, 3, 4, 5}}},
}

// nest gives n nested arrays around 0.
func nest(n int) string {
	return strings.Repeat("81", n) + "00"
}

var badCases = []badCase{
	{"empty input", FromGateway, "", []byte{}, CodeMalformed},
	{"truncated length prefix", FromGateway, "", unhex("000000"), CodeMalformed},
	{"zero length", FromGateway, "", unhex("00000000"), CodeMalformed},
	{"length over 4096", FromGateway, "", unhex("00001001"), CodeTooLarge},
	{"length 2^32-1", FromDevice, "", unhex("ffffffff 830000 8100"), CodeTooLarge},
	{"truncated envelope", FromGateway, "", unhex("00000005 83000082 00"), CodeMalformed},
	{"bytes after the length", FromGateway, "", unhex("00000005 8300008100 00"), CodeMalformed},
	{"bytes after the envelope", FromGateway, "83 00 00 81 06 00", nil, CodeMalformed},
	{"truncated CBOR inside", FromGateway, "83 00 00 82 00 19 01", nil, CodeMalformed},
	{"indefinite envelope", FromGateway, "9f 00 00 81 06 ff", nil, CodeMalformed},
	{"indefinite body", FromGateway, "83 00 00 9f 06 ff", nil, CodeMalformed},
	{"indefinite text string", FromGateway, "83 00 00 82 02 7f 61 61 ff", nil, CodeMalformed},
	{"indefinite trailing map", FromGateway, "83 00 00 82 06 bf ff", nil, CodeMalformed},
	{"tag", FromGateway, "83 00 00 82 00 c1 05", nil, CodeMalformed},
	{"reserved additional info", FromGateway, "83 00 00 82 06 1c", nil, CodeMalformed},
	{"two-byte simple value below 32", FromGateway, "83 00 00 82 06 f8 10", nil, CodeMalformed},
	{"nesting over 16", FromGateway, "83 00 00 82 06 " + nest(15), nil, CodeMalformed},
	{"envelope not an array", FromGateway, "a0", nil, CodeMalformed},
	{"envelope empty", FromGateway, "80", nil, CodeMalformed},
	{"version not a uint", FromGateway, "83 20 00 81 06", nil, CodeMalformed},
	{"version 1", FromGateway, "83 01 00 81 06", nil, CodeUnsupportedVersion},
	{"version 2^64-1, short envelope", FromDevice, "81 1b ffffffffffffffff", nil, CodeUnsupportedVersion},
	{"envelope of 2 items", FromGateway, "82 00 00", nil, CodeMalformed},
	{"envelope of 4 items", FromGateway, "84 00 00 81 06 00", nil, CodeMalformed},
	{"negative msg_id", FromGateway, "83 00 20 81 06", nil, CodeMalformed},
	{"body not an array", FromGateway, "83 00 00 06", nil, CodeMalformed},
	{"empty body", FromGateway, "83 00 00 80", nil, CodeMalformed},
	{"tag is text", FromGateway, "83 00 00 81 61 30", nil, CodeMalformed},
	{"gateway tag 12", FromGateway, "83 00 00 81 0c", nil, CodeUnknownTag},
	{"device tag 9", FromDevice, "83 00 00 81 09", nil, CodeUnknownTag},
	{"tag 2^64-1", FromDevice, "83 00 00 81 1b ffffffffffffffff", nil, CodeUnknownTag},
	{"heartbeat missing fields", FromDevice, "83 00 00 83 00 01 02", nil, CodeBadField},
	{"heartbeat ack missing seq", FromGateway, "83 00 00 81 00", nil, CodeBadField},
	{"negative seq", FromGateway, "83 00 00 82 00 20", nil, CodeBadField},
	{"null seq", FromGateway, "83 00 00 82 00 f6", nil, CodeBadField},
	{"seq as float", FromGateway, "83 00 00 82 00 f9 3c00", nil, CodeBadField},
	{"public key of 31 bytes", FromDevice, "83 00 00 82 02 58 1f " + hex.EncodeToString(key[:31]), nil, CodeBadField},
	{"app_id of 17 bytes", FromGateway, "83 00 00 82 05 51 " + hex.EncodeToString(appA[:]) + "00", nil, CodeBadField},
	{"app_id as text", FromGateway, "83 00 00 82 05 70 " + strings.Repeat("41", 16), nil, CodeBadField},
	{"ok as 1", FromDevice, "83 00 00 83 05 50 " + hex.EncodeToString(appA[:]) + " 01", nil, CodeBadField},
	{"ok as null", FromDevice, "83 00 00 83 05 50 " + hex.EncodeToString(appA[:]) + " f6", nil, CodeBadField},
	{"reason invalid UTF-8", FromGateway, "83 00 00 82 02 62 c328", nil, CodeBadField},
	{"reason as bytes", FromGateway, "83 00 00 82 02 41 61", nil, CodeBadField},
	{"counter as text", FromDevice, "83 00 00 86 00 00 00 00 84 00 00 61 30 00 80", nil, CodeBadField},
	{"counters not an array", FromDevice, "83 00 00 86 00 00 00 00 00 80", nil, CodeBadField},
	{"app status missing detail", FromDevice,
		"83 00 00 86 00 00 00 00 80 81 82 50 " + hex.EncodeToString(appA[:]) + " 00", nil, CodeBadField},
	{"capability not text", FromDevice, "83 00 00 86 06 60 60 40 00 81 00", nil, CodeBadField},
	{"deploy chunk of 1025 bytes", FromGateway,
		"83 00 00 84 08 50 " + hex.EncodeToString(appA[:]) + " 00 59 0401 " + hex.EncodeToString(rep(0x55, 1025)), nil, CodeBadField},
}

// input gives the bytes a bad case decodes.
func (c badCase) input() []byte {
	if c.raw != nil {
		return c.raw
	}
	return prefixed(c.env)
}
