/*
 * The tables specgen (firmware/tools/specgen) generates for the test image:
 * modules, and commands that run them, from WebAssembly spec scripts or
 * from benchmark kernels. The image (spec_image.c) runs them in order.
 *
 * Each command has a kind and, by kind:
 *
 *   SPEC_SCRIPT          a script starts: ref names it (spec_strs); the
 *                        current instance and the spectest state are reset
 *   SPEC_MODULE          ref is a module (spec_modules): load, instantiate,
 *                        run its start function; it becomes current
 *   SPEC_INVALID         the module must fail to load as invalid
 *   SPEC_MALFORMED       ... as malformed
 *   SPEC_UNLINKABLE      it must load and then fail to instantiate
 *   SPEC_UNINSTANTIABLE  it must fail to instantiate, or its start trap
 *   SPEC_MODULE_TRAP     its start function must trap with the text
 *                        spec_strs[words]
 *   SPEC_RETURN          invoke export ref of the current instance with
 *                        nargs arguments from spec_words[words...] and
 *                        expect a result of type (0: none) as told by
 *                        expect, its bits after the arguments
 *   SPEC_ACTION          invoke, and expect no trap
 *   SPEC_TRAP            invoke, and expect a trap whose message starts
 *                        like the string (spec_strs) whose index follows
 *                        the arguments (assert_exhaustion too)
 *   SPEC_GET             read exported global ref, expect as SPEC_RETURN
 *   SPEC_MEASURE         invoke, print the result and the CPU cycles the
 *                        call took (benchmarks)
 *   SPEC_CALIBRATE       run a loop of known instruction count,
 *                        spec_words[words] iterations, and print its cycles
 *
 * Values take one word (i32, f32) or two (i64, f64, low word first); an
 * argument's width comes from the callee's parameter type.
 */
#ifndef SPEC_DATA_H
#define SPEC_DATA_H

#include <stdint.h>

enum spec_kind {
	SPEC_SCRIPT = 1,
	SPEC_MODULE,
	SPEC_INVALID,
	SPEC_MALFORMED,
	SPEC_UNLINKABLE,
	SPEC_UNINSTANTIABLE,
	SPEC_MODULE_TRAP,
	SPEC_RETURN,
	SPEC_ACTION,
	SPEC_TRAP,
	SPEC_GET,
	SPEC_MEASURE,
	SPEC_CALIBRATE,
};

/* How a result is compared. */
enum spec_expect {
	SPEC_EXACT = 0,
	SPEC_NAN_CANONICAL,  /* any sign, quiet bit only */
	SPEC_NAN_ARITHMETIC, /* any sign, quiet bit set, any payload */
};

struct spec_cmd {
	uint8_t kind;   /* enum spec_kind */
	uint8_t nargs;
	uint8_t type;   /* expected result: enum wasm_valtype, 0 for none */
	uint8_t expect; /* enum spec_expect */
	uint16_t ref;   /* a module, or a name in spec_strs */
	uint16_t line;  /* in the script */
	uint32_t words; /* index in spec_words, or of a message in spec_strs */
};

struct spec_module {
	const uint8_t *bytes;
	uint32_t len;
};

/* A string: spec_text[off..off+len), not terminated (names may hold NUL). */
struct spec_str {
	uint32_t off;
	uint32_t len;
};

extern const struct spec_cmd spec_cmds[];
extern const uint32_t spec_ncmds;
extern const struct spec_module spec_modules[];
extern const uint32_t spec_nmodules;
extern const struct spec_str spec_strs[];
extern const char spec_text[];
extern const uint32_t spec_words[];
/* The linear memory the generator assumed: modules needing more were left out. */
extern const uint32_t spec_memory_pages;
/* Fuel per wasm_thread_run: a call runs in slices, resumed after each. */
extern const uint32_t spec_slice;
/* Commands of the scripts the generator left out (spec_summary says why). */
extern const uint32_t spec_skipped;
extern const char spec_summary[];

#endif
