package apps

import (
	"bytes"
	"fmt"
	"strings"
)

// Generated files, by path from the repository root: the ABI is written
// once (abi.go) and these follow from it (`make gen`; a test fails when
// they are stale).
const (
	SDKHeaderPath      = "apps/sdk/wasmbed.h"
	FirmwareHeaderPath = "firmware/gen/abi.h"
	ABIDocPath         = "docs/abi.md"
)

const genBanner = "Generated from apps/abi.go by `make gen`: do not edit."

// GenerateABI renders the files that follow from the ABI.
func GenerateABI() map[string][]byte {
	return map[string][]byte{
		SDKHeaderPath:      sdkHeader(),
		FirmwareHeaderPath: firmwareHeader(),
		ABIDocPath:         abiDoc(),
	}
}

// sdkHeader is what C apps include.
func sdkHeader() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "/* wasmbed.h: the host functions a WebAssembly app imports from %q.\n * %s\n *\n", Module, genBanner)
	b.WriteString(" * Build with clang --target=wasm32 -mcpu=mvp (apps/Makefile). An app\n")
	fmt.Fprintf(&b, " * exports void %s(void): the board calls it once; returning stops the app.\n", Entry)
	b.WriteString(" * Every function returns a negative WASMBED_E* code when it fails; a\n")
	b.WriteString(" * pointer range outside the app's memory traps. See docs/abi.md. */\n")
	b.WriteString("#ifndef WASMBED_H\n#define WASMBED_H\n\n#include <stdint.h>\n\n")
	for _, e := range Errnos {
		fmt.Fprintf(&b, "#define %-20s (%d) /* %s */\n", e.Name, e.Errno, e.Doc)
	}
	b.WriteString("#define WASMBED_IS_ERROR(r) ((r) < 0)\n\n")
	for _, l := range []struct {
		name string
		v    int
	}{{"MAX_LOG", MaxLog}, {"MAX_TOPIC", MaxTopic}, {"MAX_PUBLISH", MaxPublish}, {"MAX_I2C", MaxI2C}, {"MAX_SPI", MaxSPI}, {"MAX_RANDOM", MaxRandom}} {
		fmt.Fprintf(&b, "#define WASMBED_%-12s %d\n", l.name, l.v)
	}
	b.WriteString("\n/* Reduced-memory mode: a board under one 64 KiB page maps only the bytes\n")
	b.WriteString(" * an app declares in a custom section \"wasmbed.memory\" (C cannot write\n")
	b.WriteString(" * one: apps/Makefile adds it, from MEMORY_<app> := bytes). */\n\n")
	fmt.Fprintf(&b, "/* The app's entry point, which it defines: the board calls it once. */\n"+
		"__attribute__((export_name(%q))) void %s(void);\n\n", Entry, Entry)
	fmt.Fprintf(&b, "#define WASMBED_IMPORT(name) __attribute__((import_module(%q), import_name(#name)))\n\n", Module)
	for _, f := range ABI {
		lines := wrap(f.Doc, 72)
		b.WriteString("/* " + strings.Join(lines, "\n * ") + " */\n")
		params := make([]string, len(f.Params))
		for i, p := range f.Params {
			params[i] = cParam(p)
		}
		if len(params) == 0 {
			params = []string{"void"}
		}
		result := f.CResult
		if result == "" {
			result = "void"
		}
		fmt.Fprintf(&b, "WASMBED_IMPORT(%s) %s wasmbed_%s(%s);\n\n", f.Name, result, f.Name, strings.Join(params, ", "))
	}
	b.WriteString("/* Logs a NUL-terminated string. */\nstatic inline int32_t wasmbed_log_str(const char *s)\n{\n\tuint32_t n = 0;\n\twhile (s[n] != 0) {\n\t\tn++;\n\t}\n\treturn wasmbed_log(s, n);\n}\n\n#endif\n")
	return b.Bytes()
}

func cParam(p Param) string {
	if strings.HasSuffix(p.C, "*") {
		return p.C + p.Name
	}
	return p.C + " " + p.Name
}

// firmwareHeader is the firmware's copy of the names, signatures and codes.
func firmwareHeader() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "/* The wasmbed host ABI for the firmware: names, signatures (params ':'\n * result; i i32, I i64) and error codes. %s */\n", genBanner)
	b.WriteString("#ifndef WASMBED_ABI_H\n#define WASMBED_ABI_H\n\n")
	fmt.Fprintf(&b, "#define WASMBED_ABI_MODULE %q\n#define WASMBED_ABI_ENTRY %q\n\n", Module, Entry)
	b.WriteString("/* X(name, signature) for every host function, in order. */\n#define WASMBED_ABI(X) \\\n")
	for i, f := range ABI {
		sep := " \\"
		if i == len(ABI)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "\tX(%s, %q)%s\n", f.Name, f.Signature(), sep)
	}
	b.WriteString("\nenum wasmbed_errno {\n")
	for _, e := range Errnos {
		fmt.Fprintf(&b, "\t%s = %d,\n", e.Name, e.Errno)
	}
	b.WriteString("};\n\n")
	for _, l := range []struct {
		name string
		v    int
	}{{"MAX_LOG", MaxLog}, {"MAX_TOPIC", MaxTopic}, {"MAX_PUBLISH", MaxPublish}, {"MAX_I2C", MaxI2C}, {"MAX_SPI", MaxSPI}, {"MAX_RANDOM", MaxRandom}} {
		fmt.Fprintf(&b, "#define WASMBED_%-12s %du\n", l.name, l.v)
	}
	b.WriteString("\n#endif\n")
	return b.Bytes()
}

// abiDoc is the reference for app authors.
func abiDoc() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# The wasmbed host ABI\n\n<!-- %s -->\n\n", genBanner)
	fmt.Fprintf(&b, "An app is a WebAssembly 1.0 module that exports `%s: () -> ()` and imports\n", Entry)
	fmt.Fprintf(&b, "host functions from the module `%q`. The board calls `%s` once; returning\n", Module, Entry)
	b.WriteString("stops the app. C apps include [`apps/sdk/wasmbed.h`](../apps/sdk/wasmbed.h).\n\n")
	b.WriteString("Every function drives the board's emulated peripheral where QEMU models it,\n")
	b.WriteString("and returns `WASMBED_ENOTAVAIL` where it does not: a value an app reads is a\n")
	b.WriteString("value the emulated hardware holds. A failing call returns a negative code. A\n")
	b.WriteString("pointer and length outside the app's memory trap (out of bounds), as a load\n")
	b.WriteString("would. `sleep_ms` suspends the app; the board serves its link and heartbeats\n")
	b.WriteString("meanwhile, and an app that never sleeps is run in bounded slices.\n\n")
	b.WriteString("| function | type | what it does | errors |\n|---|---|---|---|\n")
	for _, f := range ABI {
		errs := make([]string, len(f.Errors))
		for i, e := range f.Errors {
			errs[i] = "`" + e.String() + "`"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", f.Name, f.WasmType(), f.Doc, strings.Join(errs, ", "))
	}
	b.WriteString("\n## Error codes\n\n| code | name | meaning |\n|---|---|---|\n")
	for _, e := range Errnos {
		fmt.Fprintf(&b, "| %d | `%s` | %s |\n", e.Errno, e.Name, e.Doc)
	}
	b.WriteString("\n## Memory\n\n")
	b.WriteString("A board gives an app at most `wasm-memory` bytes of linear memory and\n")
	b.WriteString("`wasm-module` bytes of module (its capabilities). A board under one 64 KiB\n")
	b.WriteString("page (`wasm-reduced`) maps only what the app declares it needs in a custom\n")
	b.WriteString("section `wasmbed.memory` (one LEB128 u32; `MEMORY_<app> := bytes` in\n")
	b.WriteString("`apps/Makefile` adds it, as C cannot); an access beyond\n")
	b.WriteString("that traps and `memory.grow` fails.\n")
	return b.Bytes()
}

// wrap splits s into lines of at most width bytes, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
