package apps

import (
	"fmt"
	"strings"
)

// Module is the import module of every host function an app may call.
const Module = "wasmbed"

// Entry is the function an app exports for the device to run: no
// parameters, no result. Returning from it stops the app.
const Entry = "run"

// ValType is a WebAssembly value type of the ABI (it uses no floats).
type ValType byte

const (
	I32 ValType = 0x7f
	I64 ValType = 0x7e
)

func (t ValType) String() string {
	switch t {
	case I32:
		return "i32"
	case I64:
		return "i64"
	}
	return fmt.Sprintf("valtype(%#x)", byte(t))
}

// Param is one parameter of a host function.
type Param struct {
	Name string
	Type ValType
	C    string // its C type in apps/sdk/wasmbed.h
}

// Func is one host function of the ABI.
type Func struct {
	Name    string
	Params  []Param
	Result  ValType // 0: none
	CResult string  // the result's C type
	Doc     string  // what it does, and what it returns
	Errors  []Errno // the errors it may return besides OK
}

// Errno is what a host function returns when it fails: a negative i32.
type Errno int32

const (
	OK          Errno = 0
	ErrInval    Errno = -1 // an argument out of its range
	ErrNotAvail Errno = -2 // the board has no such peripheral model
	ErrNoDev    Errno = -3 // no device at that index, bus or address
	ErrIO       Errno = -4 // the device did not answer (an I2C NACK)
	ErrTooBig   Errno = -5 // more bytes than the call takes
	ErrEmpty    Errno = -6 // nothing to receive
	ErrBusy     Errno = -7 // the outbox is full: try after a sleep
)

// ErrnoInfo names and explains an Errno.
type ErrnoInfo struct {
	Errno Errno
	Name  string // the C macro, WASMBED_E...
	Doc   string
}

// Errnos lists every error code, in order.
var Errnos = []ErrnoInfo{
	{OK, "WASMBED_OK", "success"},
	{ErrInval, "WASMBED_EINVAL", "an argument is out of its range"},
	{ErrNotAvail, "WASMBED_ENOTAVAIL", "not available on this board: QEMU has no model of that peripheral (see the board's capabilities)"},
	{ErrNoDev, "WASMBED_ENODEV", "no such LED, button, pin, bus, sensor or device address"},
	{ErrIO, "WASMBED_EIO", "the device did not answer (an I2C address nobody acknowledges)"},
	{ErrTooBig, "WASMBED_ETOOBIG", "more bytes than the call takes"},
	{ErrEmpty, "WASMBED_EEMPTY", "no message is waiting"},
	{ErrBusy, "WASMBED_EBUSY", "the outbox to the gateway is full: sleep, then try again"},
}

func (e Errno) String() string {
	for _, i := range Errnos {
		if i.Errno == e {
			return i.Name
		}
	}
	return fmt.Sprintf("errno(%d)", int32(e))
}

func p(name string, t ValType, c string) Param { return Param{name, t, c} }

// Limits the ABI puts on byte ranges.
const (
	MaxLog     = 256 // bytes of one log line
	MaxTopic   = 32  // bytes of a topic
	MaxPublish = 256 // bytes of one published message
	MaxI2C     = 64  // bytes of one I2C transfer
	MaxSPI     = 256 // bytes of one SPI transfer
	MaxRandom  = 256 // bytes of one random call
)

// ABI is every host function, in the order of apps/sdk/wasmbed.h. A pointer
// and its length must lie inside the app's memory: a range outside it traps
// as an out-of-bounds access, as a load or store would.
var ABI = []Func{
	{
		Name:   "log",
		Params: []Param{p("msg", I32, "const char *"), p("len", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc: fmt.Sprintf("Writes msg[0..len) as one line to the board's console and, while the board has a session with the gateway, the lab's event stream (lines logged without one are on the console only). Returns 0. At most %d bytes: longer lines are cut there.", MaxLog),
	},
	{
		Name:   "time_ms",
		Result: I64, CResult: "uint64_t",
		Doc: "Milliseconds since the board booted (monotonic).",
	},
	{
		Name:   "sleep_ms",
		Params: []Param{p("ms", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc: "Suspends the app for ms milliseconds (0: yields once) while the firmware goes on serving the link and heartbeats. Returns 0.",
	},
	{
		Name:   "led_set",
		Params: []Param{p("led", I32, "uint32_t"), p("on", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc:    "Turns LED led (0-based, the board's `leds:N` capability) on (on != 0) or off, in the emulated LED register. Returns 0.",
		Errors: []Errno{ErrNotAvail, ErrNoDev},
	},
	{
		Name:   "led_get",
		Params: []Param{p("led", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc:    "Reads LED led back from the emulated register: 1 on, 0 off.",
		Errors: []Errno{ErrNotAvail, ErrNoDev},
	},
	{
		Name:   "gpio_write",
		Params: []Param{p("pin", I32, "uint32_t"), p("value", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc:    "Drives GPIO pin high (value != 0) or low. Returns 0. No board's QEMU model implements its GPIO block: every board answers WASMBED_ENOTAVAIL.",
		Errors: []Errno{ErrNotAvail, ErrNoDev},
	},
	{
		Name:   "gpio_read",
		Params: []Param{p("pin", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc:    "Reads GPIO pin: 1 high, 0 low. Every board answers WASMBED_ENOTAVAIL (see gpio_write).",
		Errors: []Errno{ErrNotAvail, ErrNoDev},
	},
	{
		Name:   "button_read",
		Params: []Param{p("button", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc:    "Reads button button (0-based, the `buttons:N` capability): 1 pressed, 0 released.",
		Errors: []Errno{ErrNotAvail, ErrNoDev},
	},
	{
		Name:   "i2c_write",
		Params: []Param{p("bus", I32, "uint32_t"), p("addr", I32, "uint32_t"), p("data", I32, "const void *"), p("len", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc:    fmt.Sprintf("Writes data[0..len) to the 7-bit address addr on I2C bus bus (the `i2c:N` capability). Returns len. At most %d bytes.", MaxI2C),
		Errors: []Errno{ErrNotAvail, ErrNoDev, ErrIO, ErrTooBig, ErrInval},
	},
	{
		Name:   "i2c_read",
		Params: []Param{p("bus", I32, "uint32_t"), p("addr", I32, "uint32_t"), p("buf", I32, "void *"), p("len", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc:    fmt.Sprintf("Reads len bytes from address addr on bus bus into buf. Returns len. At most %d bytes.", MaxI2C),
		Errors: []Errno{ErrNotAvail, ErrNoDev, ErrIO, ErrTooBig, ErrInval},
	},
	{
		Name:   "spi_transfer",
		Params: []Param{p("bus", I32, "uint32_t"), p("tx", I32, "const void *"), p("rx", I32, "void *"), p("len", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc:    fmt.Sprintf("Clocks tx[0..len) out on SPI bus bus (the `spi:N` capability; master, mode 0, 8-bit) while reading len bytes into rx, which may be tx. Returns len. At most %d bytes. Nothing is attached to the emulated buses: the bytes read are what the controller gives back, 0.", MaxSPI),
		Errors: []Errno{ErrNotAvail, ErrNoDev, ErrTooBig, ErrIO},
	},
	{
		Name:   "sensor_read",
		Params: []Param{p("sensor", I32, "uint32_t"), p("value", I32, "int32_t *")},
		Result: I32, CResult: "int32_t",
		Doc:    "Reads sensor sensor into *value, in its milli-unit: sensor 0 is the temperature in millidegrees Celsius (a TMP105 on an I2C bus, whose temperature the lab sets). Returns 0.",
		Errors: []Errno{ErrNotAvail, ErrNoDev, ErrIO},
	},
	{
		Name:   "random",
		Params: []Param{p("buf", I32, "void *"), p("len", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc:    fmt.Sprintf("Fills buf[0..len) with random bytes from the firmware's generator. Returns len. At most %d bytes.", MaxRandom),
		Errors: []Errno{ErrTooBig},
	},
	{
		Name:   "device_id",
		Params: []Param{p("buf", I32, "char *"), p("cap", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc:    "Copies the device's name (as enrolled; not NUL-terminated) into buf. Returns its length.",
		Errors: []Errno{ErrTooBig},
	},
	{
		Name:   "publish",
		Params: []Param{p("topic", I32, "const char *"), p("topic_len", I32, "uint32_t"), p("data", I32, "const void *"), p("len", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc:    fmt.Sprintf("Sends data[0..len) to the gateway under topic (1 to %d bytes; data at most %d); it reaches the lab's event stream and HTTP API, in order. Returns 0. Messages wait on the board, across sessions, until sent; while that queue is full the app waits (as in sleep_ms), so none is dropped while the board runs. WASMBED_EBUSY is kept for boards whose queue cannot wait.", MaxTopic, MaxPublish),
		Errors: []Errno{ErrTooBig, ErrBusy, ErrInval},
	},
	{
		Name:   "receive",
		Params: []Param{p("buf", I32, "void *"), p("cap", I32, "uint32_t")},
		Result: I32, CResult: "int32_t",
		Doc:    fmt.Sprintf("Takes the oldest message the gateway sent the app (POST /v1/devices/{ref}/message; at most %d bytes) into buf. Returns its length. A message longer than cap stays, for a larger buf. The board keeps two such messages; the gateway hears of one that finds no room.", MaxPublish),
		Errors: []Errno{ErrEmpty, ErrTooBig},
	},
}

// Lookup finds a host function by name.
func Lookup(name string) (Func, bool) {
	for _, f := range ABI {
		if f.Name == name {
			return f, true
		}
	}
	return Func{}, false
}

// Signature is the function's type in the firmware's notation: parameter
// letters, ':', then the result's ("ii:i"; i is i32, I is i64).
func (f Func) Signature() string {
	var b strings.Builder
	for _, p := range f.Params {
		b.WriteByte(typeLetter(p.Type))
	}
	b.WriteByte(':')
	if f.Result != 0 {
		b.WriteByte(typeLetter(f.Result))
	}
	return b.String()
}

// WasmType is the function's type as WebAssembly writes it.
func (f Func) WasmType() string {
	params := make([]string, len(f.Params))
	for i, p := range f.Params {
		params[i] = p.Type.String()
	}
	result := ""
	if f.Result != 0 {
		result = f.Result.String()
	}
	return "(" + strings.Join(params, ", ") + ") -> (" + result + ")"
}

func typeLetter(t ValType) byte {
	if t == I64 {
		return 'I'
	}
	return 'i'
}
