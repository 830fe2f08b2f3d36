/* Host test of the WebAssembly loader and validator (wasm/load.c,
 * wasm/validate.c):
 *   1. small hand-written modules, one or more per section and per error;
 *   2. the module representation of a module with every section, and the
 *      side table of a function with every kind of branch;
 *   3. the WebAssembly 1.0 spec suite's verdicts (wast2json output in
 *      testdata/wasm/spec/): every "module" loads, every "assert_invalid"
 *      is rejected as invalid, every binary "assert_malformed" as
 *      malformed. Text modules are skipped (we never parse text), counted.
 * Every module that loads is checked for consistency (test/wasm_check.h)
 * and loaded again in an arena of exactly the reported peak (which must
 * do) and 8 bytes less (which must fail).
 * Usage: wasm_load_test testdata */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "module.h"
#include "wasm_check.h"

#define ARENA_SIZE (1u << 20)
#define MODULE_MAX 4096

/*
 * Builds a module from hex bytes where {...} is a group preceded by its
 * length (LEB128) and '...' is ASCII, so sections, bodies and names need no
 * hand-counted sizes. Returns the length.
 */
static size_t build(const char *spec, uint8_t *out, size_t cap)
{
	size_t n = 0, open[16], depth = 0;
	for (const char *s = spec; *s != '\0'; s++) {
		if (*s == ' ') {
			continue;
		}
		if (*s == '{') {
			open[depth++] = n;
		} else if (*s == '}') {
			size_t start = open[--depth], len = n - start;
			uint8_t leb[5];
			size_t k = 0;
			do {
				leb[k] = (uint8_t)(len & 0x7f);
				len >>= 7;
				leb[k] |= len != 0 ? 0x80 : 0;
				k++;
			} while (len != 0);
			memmove(out + start + k, out + start, n - start);
			memcpy(out + start, leb, k);
			n += k;
		} else if (*s == '\'') {
			while (*++s != '\'') {
				out[n++] = (uint8_t)*s;
			}
		} else {
			unsigned byte;
			if (sscanf(s, "%2x", &byte) != 1) {
				fprintf(stderr, "bad module spec at %.10s\n", s);
				abort();
			}
			out[n++] = (uint8_t)byte;
			s++;
		}
		if (n + 5 > cap || depth >= 16) {
			abort();
		}
	}
	return n;
}

/* Loads with a malloc'd arena of exactly size bytes, so ASan sees any write past it. */
static enum wasm_err load_in(struct wasm_module *m, const uint8_t *bytes, size_t len, size_t size,
			     struct wasm_error *err, uint8_t **arena)
{
	*arena = malloc(size > 0 ? size : 1);
	return wasm_load(m, bytes, len, *arena, size, err);
}

/* Checks an accepted module and its reported peak; returns false if not. */
static bool check_accepted(const struct wasm_module *m, const uint8_t *bytes, size_t len, const char *name)
{
	const char *why = wasm_check_module(m, ARENA_SIZE);
	if (!check_record(why == NULL, "module consistent", __FILE__, __LINE__)) {
		fprintf(stderr, "    %s: %s\n", name, why);
		return false;
	}
	struct wasm_module again;
	struct wasm_error err;
	uint8_t *arena;
	enum wasm_err e = load_in(&again, bytes, len, m->arena_peak, &err, &arena);
	bool ok = check_record(e == WASM_OK && again.arena_used == m->arena_used && again.arena_peak == m->arena_peak,
			       "loads in exactly its peak", __FILE__, __LINE__);
	free(arena);
	if (m->arena_peak >= 8) {
		e = load_in(&again, bytes, len, m->arena_peak - 8, &err, &arena);
		ok &= check_record(e == WASM_ERR_NO_MEMORY && err.reason != NULL &&
					   strncmp(err.reason, "no memory for ", 14) == 0,
				   "fails below its peak", __FILE__, __LINE__);
		free(arena);
	}
	if (!ok) {
		fprintf(stderr, "    %s: peak %zu, used %zu\n", name, m->arena_peak, m->arena_used);
	}
	return ok;
}

struct load_case {
	const char *name;
	const char *module;
	enum wasm_err want;
};

#define HDR "00 61 73 6d 01 00 00 00 "
#define T_V_V "01 {01 60 00 00} "   /* type 0: [] -> [] */
#define T_V_I "01 {01 60 00 01 7f} " /* type 0: [] -> [i32] */
#define F1 "03 {01 00} "            /* one function of type 0 */
#define MEM "05 {01 00 01} "        /* memory of 1 page */
#define CODE1(body) "0a {01 {00 " body " 0b}} "
#define FUNC(body) HDR T_V_V F1 CODE1(body)

static const struct load_case cases[] = {
	/* Header. */
	{"empty", "", WASM_ERR_UNEXPECTED_END},
	{"short magic", "00 61 73", WASM_ERR_UNEXPECTED_END},
	{"magic", "00 61 73 6e 01 00 00 00", WASM_ERR_MAGIC},
	{"short version", "00 61 73 6d 01 00", WASM_ERR_UNEXPECTED_END},
	{"version", "00 61 73 6d 02 00 00 00", WASM_ERR_VERSION},
	{"header only", HDR, WASM_OK},

	/* Sections. */
	{"section id 12", HDR "0c 00", WASM_ERR_SECTION_ID},
	{"sections out of order", HDR "03 {00} 01 {00}", WASM_ERR_SECTION_ORDER},
	{"section repeated", HDR "01 {00} 01 {00}", WASM_ERR_SECTION_ORDER},
	{"section longer than its contents", HDR "01 {01 60 00 00 00}", WASM_ERR_SECTION_SIZE},
	{"section beyond the module", HDR "01 05 00", WASM_ERR_UNEXPECTED_END},
	{"count beyond the bytes", HDR "01 {05 60 00 00}", WASM_ERR_UNEXPECTED_END},
	{"custom sections anywhere", HDR "00 {01 'a' ff} " T_V_V "00 {00} " F1 CODE1("") "00 {01 'z'}", WASM_OK},
	{"custom section without a name", HDR "00 {}", WASM_ERR_UNEXPECTED_END},
	{"custom name beyond the section", HDR "00 {05 'ab'}", WASM_ERR_LENGTH},

	/* LEB128. */
	{"u32 padded to 5 bytes", HDR "01 {80 80 80 80 00}", WASM_OK},
	{"u32 of 6 bytes", HDR "01 {80 80 80 80 80 00}", WASM_ERR_INT_TOO_LONG},
	{"u32 unused bits set", HDR "01 {80 80 80 80 10}", WASM_ERR_INT_TOO_LARGE},
	{"s32 minimum", FUNC("41 80 80 80 80 78 1a"), WASM_OK},
	{"s32 -1 padded", FUNC("41 ff ff ff ff 7f 1a"), WASM_OK},
	{"s32 unused bits not sign", FUNC("41 ff ff ff ff 4f 1a"), WASM_ERR_INT_TOO_LARGE},
	{"s32 of 6 bytes", FUNC("41 80 80 80 80 80 00 1a"), WASM_ERR_INT_TOO_LONG},
	{"s64 minimum", FUNC("42 80 80 80 80 80 80 80 80 80 7f 1a"), WASM_OK},
	{"s64 unused bits not sign", FUNC("42 ff ff ff ff ff ff ff ff ff 01 1a"), WASM_ERR_INT_TOO_LARGE},
	{"s64 of 11 bytes", FUNC("42 80 80 80 80 80 80 80 80 80 80 00 1a"), WASM_ERR_INT_TOO_LONG},
	{"limits flag 2", HDR "05 {01 02 00}", WASM_ERR_INT_TOO_LARGE},

	/* UTF-8 names. */
	{"custom name 4-byte UTF-8", HDR "00 {04 f0 9f 98 80}", WASM_OK},
	{"custom name overlong", HDR "00 {02 c0 80}", WASM_ERR_UTF8},
	{"export name surrogate", HDR T_V_V F1 "07 {01 03 ed a0 80 00 00} " CODE1(""), WASM_ERR_UTF8},
	{"import name truncated", HDR "02 {01 01 e2 01 'f' 00 00}", WASM_ERR_UTF8},
	{"import name above U+10FFFF", HDR "02 {01 04 f4 90 80 80 01 'f' 00 00}", WASM_ERR_UTF8},

	/* Other encodings. */
	{"param type", HDR "01 {01 60 01 7b 00}", WASM_ERR_VALTYPE},
	{"function type form", HDR "01 {01 61 00 00}", WASM_ERR_MALFORMED},
	{"block type", FUNC("02 7b 0b"), WASM_ERR_VALTYPE},
	{"local type", HDR T_V_V F1 "0a {01 {01 01 70 0b}}", WASM_ERR_VALTYPE},
	{"global mutability 2", HDR "06 {01 7f 02 41 00 0b}", WASM_ERR_MUTABILITY},
	{"memory.size reserved byte", HDR T_V_V F1 MEM CODE1("3f 01 1a"), WASM_ERR_ZERO_FLAG},
	{"memory.grow reserved LEB", HDR T_V_V F1 MEM CODE1("41 00 40 80 00 1a"), WASM_ERR_ZERO_FLAG},
	{"call_indirect reserved byte", HDR T_V_V F1 "04 {01 70 00 00} " CODE1("41 00 11 00 01"), WASM_ERR_ZERO_FLAG},
	{"more functions than bodies", HDR T_V_V "03 {02 00 00} 0a {01 {00 0b}}", WASM_ERR_FUNC_CODE_COUNT},
	{"functions without code", HDR T_V_V F1, WASM_ERR_FUNC_CODE_COUNT},
	{"code without functions", HDR T_V_V "0a {01 {00 0b}}", WASM_ERR_FUNC_CODE_COUNT},
	{"2^32 locals", HDR T_V_V F1 "0a {01 {02 ff ff ff ff 0f 7f 01 7e 0b}}", WASM_ERR_TOO_MANY_LOCALS},
	{"sign-extension opcode", FUNC("41 00 c0 1a"), WASM_ERR_OPCODE},
	{"saturating truncation prefix", FUNC("43 00 00 00 00 fc 00 1a"), WASM_ERR_OPCODE},
	{"opcode 0x06", FUNC("06"), WASM_ERR_OPCODE},
	{"else in a block", FUNC("02 40 05 0b"), WASM_ERR_OPCODE},
	{"second else", FUNC("41 00 04 40 05 05 0b"), WASM_ERR_OPCODE},
	{"else in the body", FUNC("05"), WASM_ERR_OPCODE},
	{"body without its end", HDR T_V_V F1 "0a {01 {00 01}}", WASM_ERR_UNEXPECTED_END},
	{"code after the body's end", HDR T_V_V F1 "0a {01 {00 0b 01}}", WASM_ERR_SECTION_SIZE},
	{"body beyond the section", HDR T_V_V F1 "0a {01 05 00 0b}", WASM_ERR_LENGTH},
	{"import kind 4", HDR "02 {01 01 'm' 01 'f' 04 00}", WASM_ERR_MALFORMED},
	{"export kind 4", HDR "07 {01 01 'e' 04 00}", WASM_ERR_MALFORMED},
	{"table of externref", HDR "04 {01 6f 00 01}", WASM_ERR_MALFORMED},
	{"data shorter than its length", HDR MEM "0b {01 00 41 00 0b 05 'a'}", WASM_ERR_UNEXPECTED_END},
	/* Decoded entirely before it is judged: invalid code, then malformed data. */
	{"malformed after invalid", HDR T_V_V F1 MEM CODE1("6a") "0b {01 00 41 00 0b 05 'a'}", WASM_ERR_UNEXPECTED_END},
	{"malformed after invalid import", HDR "02 {01 01 'm' 01 'f' 00 07} 03 {01 00}", WASM_ERR_FUNC_CODE_COUNT},

	/* Validation: code. */
	{"i64 operands to i32.add", FUNC("42 00 42 00 6a 1a"), WASM_ERR_TYPE_MISMATCH},
	{"missing result", HDR T_V_I F1 CODE1(""), WASM_ERR_TYPE_MISMATCH},
	{"value left over", FUNC("41 00"), WASM_ERR_TYPE_MISMATCH},
	{"operand from outside the block", FUNC("41 00 02 40 1a 0b 1a"), WASM_ERR_TYPE_MISMATCH},
	{"unknown type", HDR T_V_V "03 {01 05} " CODE1(""), WASM_ERR_UNKNOWN_TYPE},
	{"unknown function", FUNC("10 05"), WASM_ERR_UNKNOWN_FUNC},
	{"call_indirect without table", FUNC("41 00 11 00 00"), WASM_ERR_UNKNOWN_TABLE},
	{"call_indirect unknown type", HDR T_V_V F1 "04 {01 70 00 00} " CODE1("41 00 11 01 00"), WASM_ERR_UNKNOWN_TYPE},
	{"load without memory", FUNC("41 00 28 02 00 1a"), WASM_ERR_UNKNOWN_MEMORY},
	{"memory.size without memory", FUNC("3f 00 1a"), WASM_ERR_UNKNOWN_MEMORY},
	{"unknown global", FUNC("23 00 1a"), WASM_ERR_UNKNOWN_GLOBAL},
	{"unknown local", FUNC("20 00 1a"), WASM_ERR_UNKNOWN_LOCAL},
	{"local past the declared", HDR T_V_V F1 "0a {01 {01 02 7f 20 02 1a 0b}}", WASM_ERR_UNKNOWN_LOCAL},
	{"locals of two runs", HDR T_V_V F1 "0a {01 {02 02 7f 01 7e 20 02 42 00 51 1a 0b}}", WASM_OK},
	{"unknown label", FUNC("0c 01"), WASM_ERR_UNKNOWN_LABEL},
	{"i32.load aligned 8", HDR T_V_V F1 MEM CODE1("41 00 28 03 00 1a"), WASM_ERR_ALIGNMENT},
	{"i64.load8_u aligned 2", HDR T_V_V F1 MEM CODE1("41 00 31 01 00 1a"), WASM_ERR_ALIGNMENT},
	{"natural alignment", HDR T_V_V F1 MEM CODE1("41 00 29 03 00 1a 41 00 42 00 3c 00 00"), WASM_OK},
	{"global.set immutable", HDR T_V_V F1 "06 {01 7f 00 41 00 0b} " CODE1("41 00 24 00"), WASM_ERR_IMMUTABLE_GLOBAL},
	{"global.set mutable", HDR T_V_V F1 "06 {01 7f 01 41 00 0b} " CODE1("41 00 24 00"), WASM_OK},
	{"br_table arities", FUNC("02 7f 02 40 41 00 0e 01 00 01 0b 41 00 0b 1a"), WASM_ERR_TYPE_MISMATCH},
	{"br_table types", FUNC("02 7f 02 7e 41 00 0e 01 00 01 0b 1a 41 00 0b 1a"), WASM_ERR_TYPE_MISMATCH},
	{"select of i32 and i64", FUNC("41 00 42 00 41 00 1b 1a"), WASM_ERR_TYPE_MISMATCH},
	{"if without else with a result", FUNC("41 00 04 7f 41 00 0b 1a"), WASM_ERR_TYPE_MISMATCH},
	{"if arms of different types", FUNC("41 00 04 7f 41 00 05 42 00 0b 1a"), WASM_ERR_TYPE_MISMATCH},
	{"loop label takes no value", FUNC("03 7f 41 00 0c 00 0b 1a"), WASM_OK},
	{"br_if keeps its value", HDR T_V_I F1 CODE1("02 7f 41 01 41 00 0d 00 0b"), WASM_OK},
	{"unreachable then i32.add", HDR T_V_I F1 CODE1("00 6a"), WASM_OK},
	{"unreachable then select", HDR T_V_I F1 CODE1("00 1b"), WASM_OK},
	{"unreachable then i64 for i32", HDR T_V_I F1 CODE1("00 42 00"), WASM_ERR_TYPE_MISMATCH},
	{"br then anything", HDR T_V_I F1 CODE1("41 00 0c 00 6a 6a"), WASM_OK},
	{"br without its value", HDR T_V_I F1 CODE1("0c 00"), WASM_ERR_TYPE_MISMATCH},
	{"return in a block", HDR T_V_I F1 CODE1("02 40 41 01 0f 0b 41 00"), WASM_OK},

	/* Validation: the rest. */
	{"two results", HDR "01 {01 60 00 02 7f 7f}", WASM_ERR_RESULT_ARITY},
	{"global init not constant", HDR "06 {01 7f 00 41 00 41 00 6a 0b}", WASM_ERR_CONST_EXPR},
	{"global init of two values", HDR "06 {01 7f 00 41 00 41 00 0b}", WASM_ERR_TYPE_MISMATCH},
	{"global init empty", HDR "06 {01 7f 00 0b}", WASM_ERR_TYPE_MISMATCH},
	{"global init of i64", HDR "06 {01 7f 00 42 00 0b}", WASM_ERR_TYPE_MISMATCH},
	{"global init from a defined global", HDR "06 {02 7f 00 41 00 0b 7f 00 23 00 0b}", WASM_ERR_UNKNOWN_GLOBAL},
	{"global init from a mutable import", HDR "02 {01 01 'm' 01 'g' 03 7f 01} 06 {01 7f 00 23 00 0b}",
	 WASM_ERR_CONST_EXPR},
	{"global init from an import", HDR "02 {01 01 'm' 01 'g' 03 7f 00} 06 {01 7f 00 23 00 0b}", WASM_OK},
	{"global init with a block", HDR "06 {01 7f 00 02 40 0b 41 00 0b}", WASM_ERR_CONST_EXPR},
	{"duplicate export", HDR T_V_V "03 {02 00 00} 07 {02 01 'a' 00 00 01 'a' 00 01} 0a {02 {00 0b} {00 0b}}",
	 WASM_ERR_DUPLICATE_EXPORT},
	{"same name prefix", HDR T_V_V F1 "07 {02 02 'ab' 00 00 01 'a' 00 00} " CODE1(""), WASM_OK},
	{"export of unknown function", HDR "07 {01 01 'f' 00 00}", WASM_ERR_UNKNOWN_FUNC},
	{"export of unknown memory", HDR "07 {01 01 'm' 02 00}", WASM_ERR_UNKNOWN_MEMORY},
	{"table minimum above maximum", HDR "04 {01 70 01 02 01}", WASM_ERR_LIMITS},
	{"memory of 65537 pages", HDR "05 {01 00 81 80 04}", WASM_ERR_MEMORY_SIZE},
	{"memory maximum 65537 pages", HDR "05 {01 01 00 81 80 04}", WASM_ERR_MEMORY_SIZE},
	{"memory of 65536 pages", HDR "05 {01 01 80 80 04 80 80 04}", WASM_OK},
	{"memory minimum above maximum", HDR "05 {01 01 02 01}", WASM_ERR_LIMITS},
	{"two memories", HDR "05 {02 00 01 00 01}", WASM_ERR_MULTIPLE_MEMORIES},
	{"imported and defined memory", HDR "02 {01 01 'm' 01 'm' 02 00 01} " MEM, WASM_ERR_MULTIPLE_MEMORIES},
	{"imported and defined table", HDR "02 {01 01 'm' 01 't' 01 70 00 00} 04 {01 70 00 00}",
	 WASM_ERR_MULTIPLE_TABLES},
	{"start with a param", HDR "01 {01 60 01 7f 00} " F1 "08 {00} " CODE1(""), WASM_ERR_START},
	{"start unknown", HDR T_V_V F1 "08 {01} " CODE1(""), WASM_ERR_UNKNOWN_FUNC},
	{"element without table", HDR T_V_V F1 "09 {01 00 41 00 0b 01 00} " CODE1(""), WASM_ERR_UNKNOWN_TABLE},
	{"element of unknown function", HDR "04 {01 70 00 01} 09 {01 00 41 00 0b 01 00}", WASM_ERR_UNKNOWN_FUNC},
	{"element offset i64", HDR T_V_V F1 "04 {01 70 00 01} 09 {01 00 42 00 0b 01 00} " CODE1(""),
	 WASM_ERR_TYPE_MISMATCH},
	{"data without memory", HDR "0b {01 00 41 00 0b 00}", WASM_ERR_UNKNOWN_MEMORY},
	{"data of memory 1", HDR MEM "0b {01 01 41 00 0b 00}", WASM_ERR_UNKNOWN_MEMORY},
	{"data offset from a mutable global",
	 HDR "02 {01 01 'm' 01 'g' 03 7f 01} " MEM "0b {01 00 23 00 0b 00}", WASM_ERR_CONST_EXPR},
};

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct load_case *t = &cases[i];
		uint8_t bytes[MODULE_MAX];
		size_t len = build(t->module, bytes, sizeof bytes);
		struct wasm_module m;
		struct wasm_error err;
		uint8_t *arena;
		enum wasm_err got = load_in(&m, bytes, len, ARENA_SIZE, &err, &arena);
		if (!check_record(got == t->want, t->name, __FILE__, __LINE__)) {
			fprintf(stderr, "    got %s (%s, section %u, offset %u), want %s\n", wasm_err_text(got),
				err.reason != NULL ? err.reason : "-", err.section, err.offset,
				wasm_err_text(t->want));
		}
		if (got == WASM_OK) {
			check_accepted(&m, bytes, len, t->name);
		} else {
			CHECK(err.reason != NULL && err.offset <= len && wasm_err_kind(got) == wasm_err_kind(t->want));
			CHECK(m.bytes == NULL && m.nfuncs == 0);
		}
		free(arena);
	}
}

/* Where an error is reported. */
static void test_error_position(void)
{
	uint8_t bytes[MODULE_MAX];
	size_t len = build(FUNC("41 00 c0 1a"), bytes, sizeof bytes);
	struct wasm_module m;
	struct wasm_error err;
	uint8_t *arena;
	CHECK_EQ(load_in(&m, bytes, len, ARENA_SIZE, &err, &arena), WASM_ERR_OPCODE);
	CHECK_EQ(err.section, WASM_SEC_CODE);
	CHECK_EQ(err.offset, len - 3); /* the 0xc0 */
	CHECK_EQ(wasm_err_kind(err.code), WASM_KIND_MALFORMED);
	free(arena);

	len = build(FUNC("42 00 42 00 6a 1a"), bytes, sizeof bytes);
	CHECK_EQ(load_in(&m, bytes, len, ARENA_SIZE, &err, &arena), WASM_ERR_TYPE_MISMATCH);
	CHECK_EQ(err.section, WASM_SEC_CODE);
	CHECK_EQ(err.offset, len - 3); /* the i32.add */
	CHECK_EQ(wasm_err_kind(err.code), WASM_KIND_INVALID);
	CHECK(strcmp(wasm_err_text(err.code), "type mismatch") == 0);
	free(arena);

	len = build(HDR "06 {01 7f 02 41 00 0b}", bytes, sizeof bytes);
	CHECK_EQ(load_in(&m, bytes, len, ARENA_SIZE, &err, &arena), WASM_ERR_MUTABILITY);
	CHECK_EQ(err.section, WASM_SEC_GLOBAL);
	CHECK_EQ(err.offset, 12);
	free(arena);

	len = build(HDR T_V_V F1, bytes, sizeof bytes);
	CHECK_EQ(load_in(&m, bytes, len, ARENA_SIZE, &err, &arena), WASM_ERR_FUNC_CODE_COUNT);
	CHECK_EQ(err.section, WASM_SEC_NONE);
	free(arena);
}

/* The arena: too small fails and names what did not fit; never written beyond. */
static void test_arena(void)
{
	uint8_t bytes[MODULE_MAX];
	size_t len = build(FUNC("02 40 0b"), bytes, sizeof bytes);
	struct wasm_module m;
	struct wasm_error err;
	uint8_t *arena;
	CHECK_EQ(load_in(&m, bytes, len, 0, &err, &arena), WASM_ERR_NO_MEMORY);
	CHECK(strcmp(err.reason, "no memory for types") == 0);
	CHECK_EQ(wasm_err_kind(err.code), WASM_KIND_RESOURCE);
	free(arena);
	CHECK_EQ(wasm_load(&m, bytes, len, NULL, 0, &err), WASM_ERR_NO_MEMORY);
	CHECK_EQ(wasm_load(&m, bytes, len, NULL, 1000, &err), WASM_ERR_NO_MEMORY);

	/* An unaligned arena: the loader skips to 8-byte alignment, and counts it. */
	uint8_t *big = malloc(4096);
	CHECK_EQ(wasm_load(&m, bytes, len, big + 3, 4093, &err), WASM_OK);
	CHECK_EQ(m.arena_used, 5 + 16 + 24); /* 5 skipped, a type (12, then aligned), a function */
	size_t peak = m.arena_peak;
	CHECK_EQ(wasm_load(&m, bytes, len, big + 3, peak, &err), WASM_OK);
	CHECK_EQ(wasm_load(&m, bytes, len, big + 3, peak - 8, &err), WASM_ERR_NO_MEMORY);
	free(big);

	CHECK_EQ(wasm_load(&m, NULL, 0, NULL, 0, &err), WASM_ERR_UNEXPECTED_END);
	CHECK_EQ(err.offset, 0);
}

/* Nesting is bounded: an error, never a deep stack. */
static void test_depth(void)
{
	static char spec[16 * WASM_MAX_DEPTH];
	static uint8_t bytes[4 * WASM_MAX_DEPTH];
	for (unsigned depth = WASM_MAX_DEPTH - 1; depth <= WASM_MAX_DEPTH; depth++) {
		size_t n = (size_t)snprintf(spec, sizeof spec, HDR T_V_V F1 "0a {01 {00 ");
		for (unsigned i = 0; i < depth; i++) {
			n += (size_t)snprintf(spec + n, sizeof spec - n, "02 40 ");
		}
		for (unsigned i = 0; i <= depth; i++) {
			n += (size_t)snprintf(spec + n, sizeof spec - n, "0b ");
		}
		snprintf(spec + n, sizeof spec - n, "}}");
		size_t len = build(spec, bytes, sizeof bytes);
		struct wasm_module m;
		struct wasm_error err;
		uint8_t *arena;
		enum wasm_err got = load_in(&m, bytes, len, ARENA_SIZE, &err, &arena);
		/* The body is a block too: WASM_MAX_DEPTH - 1 more fit. */
		CHECK_EQ(got, depth < WASM_MAX_DEPTH ? WASM_OK : WASM_ERR_LIMIT);
		if (got == WASM_OK) {
			check_accepted(&m, bytes, len, "deepest nesting");
		}
		free(arena);
	}
}

/* A module with every section, and what the loader makes of it. */
static void test_representation(void)
{
	uint8_t bytes[MODULE_MAX];
	size_t len = build(HDR
			   "01 {04 60 01 7f 00  60 00 01 7f  60 00 00  60 01 7f 00} "
			   "02 {04 03 'env' 03 'log' 00 00 "
			   "       03 'env' 03 'tbl' 01 70 00 02 "
			   "       03 'env' 03 'mem' 02 01 01 02 "
			   "       03 'env' 04 'base' 03 7f 00} "
			   "03 {02 01 02} "
			   "06 {02 7f 01 41 2a 0b  7e 00 42 7f 0b} "
			   "07 {03 04 'main' 00 01  03 'mem' 02 00  01 'g' 03 01} "
			   "08 {02} "
			   "09 {01 00 23 00 0b 02 01 02} "
			   "0a {02 {00 23 01 0b} {01 01 7e 41 07 10 00 0b}} "
			   "0b {01 00 41 10 0b 03 'abc'} "
			   "00 {04 'name' 00}",
			   bytes, sizeof bytes);
	struct wasm_module m;
	struct wasm_error err;
	uint8_t *arena;
	if (!CHECK_EQ(load_in(&m, bytes, len, ARENA_SIZE, &err, &arena), WASM_OK)) {
		fprintf(stderr, "    %s at %u: %s\n", wasm_err_text(err.code), err.offset, err.reason);
		free(arena);
		return;
	}
	check_accepted(&m, bytes, len, "every section");
	CHECK(m.bytes == bytes && m.size == len);
	CHECK_EQ(m.ntypes, 4);
	CHECK_EQ(m.types[0].nparams, 1);
	CHECK_EQ(bytes[m.types[0].params], WASM_I32);
	CHECK_EQ(m.types[1].nresults, 1);
	CHECK_EQ(m.types[1].result, WASM_I32);
	CHECK_EQ(m.types[3].canon, 0);
	CHECK_EQ(m.types[2].canon, 2);

	CHECK_EQ(m.nimports, 4);
	CHECK(memcmp(bytes + m.imports[3].module, "env", 3) == 0 && m.imports[3].module_len == 3);
	CHECK(memcmp(bytes + m.imports[3].name, "base", 4) == 0 && m.imports[3].name_len == 4);
	CHECK_EQ(m.imports[0].kind, WASM_EXTERN_FUNC);
	CHECK_EQ(m.imports[0].type, 0);
	CHECK_EQ(m.imports[3].type, WASM_I32);

	CHECK_EQ(m.nfuncs, 3);
	CHECK_EQ(m.nfunc_imports, 1);
	CHECK_EQ(m.funcs[0].import, 0);
	CHECK_EQ(m.funcs[1].import, WASM_NONE);
	CHECK_EQ(m.funcs[1].type, 1);
	CHECK_EQ(m.funcs[2].type, 2);
	CHECK_EQ(m.funcs[2].nlocals, 1);
	CHECK_EQ(m.funcs[2].max_stack, 1);
	CHECK_EQ(bytes[m.funcs[1].code], 0x23);
	CHECK_EQ(bytes[m.funcs[2].code], 0x41);
	CHECK_EQ(m.funcs[2].end, m.funcs[2].code + 4);

	CHECK(m.table.present && m.table.min == 2 && !m.table.has_max && m.table.import == 1);
	CHECK(m.memory.present && m.memory.min == 1 && m.memory.has_max && m.memory.max == 2 &&
	      m.memory.import == 2);

	CHECK_EQ(m.nglobals, 3);
	CHECK_EQ(m.nglobal_imports, 1);
	CHECK(m.globals[0].init == WASM_INIT_IMPORT && m.globals[0].import == 3 && !m.globals[0].is_mutable);
	CHECK(m.globals[1].init == WASM_INIT_CONST && m.globals[1].value == 42 && m.globals[1].is_mutable &&
	      m.globals[1].type == WASM_I32);
	CHECK(m.globals[2].value == UINT64_MAX && m.globals[2].type == WASM_I64 && m.globals[2].import == WASM_NONE);

	CHECK_EQ(m.nexports, 3);
	CHECK(memcmp(bytes + m.exports[0].name, "g", 1) == 0); /* sorted by name */
	CHECK(memcmp(bytes + m.exports[1].name, "main", 4) == 0);
	CHECK(memcmp(bytes + m.exports[2].name, "mem", 3) == 0);
	const struct wasm_export *e = wasm_find_export(&m, WASM_EXTERN_FUNC, "main", 4);
	CHECK(e != NULL && e->index == 1);
	CHECK(wasm_find_export(&m, WASM_EXTERN_FUNC, "mem", 3) == NULL);
	CHECK(wasm_find_export(&m, WASM_EXTERN_MEMORY, "mem", 3) != NULL);
	CHECK(wasm_find_export(&m, WASM_EXTERN_FUNC, "ma", 2) == NULL);
	CHECK(wasm_find_export(&m, WASM_EXTERN_FUNC, "", 0) == NULL);

	CHECK_EQ(m.start, 2);
	CHECK_EQ(m.nelems, 1);
	CHECK(m.elems[0].offset_global && m.elems[0].offset == 0 && m.elems[0].len == 2);
	const uint8_t *p = bytes + m.elems[0].init;
	CHECK_EQ(wasm_decode_u32(&p), 1);
	CHECK_EQ(wasm_decode_u32(&p), 2);
	CHECK_EQ(m.ndatas, 1);
	CHECK(!m.datas[0].offset_global && m.datas[0].offset == 16 && m.datas[0].len == 3 &&
	      memcmp(bytes + m.datas[0].init, "abc", 3) == 0);
	CHECK_EQ(m.nside, 0);
	CHECK(m.arena_used > 0 && m.arena_used <= m.arena_peak);
	free(arena);
}

struct side_want {
	uint32_t target; /* from the first instruction */
	uint16_t side;
	unsigned keep, drop;
};

/* Loads a one-function module and compares its side table with want. */
static void check_side_table(const char *name, const char *type, const char *body, uint32_t end,
			     unsigned max_stack, const struct side_want *want, size_t nwant)
{
	char spec[1024];
	snprintf(spec, sizeof spec, HDR "01 {01 %s} 03 {01 00} 0a {01 {00 %s 0b}}", type, body);
	uint8_t bytes[MODULE_MAX];
	size_t len = build(spec, bytes, sizeof bytes);
	struct wasm_module m;
	struct wasm_error err;
	uint8_t *arena;
	if (!check_record(load_in(&m, bytes, len, ARENA_SIZE, &err, &arena) == WASM_OK, name, __FILE__, __LINE__)) {
		fprintf(stderr, "    %s at %u: %s\n", wasm_err_text(err.code), err.offset, err.reason);
		free(arena);
		return;
	}
	check_accepted(&m, bytes, len, name);
	const struct wasm_func *f = &m.funcs[0];
	CHECK_EQ(f->end - f->code, end);
	CHECK_EQ(f->side, 0);
	CHECK_EQ(f->max_stack, max_stack);
	if (CHECK_EQ(m.nside, nwant)) {
		for (size_t i = 0; i < m.nside; i++) {
			const struct wasm_branch *e = &m.side[i];
			if (!check_record(e->target - f->code == want[i].target && e->side == want[i].side &&
						  wasm_branch_keep(e) == want[i].keep &&
						  wasm_branch_drop(e) == want[i].drop,
					  name, __FILE__, __LINE__)) {
				fprintf(stderr, "    entry %zu: target %u side %u keep %u drop %u\n", i,
					e->target - f->code, e->side, wasm_branch_keep(e), wasm_branch_drop(e));
			}
		}
	}
	free(arena);
}

/* Side tables of functions with every kind of branch. */
static void test_side_table(void)
{
	static const struct side_want every_kind[] = {
		{37, 8, 1, 0}, /* br_if to the block's end, carrying its value */
		{11, 1, 0, 0}, /* br_if back to the loop */
		{27, 5, 0, 0}, /* if: condition 0 goes past the else */
		{37, 8, 1, 1}, /* br to the body: its end, one value over the 7 */
		{34, 7, 0, 0}, /* else: the then-arm goes past the end */
		{32, 1, 0, 0}, /* br_table's header: its default label, 1 entry */
		{34, 7, 0, 0}, /* depth 0: the if's end */
		{37, 8, 1, 0}, /* br to the block's end */
	};
	check_side_table("every kind of branch", "60 01 7f 01 7f",
			 "02 7f "       /*  0 block (result i32)                       */
			 "20 00 20 00 " /*  2                                          */
			 "0d 00 "       /*  6 br_if 0          entry 0                 */
			 "1a "          /*  8 drop                                     */
			 "03 40 "       /*  9 loop                                     */
			 "41 01 0d 00 " /* 11 i32.const 1, br_if 0   entry 1           */
			 "0b "          /* 15 end                                      */
			 "41 07 41 00 " /* 16                                          */
			 "04 40 "       /* 20 if                 entry 2               */
			 "41 02 0c 02 " /* 22 i32.const 2, br 2 (the body)   entry 3   */
			 "05 "          /* 26 else               entry 4               */
			 "41 03 "       /* 27                                          */
			 "0e 01 00 00 " /* 29 br_table 0 0       entries 5 (header), 6 */
			 "0b "          /* 33 end                                      */
			 "0c 00 "       /* 34 br 0               entry 7               */
			 "0b ",         /* 36 end; 37: the body's end                  */
			 37, 2, every_kind, sizeof every_kind / sizeof every_kind[0]);

	static const struct side_want drops[] = {
		{6, 0, 0, 2},  /* back to the loop, dropping 3 and 4 */
		{32, 2, 0, 0}, /* br_table's header: its default label, 2 entries */
		{34, 4, 0, 1}, /* depth 0: to B, dropping 5 */
		{36, 4, 0, 2}, /* depth 1: to A, dropping 9 and 5 */
	};
	check_side_table("values dropped", "60 00 00",
			 "41 01 41 02 "       /*  0                              */
			 "03 40 "             /*  4 loop, over two values         */
			 "41 03 41 04 41 00 " /*  6                              */
			 "0d 00 "             /* 12 br_if 0          entry 0      */
			 "1a 1a 0b 1a 1a "    /* 14 drops, end, drops            */
			 "02 40 41 09 "       /* 19 block A, then a value         */
			 "02 40 "             /* 23 block B                       */
			 "41 05 41 00 "       /* 25                              */
			 "0e 01 00 01 "       /* 29 br_table 0 1     entries 1-3  */
			 "0b 1a 0b ",         /* 33 end B, drop, end A; 36: end   */
			 36, 5, drops, sizeof drops / sizeof drops[0]);
}

/* Tallies of the spec suite, per file and overall. */
struct tally {
	unsigned valid[2];     /* [passed, failed] */
	unsigned invalid[2];
	unsigned malformed[2];
	unsigned unlinkable[2]; /* assert_unlinkable/uninstantiable: valid modules */
	unsigned text;          /* text assert_malformed, skipped */
	unsigned same_message;  /* rejections whose wasm_err_text matches the suite's */
	unsigned rejections;
};

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		return NULL;
	}
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap != 0 ? 2 * cap : 4096;
			buf = realloc(buf, cap);
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			break;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

/* One of the suite's messages and ours agree when one starts with the other. */
static bool same_message(const char *ours, const char *theirs)
{
	size_t a = strlen(ours), b = strlen(theirs);
	return strncmp(ours, theirs, a < b ? a : b) == 0;
}

static void run_spec_command(const char *dir, const char *file, const struct json *cmd, struct tally *t)
{
	const char *type = json_get_string(cmd, "type");
	const char *module_type = json_get_string(cmd, "module_type");
	const char *filename = json_get_string(cmd, "filename");
	long long line = 0;
	json_get_int(cmd, "line", &line);
	enum wasm_err_kind want;
	unsigned *tally;
	if (strcmp(type, "module") == 0) {
		want = WASM_KIND_OK;
		tally = t->valid;
	} else if (strcmp(type, "assert_unlinkable") == 0 || strcmp(type, "assert_uninstantiable") == 0) {
		want = WASM_KIND_OK;
		tally = t->unlinkable;
	} else if (strcmp(type, "assert_invalid") == 0) {
		want = WASM_KIND_INVALID;
		tally = t->invalid;
	} else if (strcmp(type, "assert_malformed") == 0) {
		if (module_type != NULL && strcmp(module_type, "text") == 0) {
			t->text++;
			return;
		}
		want = WASM_KIND_MALFORMED;
		tally = t->malformed;
	} else {
		return; /* actions and assertions on results: the interpreter's */
	}
	char path[2048];
	snprintf(path, sizeof path, "%s/%s", dir, filename != NULL ? filename : "");
	size_t len = 0;
	uint8_t *bytes = read_file(path, &len);
	if (!check_record(bytes != NULL, "spec module readable", __FILE__, __LINE__)) {
		fprintf(stderr, "    %s\n", path);
		tally[1]++;
		return;
	}
	struct wasm_module m;
	struct wasm_error err;
	uint8_t *arena;
	enum wasm_err got = load_in(&m, bytes, len, ARENA_SIZE, &err, &arena);
	bool ok = wasm_err_kind(got) == want;
	if (!check_record(ok, "spec verdict", __FILE__, __LINE__)) {
		fprintf(stderr, "    %s:%lld (%s, %s) %s: got %s (%s, section %u, offset %u)\n", file, line, type,
			filename, json_get_string(cmd, "text") != NULL ? json_get_string(cmd, "text") : "",
			wasm_err_text(got), err.reason != NULL ? err.reason : "-", err.section, err.offset);
	}
	if (ok && got == WASM_OK) {
		ok = check_accepted(&m, bytes, len, filename);
	}
	if (got != WASM_OK && want != WASM_KIND_OK && json_get_string(cmd, "text") != NULL) {
		t->rejections++;
		if (same_message(wasm_err_text(got), json_get_string(cmd, "text"))) {
			t->same_message++;
		} else if (getenv("WASM_TEST_MESSAGES") != NULL) {
			fprintf(stderr, "message %s:%lld: ours \"%s\" (%s), suite's \"%s\"\n", file, line,
				wasm_err_text(got), err.reason, json_get_string(cmd, "text"));
		}
	}
	tally[ok ? 0 : 1]++;
	free(arena);
	free(bytes);
}

static void add_tally(struct tally *sum, const struct tally *t)
{
	for (int i = 0; i < 2; i++) {
		sum->valid[i] += t->valid[i];
		sum->invalid[i] += t->invalid[i];
		sum->malformed[i] += t->malformed[i];
		sum->unlinkable[i] += t->unlinkable[i];
	}
	sum->text += t->text;
	sum->same_message += t->same_message;
	sum->rejections += t->rejections;
}

static void print_tally(const char *name, const struct tally *t)
{
	printf("  %-26s module %4u/%-4u invalid %4u/%-4u malformed %4u/%-4u unlinkable %3u/%-3u text skipped %3u\n",
	       name, t->valid[0], t->valid[0] + t->valid[1], t->invalid[0], t->invalid[0] + t->invalid[1],
	       t->malformed[0], t->malformed[0] + t->malformed[1], t->unlinkable[0],
	       t->unlinkable[0] + t->unlinkable[1], t->text);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_spec_suite(const char *testdata)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/wasm/spec", testdata);
	DIR *d = opendir(dir);
	if (!CHECK(d != NULL)) {
		fprintf(stderr, "    cannot open %s\n", dir);
		return;
	}
	char *names[512];
	size_t n = 0;
	for (struct dirent *ent; (ent = readdir(d)) != NULL && n < 512;) {
		size_t len = strlen(ent->d_name);
		if (len > 5 && strcmp(ent->d_name + len - 5, ".json") == 0) {
			names[n] = malloc(len + 1);
			memcpy(names[n++], ent->d_name, len + 1);
		}
	}
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_names);
	CHECK(n > 50); /* the whole suite is there */

	struct tally sum;
	memset(&sum, 0, sizeof sum);
	printf("wasm_load: spec suite %s (passed/total)\n", dir);
	for (size_t i = 0; i < n; i++) {
		char path[1100], errbuf[256];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		struct json *root = json_load(path, errbuf, sizeof errbuf);
		if (!CHECK(root != NULL)) {
			fprintf(stderr, "    %s\n", errbuf);
			free(names[i]);
			continue;
		}
		struct tally t;
		memset(&t, 0, sizeof t);
		JSON_FOR_EACH(cmd, json_get(root, "commands")) {
			run_spec_command(dir, names[i], cmd, &t);
		}
		names[i][strlen(names[i]) - 5] = '\0';
		print_tally(names[i], &t);
		add_tally(&sum, &t);
		json_free(root);
		free(names[i]);
	}
	print_tally("all", &sum);
	printf("  messages agreeing with the suite's: %u of %u rejections\n", sum.same_message, sum.rejections);
	CHECK(sum.valid[0] + sum.invalid[0] + sum.malformed[0] > 2000);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s testdata\n", argv[0]);
		return 2;
	}
	test_cases();
	test_error_position();
	test_arena();
	test_depth();
	test_representation();
	test_side_table();
	test_spec_suite(argv[1]);
	return check_report("wasm_load");
}
