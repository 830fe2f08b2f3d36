/* Host test of firmware/wasm/numeric.c: every assert_return and assert_trap
 * of the WebAssembly 1.0 spec tests whose module exports single numeric
 * instructions (testdata/wasm/spec/<file>.json, wast2json output), then
 * edge cases, then differential checks against the host's own conversions
 * and SSE square root on random inputs.
 * Usage: numeric_test testdata */
#include "check.h"
#include "json.h"
#include "numeric.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The instructions that are plain C operators in the interpreter. */
static uint32_t i32_add(uint32_t a, uint32_t b) { return a + b; }
static uint32_t i32_sub(uint32_t a, uint32_t b) { return a - b; }
static uint32_t i32_mul(uint32_t a, uint32_t b) { return a * b; }
static uint32_t i32_and(uint32_t a, uint32_t b) { return a & b; }
static uint32_t i32_or(uint32_t a, uint32_t b) { return a | b; }
static uint32_t i32_xor(uint32_t a, uint32_t b) { return a ^ b; }
static uint32_t i32_eqz(uint32_t a) { return a == 0; }
static uint32_t i32_eq(uint32_t a, uint32_t b) { return a == b; }
static uint32_t i32_ne(uint32_t a, uint32_t b) { return a != b; }
static uint32_t i32_lt_u(uint32_t a, uint32_t b) { return a < b; }
static uint32_t i32_le_u(uint32_t a, uint32_t b) { return a <= b; }
static uint32_t i32_gt_u(uint32_t a, uint32_t b) { return a > b; }
static uint32_t i32_ge_u(uint32_t a, uint32_t b) { return a >= b; }
static uint64_t i64_add(uint64_t a, uint64_t b) { return a + b; }
static uint64_t i64_sub(uint64_t a, uint64_t b) { return a - b; }
static uint64_t i64_mul(uint64_t a, uint64_t b) { return a * b; }
static uint64_t i64_and(uint64_t a, uint64_t b) { return a & b; }
static uint64_t i64_or(uint64_t a, uint64_t b) { return a | b; }
static uint64_t i64_xor(uint64_t a, uint64_t b) { return a ^ b; }
static uint32_t i64_eqz(uint64_t a) { return a == 0; }
static uint32_t i64_eq(uint64_t a, uint64_t b) { return a == b; }
static uint32_t i64_ne(uint64_t a, uint64_t b) { return a != b; }
static uint32_t i64_lt_u(uint64_t a, uint64_t b) { return a < b; }
static uint32_t i64_le_u(uint64_t a, uint64_t b) { return a <= b; }
static uint32_t i64_gt_u(uint64_t a, uint64_t b) { return a > b; }
static uint32_t i64_ge_u(uint64_t a, uint64_t b) { return a >= b; }
static uint32_t identity32(uint32_t a) { return a; }
static uint64_t identity64(uint64_t a) { return a; }

/* An instruction's signature: operand and result widths, whether it traps. */
enum shape {
	BIN32,      /* (32, 32) -> 32 */
	BIN64,      /* (64, 64) -> 64 */
	CMP64,      /* (64, 64) -> 32 */
	UN32,       /* 32 -> 32 */
	UN64,       /* 64 -> 64 */
	NARROW,     /* 64 -> 32 */
	WIDEN,      /* 32 -> 64 */
	TRAP_BIN32, /* (32, 32) -> 32, may trap */
	TRAP_BIN64, /* (64, 64) -> 64, may trap */
	TRAP_32_32, /* 32 -> 32, may trap */
	TRAP_32_64,
	TRAP_64_32,
	TRAP_64_64,
};

static const struct {
	unsigned arity, in_bits, out_bits;
} shapes[] = {
	[BIN32] = {2, 32, 32},      [BIN64] = {2, 64, 64},      [CMP64] = {2, 64, 32},
	[UN32] = {1, 32, 32},       [UN64] = {1, 64, 64},       [NARROW] = {1, 64, 32},
	[WIDEN] = {1, 32, 64},      [TRAP_BIN32] = {2, 32, 32}, [TRAP_BIN64] = {2, 64, 64},
	[TRAP_32_32] = {1, 32, 32}, [TRAP_32_64] = {1, 32, 64}, [TRAP_64_32] = {1, 64, 32},
	[TRAP_64_64] = {1, 64, 64},
};

struct op {
	const char *name; /* the instruction */
	enum shape shape;
	union {
		uint32_t (*bin32)(uint32_t, uint32_t);
		uint64_t (*bin64)(uint64_t, uint64_t);
		uint32_t (*cmp64)(uint64_t, uint64_t);
		uint32_t (*un32)(uint32_t);
		uint64_t (*un64)(uint64_t);
		uint32_t (*narrow)(uint64_t);
		uint64_t (*widen)(uint32_t);
		enum wasm_trap (*trap_bin32)(uint32_t, uint32_t, uint32_t *);
		enum wasm_trap (*trap_bin64)(uint64_t, uint64_t, uint64_t *);
		enum wasm_trap (*trap_32_32)(uint32_t, uint32_t *);
		enum wasm_trap (*trap_32_64)(uint32_t, uint64_t *);
		enum wasm_trap (*trap_64_32)(uint64_t, uint32_t *);
		enum wasm_trap (*trap_64_64)(uint64_t, uint64_t *);
	} fn;
};

static const struct op ops[] = {
	{"i32.add", BIN32, {.bin32 = i32_add}},
	{"i32.sub", BIN32, {.bin32 = i32_sub}},
	{"i32.mul", BIN32, {.bin32 = i32_mul}},
	{"i32.div_s", TRAP_BIN32, {.trap_bin32 = wasm_i32_div_s}},
	{"i32.div_u", TRAP_BIN32, {.trap_bin32 = wasm_i32_div_u}},
	{"i32.rem_s", TRAP_BIN32, {.trap_bin32 = wasm_i32_rem_s}},
	{"i32.rem_u", TRAP_BIN32, {.trap_bin32 = wasm_i32_rem_u}},
	{"i32.and", BIN32, {.bin32 = i32_and}},
	{"i32.or", BIN32, {.bin32 = i32_or}},
	{"i32.xor", BIN32, {.bin32 = i32_xor}},
	{"i32.shl", BIN32, {.bin32 = wasm_i32_shl}},
	{"i32.shr_s", BIN32, {.bin32 = wasm_i32_shr_s}},
	{"i32.shr_u", BIN32, {.bin32 = wasm_i32_shr_u}},
	{"i32.rotl", BIN32, {.bin32 = wasm_i32_rotl}},
	{"i32.rotr", BIN32, {.bin32 = wasm_i32_rotr}},
	{"i32.clz", UN32, {.un32 = wasm_i32_clz}},
	{"i32.ctz", UN32, {.un32 = wasm_i32_ctz}},
	{"i32.popcnt", UN32, {.un32 = wasm_i32_popcnt}},
	{"i32.eqz", UN32, {.un32 = i32_eqz}},
	{"i32.eq", BIN32, {.bin32 = i32_eq}},
	{"i32.ne", BIN32, {.bin32 = i32_ne}},
	{"i32.lt_s", BIN32, {.bin32 = wasm_i32_lt_s}},
	{"i32.lt_u", BIN32, {.bin32 = i32_lt_u}},
	{"i32.le_s", BIN32, {.bin32 = wasm_i32_le_s}},
	{"i32.le_u", BIN32, {.bin32 = i32_le_u}},
	{"i32.gt_s", BIN32, {.bin32 = wasm_i32_gt_s}},
	{"i32.gt_u", BIN32, {.bin32 = i32_gt_u}},
	{"i32.ge_s", BIN32, {.bin32 = wasm_i32_ge_s}},
	{"i32.ge_u", BIN32, {.bin32 = i32_ge_u}},

	{"i64.add", BIN64, {.bin64 = i64_add}},
	{"i64.sub", BIN64, {.bin64 = i64_sub}},
	{"i64.mul", BIN64, {.bin64 = i64_mul}},
	{"i64.div_s", TRAP_BIN64, {.trap_bin64 = wasm_i64_div_s}},
	{"i64.div_u", TRAP_BIN64, {.trap_bin64 = wasm_i64_div_u}},
	{"i64.rem_s", TRAP_BIN64, {.trap_bin64 = wasm_i64_rem_s}},
	{"i64.rem_u", TRAP_BIN64, {.trap_bin64 = wasm_i64_rem_u}},
	{"i64.and", BIN64, {.bin64 = i64_and}},
	{"i64.or", BIN64, {.bin64 = i64_or}},
	{"i64.xor", BIN64, {.bin64 = i64_xor}},
	{"i64.shl", BIN64, {.bin64 = wasm_i64_shl}},
	{"i64.shr_s", BIN64, {.bin64 = wasm_i64_shr_s}},
	{"i64.shr_u", BIN64, {.bin64 = wasm_i64_shr_u}},
	{"i64.rotl", BIN64, {.bin64 = wasm_i64_rotl}},
	{"i64.rotr", BIN64, {.bin64 = wasm_i64_rotr}},
	{"i64.clz", UN64, {.un64 = wasm_i64_clz}},
	{"i64.ctz", UN64, {.un64 = wasm_i64_ctz}},
	{"i64.popcnt", UN64, {.un64 = wasm_i64_popcnt}},
	{"i64.eqz", NARROW, {.narrow = i64_eqz}},
	{"i64.eq", CMP64, {.cmp64 = i64_eq}},
	{"i64.ne", CMP64, {.cmp64 = i64_ne}},
	{"i64.lt_s", CMP64, {.cmp64 = wasm_i64_lt_s}},
	{"i64.lt_u", CMP64, {.cmp64 = i64_lt_u}},
	{"i64.le_s", CMP64, {.cmp64 = wasm_i64_le_s}},
	{"i64.le_u", CMP64, {.cmp64 = i64_le_u}},
	{"i64.gt_s", CMP64, {.cmp64 = wasm_i64_gt_s}},
	{"i64.gt_u", CMP64, {.cmp64 = i64_gt_u}},
	{"i64.ge_s", CMP64, {.cmp64 = wasm_i64_ge_s}},
	{"i64.ge_u", CMP64, {.cmp64 = i64_ge_u}},

	{"f32.add", BIN32, {.bin32 = wasm_f32_add}},
	{"f32.sub", BIN32, {.bin32 = wasm_f32_sub}},
	{"f32.mul", BIN32, {.bin32 = wasm_f32_mul}},
	{"f32.div", BIN32, {.bin32 = wasm_f32_div}},
	{"f32.min", BIN32, {.bin32 = wasm_f32_min}},
	{"f32.max", BIN32, {.bin32 = wasm_f32_max}},
	{"f32.copysign", BIN32, {.bin32 = wasm_f32_copysign}},
	{"f32.sqrt", UN32, {.un32 = wasm_f32_sqrt}},
	{"f32.ceil", UN32, {.un32 = wasm_f32_ceil}},
	{"f32.floor", UN32, {.un32 = wasm_f32_floor}},
	{"f32.trunc", UN32, {.un32 = wasm_f32_trunc}},
	{"f32.nearest", UN32, {.un32 = wasm_f32_nearest}},
	{"f32.abs", UN32, {.un32 = wasm_f32_abs}},
	{"f32.neg", UN32, {.un32 = wasm_f32_neg}},
	{"f32.eq", BIN32, {.bin32 = wasm_f32_eq}},
	{"f32.ne", BIN32, {.bin32 = wasm_f32_ne}},
	{"f32.lt", BIN32, {.bin32 = wasm_f32_lt}},
	{"f32.gt", BIN32, {.bin32 = wasm_f32_gt}},
	{"f32.le", BIN32, {.bin32 = wasm_f32_le}},
	{"f32.ge", BIN32, {.bin32 = wasm_f32_ge}},

	{"f64.add", BIN64, {.bin64 = wasm_f64_add}},
	{"f64.sub", BIN64, {.bin64 = wasm_f64_sub}},
	{"f64.mul", BIN64, {.bin64 = wasm_f64_mul}},
	{"f64.div", BIN64, {.bin64 = wasm_f64_div}},
	{"f64.min", BIN64, {.bin64 = wasm_f64_min}},
	{"f64.max", BIN64, {.bin64 = wasm_f64_max}},
	{"f64.copysign", BIN64, {.bin64 = wasm_f64_copysign}},
	{"f64.sqrt", UN64, {.un64 = wasm_f64_sqrt}},
	{"f64.ceil", UN64, {.un64 = wasm_f64_ceil}},
	{"f64.floor", UN64, {.un64 = wasm_f64_floor}},
	{"f64.trunc", UN64, {.un64 = wasm_f64_trunc}},
	{"f64.nearest", UN64, {.un64 = wasm_f64_nearest}},
	{"f64.abs", UN64, {.un64 = wasm_f64_abs}},
	{"f64.neg", UN64, {.un64 = wasm_f64_neg}},
	{"f64.eq", CMP64, {.cmp64 = wasm_f64_eq}},
	{"f64.ne", CMP64, {.cmp64 = wasm_f64_ne}},
	{"f64.lt", CMP64, {.cmp64 = wasm_f64_lt}},
	{"f64.gt", CMP64, {.cmp64 = wasm_f64_gt}},
	{"f64.le", CMP64, {.cmp64 = wasm_f64_le}},
	{"f64.ge", CMP64, {.cmp64 = wasm_f64_ge}},

	{"i32.wrap_i64", NARROW, {.narrow = wasm_i32_wrap_i64}},
	{"i64.extend_i32_s", WIDEN, {.widen = wasm_i64_extend_i32_s}},
	{"i64.extend_i32_u", WIDEN, {.widen = wasm_i64_extend_i32_u}},
	{"i32.trunc_f32_s", TRAP_32_32, {.trap_32_32 = wasm_i32_trunc_f32_s}},
	{"i32.trunc_f32_u", TRAP_32_32, {.trap_32_32 = wasm_i32_trunc_f32_u}},
	{"i32.trunc_f64_s", TRAP_64_32, {.trap_64_32 = wasm_i32_trunc_f64_s}},
	{"i32.trunc_f64_u", TRAP_64_32, {.trap_64_32 = wasm_i32_trunc_f64_u}},
	{"i64.trunc_f32_s", TRAP_32_64, {.trap_32_64 = wasm_i64_trunc_f32_s}},
	{"i64.trunc_f32_u", TRAP_32_64, {.trap_32_64 = wasm_i64_trunc_f32_u}},
	{"i64.trunc_f64_s", TRAP_64_64, {.trap_64_64 = wasm_i64_trunc_f64_s}},
	{"i64.trunc_f64_u", TRAP_64_64, {.trap_64_64 = wasm_i64_trunc_f64_u}},
	{"f32.convert_i32_s", UN32, {.un32 = wasm_f32_convert_i32_s}},
	{"f32.convert_i32_u", UN32, {.un32 = wasm_f32_convert_i32_u}},
	{"f32.convert_i64_s", NARROW, {.narrow = wasm_f32_convert_i64_s}},
	{"f32.convert_i64_u", NARROW, {.narrow = wasm_f32_convert_i64_u}},
	{"f64.convert_i32_s", WIDEN, {.widen = wasm_f64_convert_i32_s}},
	{"f64.convert_i32_u", WIDEN, {.widen = wasm_f64_convert_i32_u}},
	{"f64.convert_i64_s", UN64, {.un64 = wasm_f64_convert_i64_s}},
	{"f64.convert_i64_u", UN64, {.un64 = wasm_f64_convert_i64_u}},
	{"f32.demote_f64", NARROW, {.narrow = wasm_f32_demote_f64}},
	{"f64.promote_f32", WIDEN, {.widen = wasm_f64_promote_f32}},
	{"f32.reinterpret_i32", UN32, {.un32 = identity32}},
	{"f64.reinterpret_i64", UN64, {.un64 = identity64}},
	{"i32.reinterpret_f32", UN32, {.un32 = identity32}},
	{"i64.reinterpret_f64", UN64, {.un64 = identity64}},
};

static const struct op *find_op(const char *name)
{
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strcmp(ops[i].name, name) == 0) {
			return &ops[i];
		}
	}
	return NULL;
}

/* Runs op on args (value bits, already checked against its shape). */
static enum wasm_trap run_op(const struct op *op, const uint64_t *args, uint64_t *result)
{
	uint32_t a = (uint32_t)args[0], b = (uint32_t)args[1];
	uint32_t r32 = 0;
	enum wasm_trap trap = WASM_TRAP_NONE;
	switch (op->shape) {
	case BIN32:
		*result = op->fn.bin32(a, b);
		break;
	case BIN64:
		*result = op->fn.bin64(args[0], args[1]);
		break;
	case CMP64:
		*result = op->fn.cmp64(args[0], args[1]);
		break;
	case UN32:
		*result = op->fn.un32(a);
		break;
	case UN64:
		*result = op->fn.un64(args[0]);
		break;
	case NARROW:
		*result = op->fn.narrow(args[0]);
		break;
	case WIDEN:
		*result = op->fn.widen(a);
		break;
	case TRAP_BIN32:
		trap = op->fn.trap_bin32(a, b, &r32);
		*result = r32;
		break;
	case TRAP_BIN64:
		trap = op->fn.trap_bin64(args[0], args[1], result);
		break;
	case TRAP_32_32:
		trap = op->fn.trap_32_32(a, &r32);
		*result = r32;
		break;
	case TRAP_32_64:
		trap = op->fn.trap_32_64(a, result);
		break;
	case TRAP_64_32:
		trap = op->fn.trap_64_32(args[0], &r32);
		*result = r32;
		break;
	case TRAP_64_64:
		trap = op->fn.trap_64_64(args[0], result);
		break;
	}
	return trap;
}

/* Width in bits of a wast2json value type, 0 if not a number type. */
static unsigned type_bits(const char *type)
{
	if (type == NULL) {
		return 0;
	}
	if (strcmp(type, "i32") == 0 || strcmp(type, "f32") == 0) {
		return 32;
	}
	if (strcmp(type, "i64") == 0 || strcmp(type, "f64") == 0) {
		return 64;
	}
	return 0;
}

/* Parses a value's decimal bit pattern. */
static bool parse_bits(const char *text, uint64_t *out)
{
	char *end;
	if (text == NULL || *text < '0' || *text > '9') {
		return false;
	}
	*out = strtoull(text, &end, 10);
	return *end == '\0';
}

/* Whether got (of the expected value's type) is what the spec expects:
 * exact bits, or a NaN of the class "nan:canonical" / "nan:arithmetic". */
static bool expected_matches(const struct json *want, uint64_t got)
{
	const char *type = json_get_string(want, "type");
	const char *value = json_get_string(want, "value");
	uint64_t bits;
	if (value != NULL && strncmp(value, "nan:", 4) == 0) {
		bool f32 = type != NULL && strcmp(type, "f32") == 0;
		uint64_t sign = f32 ? 0x80000000u : 0x8000000000000000u;
		uint64_t canonical = f32 ? 0x7fc00000u : 0x7ff8000000000000u;
		if (strcmp(value, "nan:canonical") == 0) {
			return (got & ~sign) == canonical;
		}
		return strcmp(value, "nan:arithmetic") == 0 && (got & canonical) == canonical;
	}
	return parse_bits(value, &bits) && bits == got;
}

/* The instruction a spec export names: "add" called with f32 operands is
 * f32.add; conversions and float_misc export the full name. */
static void instruction_name(const char *field, const struct json *args, char *out, size_t cap)
{
	const char *type = json_get_string(json_first(args), "type");
	if (strchr(field, '.') != NULL || type == NULL) {
		snprintf(out, cap, "%s", field);
	} else {
		snprintf(out, cap, "%s.%s", type, field);
	}
}

static const char *or_empty(const char *s) { return s != NULL ? s : ""; }

/* Runs one assert_return or assert_trap; returns whether it passed. */
static bool run_assertion(const char *file, const struct json *cmd, bool is_trap)
{
	const struct json *action = json_get(cmd, "action");
	const struct json *args = json_get(action, "args");
	const struct json *expected = json_get(cmd, "expected");
	const char *field = json_get_string(action, "field");
	long long line = 0;
	char name[64];
	json_get_int(cmd, "line", &line);
	const char *kind = json_get_string(action, "type");
	if (kind == NULL || strcmp(kind, "invoke") != 0 || field == NULL || args == NULL || expected == NULL) {
		fprintf(stderr, "%s:%lld: malformed command\n", file, line);
		return false;
	}
	instruction_name(field, args, name, sizeof name);
	const struct op *op = find_op(name);
	if (op == NULL) {
		fprintf(stderr, "%s:%lld: no function for %s\n", file, line, name);
		return false;
	}
	uint64_t in[2] = {0, 0};
	unsigned n = 0;
	bool shape_ok = args->len == shapes[op->shape].arity;
	JSON_FOR_EACH(arg, args) {
		shape_ok = shape_ok && n < 2 && type_bits(json_get_string(arg, "type")) == shapes[op->shape].in_bits &&
			   parse_bits(json_get_string(arg, "value"), &in[n]);
		n++;
	}
	/* One result, with only its type when the call traps. */
	const struct json *want = json_first(expected);
	shape_ok = shape_ok && expected->len == 1 &&
		   type_bits(json_get_string(want, "type")) == shapes[op->shape].out_bits;
	if (!shape_ok) {
		fprintf(stderr, "%s:%lld: %s: operands or result do not fit its signature\n", file, line, name);
		return false;
	}
	uint64_t got = 0;
	enum wasm_trap trap = run_op(op, in, &got);
	bool ok;
	if (is_trap) {
		const char *text = json_get_string(cmd, "text");
		ok = text != NULL && strcmp(wasm_trap_message(trap), text) == 0;
	} else {
		ok = trap == WASM_TRAP_NONE && expected_matches(want, got);
	}
	if (!ok) {
		fprintf(stderr, "%s:%lld: %s(0x%llx, 0x%llx) = 0x%llx, trap \"%s\"; want %s \"%s\"\n", file, line,
			name, (unsigned long long)in[0], (unsigned long long)in[1], (unsigned long long)got,
			wasm_trap_message(trap), is_trap ? "trap" : "value",
			is_trap ? or_empty(json_get_string(cmd, "text")) : or_empty(json_get_string(want, "value")));
	}
	return ok;
}

/* Runs every assert_return and assert_trap of one spec file. Its single
 * module exports only one-instruction functions; assert_invalid checks
 * validation, not numerics, and is counted skipped; any other command is
 * a failure (this runner would be missing something). */
static void test_spec_file(const char *testdata, const char *file)
{
	char path[512], err[256];
	unsigned run = 0, passed = 0, skipped = 0, modules = 0;
	snprintf(path, sizeof path, "%s/wasm/spec/%s", testdata, file);
	struct json *root = json_load(path, err, sizeof err);
	if (!CHECK(root != NULL)) {
		fprintf(stderr, "    %s\n", err);
		return;
	}
	JSON_FOR_EACH(cmd, json_get(root, "commands")) {
		const char *type = json_get_string(cmd, "type");
		bool is_return = type != NULL && strcmp(type, "assert_return") == 0;
		bool is_trap = type != NULL && strcmp(type, "assert_trap") == 0;
		if (type != NULL && strcmp(type, "module") == 0) {
			modules++;
		} else if (is_return || is_trap) {
			run++;
			passed += run_assertion(file, cmd, is_trap);
		} else if (type != NULL && strcmp(type, "assert_invalid") == 0) {
			skipped++;
		} else if (!CHECK(false)) {
			fprintf(stderr, "    %s: unexpected command %s\n", file, or_empty(type));
		}
	}
	json_free(root);
	CHECK_EQ(modules, 1);
	CHECK(run > 0);
	CHECK_EQ(passed, run);
	printf("numeric_test: %-18s %5u of %5u assertions passed (%u assert_invalid skipped)\n", file, passed,
	       run, skipped);
}

static const char *const spec_files[] = {
	"i32.json",       "i64.json",       "f32.json",         "f64.json",
	"f32_cmp.json",   "f64_cmp.json",   "f32_bitwise.json", "f64_bitwise.json",
	"float_misc.json", "conversions.json",
};

/* Cases the brief or a past bug singled out, beyond the spec files. */
static const struct {
	const char *op;
	uint64_t a, b;
	enum wasm_trap trap;
	uint64_t want;
} edge_cases[] = {
	/* INT_MIN / -1 traps, INT_MIN % -1 is 0; quotients truncate toward 0 */
	{"i32.div_s", 0x80000000u, 0xffffffffu, WASM_TRAP_INT_OVERFLOW, 0},
	{"i32.rem_s", 0x80000000u, 0xffffffffu, WASM_TRAP_NONE, 0},
	{"i64.rem_s", 0x8000000000000000u, UINT64_MAX, WASM_TRAP_NONE, 0},
	{"i32.div_s", 0xfffffff9u, 2, WASM_TRAP_NONE, 0xfffffffdu},
	{"i32.rem_s", 0xfffffff9u, 2, WASM_TRAP_NONE, 0xffffffffu},
	{"i64.rem_u", 5, 0, WASM_TRAP_INT_DIV_ZERO, 0},
	/* counts modulo the width */
	{"i32.shl", 1, 33, WASM_TRAP_NONE, 2},
	{"i32.shr_s", 0x80000000u, 0xffffffffu, WASM_TRAP_NONE, 0xffffffffu},
	{"i64.shr_s", 0x8000000000000000u, 0x7f, WASM_TRAP_NONE, UINT64_MAX},
	{"i64.rotl", 0x8000000000000001u, 65, WASM_TRAP_NONE, 3},
	{"i32.rotr", 1, 0xffffffe1u, WASM_TRAP_NONE, 0x80000000u},
	{"i32.clz", 0, 0, WASM_TRAP_NONE, 32},
	{"i64.ctz", 0, 0, WASM_TRAP_NONE, 64},
	{"i64.popcnt", UINT64_MAX, 0, WASM_TRAP_NONE, 64},
	/* truncation boundaries: -2^31 converts, the next f32 below traps */
	{"i32.trunc_f32_s", 0xcf000000u, 0, WASM_TRAP_NONE, 0x80000000u},
	{"i32.trunc_f32_s", 0xcf000001u, 0, WASM_TRAP_INT_OVERFLOW, 0},
	{"i32.trunc_f32_s", 0x4f000000u, 0, WASM_TRAP_INT_OVERFLOW, 0},
	{"i32.trunc_f64_s", 0xc1e00000001ccccdu, 0, WASM_TRAP_NONE, 0x80000000u}, /* -2147483648.9 */
	{"i32.trunc_f64_s", 0xc1e0000000200000u, 0, WASM_TRAP_INT_OVERFLOW, 0},  /* -2147483649 */
	{"i32.trunc_f64_u", 0xbfeccccccccccccdu, 0, WASM_TRAP_NONE, 0},            /* -0.9 */
	{"i32.trunc_f32_u", 0x7fc00000u, 0, WASM_TRAP_INVALID_CONVERSION, 0},
	{"i64.trunc_f64_u", 0x43efffffffffffffu, 0, WASM_TRAP_NONE, 0xfffffffffffff800u},
	{"i64.trunc_f64_s", 0xc3e0000000000000u, 0, WASM_TRAP_NONE, 0x8000000000000000u},
	{"i64.trunc_f64_u", 0x7ff0000000000000u, 0, WASM_TRAP_INT_OVERFLOW, 0},
	/* rounded once: through f64, 2^53 + 2^29 + 1 would become 2^53 */
	{"f32.convert_i64_s", 0x20000020000001u, 0, WASM_TRAP_NONE, 0x5a000001u},
	{"f32.convert_i64_u", UINT64_MAX, 0, WASM_TRAP_NONE, 0x5f800000u},
	{"f32.convert_i64_u", 0x8000008000000001u, 0, WASM_TRAP_NONE, 0x5f000001u},
	{"f32.convert_i64_u", 0x8000008000000000u, 0, WASM_TRAP_NONE, 0x5f000000u},
	{"f32.convert_i32_s", 0x80000000u, 0, WASM_TRAP_NONE, 0xcf000000u},
	{"f32.convert_i32_u", 0x01000003u, 0, WASM_TRAP_NONE, 0x4b800002u},
	{"f64.convert_i64_u", 0x20000000000001u, 0, WASM_TRAP_NONE, 0x4340000000000000u},
	/* nearest: ties to even, sign of zero kept, large values */
	{"f32.nearest", 0xbf000000u, 0, WASM_TRAP_NONE, 0x80000000u},
	{"f32.nearest", 0x3fc00000u, 0, WASM_TRAP_NONE, 0x40000000u},
	{"f32.nearest", 0x40200000u, 0, WASM_TRAP_NONE, 0x40000000u},
	{"f64.nearest", 0x432fffffffffffffu, 0, WASM_TRAP_NONE, 0x4330000000000000u},
	{"f64.nearest", 0xc32fffffffffffffu, 0, WASM_TRAP_NONE, 0xc330000000000000u},
	{"f64.ceil", 0xbfe0000000000000u, 0, WASM_TRAP_NONE, 0x8000000000000000u},
	{"f64.floor", 1, 0, WASM_TRAP_NONE, 0},
	{"f64.floor", 0x8000000000000001u, 0, WASM_TRAP_NONE, 0xbff0000000000000u},
	/* NaN payloads: bit operations keep them, arithmetic makes them quiet */
	{"f32.neg", 0x7fa00001u, 0, WASM_TRAP_NONE, 0xffa00001u},
	{"f64.copysign", 0x7ff0000000000001u, 0x8000000000000000u, WASM_TRAP_NONE, 0xfff0000000000001u},
	{"f32.add", 0x7fa00000u, 0x3f800000u, WASM_TRAP_NONE, 0x7fe00000u},
	{"f32.add", 0x3f800000u, 0xffa00000u, WASM_TRAP_NONE, 0xffe00000u},
	{"f32.mul", 0, 0x7f800000u, WASM_TRAP_NONE, 0x7fc00000u},
	{"f64.sqrt", 0xbff0000000000000u, 0, WASM_TRAP_NONE, 0x7ff8000000000000u},
	{"f32.demote_f64", 0x7ff0000000000001u, 0, WASM_TRAP_NONE, 0x7fc00000u},
	{"f32.demote_f64", 0xfff8000020000000u, 0, WASM_TRAP_NONE, 0xffc00001u},
	{"f64.promote_f32", 0x7f800001u, 0, WASM_TRAP_NONE, 0x7ff8000020000000u},
	{"f32.min", 0, 0x80000000u, WASM_TRAP_NONE, 0x80000000u},
	{"f32.max", 0x80000000u, 0, WASM_TRAP_NONE, 0},
	/* demote: overflow to infinity, subnormals, ties to even at the bottom */
	{"f32.demote_f64", 0x7fefffffffffffffu, 0, WASM_TRAP_NONE, 0x7f800000u},
	{"f32.demote_f64", 0x36a0000000000000u, 0, WASM_TRAP_NONE, 1},
	{"f32.demote_f64", 0x3690000000000000u, 0, WASM_TRAP_NONE, 0},
	/* sqrt of the smallest subnormals, and of 2 */
	{"f64.sqrt", 1, 0, WASM_TRAP_NONE, 0x1e60000000000000u},
	{"f32.sqrt", 1, 0, WASM_TRAP_NONE, 0x1a3504f3u},
	{"f64.sqrt", 0x4000000000000000u, 0, WASM_TRAP_NONE, 0x3ff6a09e667f3bcdu},
};

static void test_edge_cases(void)
{
	for (size_t i = 0; i < sizeof edge_cases / sizeof edge_cases[0]; i++) {
		const struct op *op = find_op(edge_cases[i].op);
		if (!CHECK(op != NULL)) {
			fprintf(stderr, "    no op %s\n", edge_cases[i].op);
			continue;
		}
		uint64_t args[2] = {edge_cases[i].a, edge_cases[i].b}, got = 0;
		enum wasm_trap trap = run_op(op, args, &got);
		if (!CHECK_EQ(trap, edge_cases[i].trap) ||
		    (trap == WASM_TRAP_NONE && !CHECK_EQ(got, edge_cases[i].want))) {
			fprintf(stderr, "    edge case %zu: %s(0x%llx, 0x%llx)\n", i, edge_cases[i].op,
				(unsigned long long)args[0], (unsigned long long)args[1]);
		}
	}
}

/* ---- Differential checks on random inputs ---- */

#define SAMPLES 200000

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1du;
}

/* A random float of the format with frac_bits and exp_bits: any pattern,
 * or one near the integers (|x| below 2^70) with often few fraction bits
 * set, so halves, exact integers and the conversion bounds come up. */
static uint64_t random_float(unsigned frac_bits, unsigned exp_bits)
{
	uint64_t x = rng_next();
	uint64_t frac = x & (((uint64_t)1 << frac_bits) - 1);
	uint64_t sign = (x >> 63) << (frac_bits + exp_bits);
	uint64_t bias = ((uint64_t)1 << (exp_bits - 1)) - 1;
	switch (rng_next() % 3) {
	case 0:
		return x >> (63 - frac_bits - exp_bits);
	case 1:
		return sign | ((bias - 2 + rng_next() % 72) << frac_bits) | frac;
	default:
		frac &= ~(((uint64_t)1 << (rng_next() % (frac_bits + 1))) - 1);
		return sign | ((bias - 2 + rng_next() % 72) << frac_bits) | frac;
	}
}

/* A random integer of random width, sometimes with a rounding tie below
 * its leading 24 or 53 bits. */
static uint64_t random_int(void)
{
	unsigned shift = rng_next() % 64; /* one call per statement: a fixed sequence */
	uint64_t x = rng_next() >> shift;
	unsigned width = 64 - (unsigned)__builtin_clzll(x | 1);
	unsigned keep = rng_next() % 2 ? 24 : 53;
	if (width > keep + 1 && rng_next() % 2) {
		unsigned drop = width - keep;
		x = (x & ~(((uint64_t)1 << drop) - 1)) | ((uint64_t)1 << (drop - 1));
	}
	return x;
}

enum ref_rounding { REF_CEIL, REF_FLOOR, REF_TRUNC, REF_NEAREST };

/* ceil/floor/trunc/nearest of x (|x| < 2^52, not NaN) by C's integer
 * conversion, independent of numeric.c; a zero result takes x's sign. */
static uint64_t ref_round(double x, enum ref_rounding mode)
{
	int64_t t = (int64_t)x;
	double d = x - (double)t; /* exact: the fraction */
	bool odd = (t & 1) != 0;
	switch (mode) {
	case REF_CEIL:
		t += d > 0;
		break;
	case REF_FLOOR:
		t -= d < 0;
		break;
	case REF_TRUNC:
		break;
	case REF_NEAREST:
		t += d > 0.5 || (d == 0.5 && odd);
		t -= d < -0.5 || (d == -0.5 && odd);
		break;
	}
	if (t == 0) {
		return wasm_f64_bits(x) & 0x8000000000000000u;
	}
	return wasm_f64_bits((double)t);
}

static void test_rounding_differential(void)
{
	static const struct {
		uint32_t (*f32)(uint32_t);
		uint64_t (*f64)(uint64_t);
		enum ref_rounding mode;
	} fns[] = {
		{wasm_f32_ceil, wasm_f64_ceil, REF_CEIL},
		{wasm_f32_floor, wasm_f64_floor, REF_FLOOR},
		{wasm_f32_trunc, wasm_f64_trunc, REF_TRUNC},
		{wasm_f32_nearest, wasm_f64_nearest, REF_NEAREST},
	};
	unsigned failed = 0;
	for (unsigned i = 0; i < SAMPLES && failed < 10; i++) {
		uint64_t d = random_float(52, 11);
		uint32_t s = (uint32_t)random_float(23, 8);
		double dv = wasm_f64_value(d), sv = wasm_f32_value(s);
		for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
			/* NaN and |x| >= 2^52 (already integral) are left to the spec tests */
			if (dv > -0x1p52 && dv < 0x1p52 && !CHECK_EQ(fns[k].f64(d), ref_round(dv, fns[k].mode))) {
				fprintf(stderr, "    rounding mode %zu of f64 0x%llx\n", k, (unsigned long long)d);
				failed++;
			}
			if (!(sv > -0x1p52 && sv < 0x1p52)) {
				continue;
			}
			uint32_t want = wasm_f32_bits((float)wasm_f64_value(ref_round(sv, fns[k].mode)));
			if (!CHECK_EQ(fns[k].f32(s), want)) {
				fprintf(stderr, "    rounding mode %zu of f32 0x%x\n", k, (unsigned)s);
				failed++;
			}
		}
	}
}

#if defined(__x86_64__)
/* The host FPU's IEEE square root: the oracle for the integer one. */
static double sse_sqrt_f64(double x)
{
	double r;
	__asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
	return r;
}
static float sse_sqrt_f32(float x)
{
	float r;
	__asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
	return r;
}

static void test_sqrt_differential(void)
{
	unsigned failed = 0;
	for (unsigned i = 0; i < SAMPLES && failed < 10; i++) {
		unsigned positive = rng_next() % 2; /* then half of the inputs are positive */
		uint64_t d = rng_next() >> positive;
		uint32_t s = (uint32_t)(rng_next() >> (32 + positive));
		double dr = sse_sqrt_f64(wasm_f64_value(d));
		float sr = sse_sqrt_f32(wasm_f32_value(s));
		uint64_t dgot = wasm_f64_sqrt(d);
		uint32_t sgot = wasm_f32_sqrt(s);
		bool dok = dr != dr ? wasm_f64_value(dgot) != wasm_f64_value(dgot) : dgot == wasm_f64_bits(dr);
		bool sok = sr != sr ? wasm_f32_value(sgot) != wasm_f32_value(sgot) : sgot == wasm_f32_bits(sr);
		if (!CHECK(dok)) {
			fprintf(stderr, "    f64.sqrt(0x%llx) = 0x%llx, SSE 0x%llx\n", (unsigned long long)d,
				(unsigned long long)dgot, (unsigned long long)wasm_f64_bits(dr));
			failed++;
		}
		if (!CHECK(sok)) {
			fprintf(stderr, "    f32.sqrt(0x%x) = 0x%x, SSE 0x%x\n", (unsigned)s, (unsigned)sgot,
				(unsigned)wasm_f32_bits(sr));
			failed++;
		}
	}
}
#else
static void test_sqrt_differential(void)
{
	printf("numeric_test: no SSE square root to compare with on this host\n");
}
#endif

/* Integer to float against the host compiler's conversions (single
 * rounding instructions on x86-64). */
static void test_convert_differential(void)
{
	unsigned failed = 0;
	for (unsigned i = 0; i < SAMPLES && failed < 10; i++) {
		uint64_t x = random_int();
		int64_t sx;
		int32_t sx32;
		if (rng_next() % 2) {
			x = 0u - x;
		}
		memcpy(&sx, &x, sizeof sx);
		uint32_t x32 = (uint32_t)x;
		memcpy(&sx32, &x32, sizeof sx32);
		bool ok = CHECK_EQ(wasm_f32_convert_i64_s(x), wasm_f32_bits((float)sx)) &&
			  CHECK_EQ(wasm_f32_convert_i64_u(x), wasm_f32_bits((float)x)) &&
			  CHECK_EQ(wasm_f64_convert_i64_s(x), wasm_f64_bits((double)sx)) &&
			  CHECK_EQ(wasm_f64_convert_i64_u(x), wasm_f64_bits((double)x)) &&
			  CHECK_EQ(wasm_f32_convert_i32_s(x32), wasm_f32_bits((float)sx32)) &&
			  CHECK_EQ(wasm_f32_convert_i32_u(x32), wasm_f32_bits((float)x32)) &&
			  CHECK_EQ(wasm_f64_convert_i32_s(x32), wasm_f64_bits((double)sx32)) &&
			  CHECK_EQ(wasm_f64_convert_i32_u(x32), wasm_f64_bits((double)x32));
		if (!ok) {
			fprintf(stderr, "    converting 0x%llx\n", (unsigned long long)x);
			failed++;
		}
	}
}

/* The trap (or none) that truncating x to an integer in [lo, hi) should
 * give, by comparisons in double; lo is exclusive when lo_open. */
static enum wasm_trap ref_trunc_trap(double x, double lo, bool lo_open, double hi)
{
	if (x != x) {
		return WASM_TRAP_INVALID_CONVERSION;
	}
	bool above_lo = lo_open ? x > lo : x >= lo;
	return above_lo && x < hi ? WASM_TRAP_NONE : WASM_TRAP_INT_OVERFLOW;
}

/* Truncation of x (f32 or f64 value in a double) against C's conversions,
 * which are defined for everything the bounds let through. */
static bool check_trunc(double x, enum wasm_trap t32s, uint32_t r32s, enum wasm_trap t32u, uint32_t r32u,
			enum wasm_trap t64s, uint64_t r64s, enum wasm_trap t64u, uint64_t r64u)
{
	enum wasm_trap w32s = ref_trunc_trap(x, -2147483649.0, true, 2147483648.0);
	enum wasm_trap w32u = ref_trunc_trap(x, -1.0, true, 4294967296.0);
	enum wasm_trap w64s = ref_trunc_trap(x, -0x1p63, false, 0x1p63);
	enum wasm_trap w64u = ref_trunc_trap(x, -1.0, true, 0x1p64);
	bool ok = CHECK_EQ(t32s, w32s) && CHECK_EQ(t32u, w32u) && CHECK_EQ(t64s, w64s) && CHECK_EQ(t64u, w64u);
	if (ok && w32s == WASM_TRAP_NONE) {
		ok = CHECK_EQ(r32s, (uint32_t)(int32_t)x);
	}
	if (ok && w32u == WASM_TRAP_NONE) {
		ok = CHECK_EQ(r32u, (uint32_t)x);
	}
	if (ok && w64s == WASM_TRAP_NONE) {
		ok = CHECK_EQ(r64s, (uint64_t)(int64_t)x);
	}
	if (ok && w64u == WASM_TRAP_NONE) {
		ok = CHECK_EQ(r64u, (uint64_t)x);
	}
	return ok;
}

static void test_trunc_differential(void)
{
	unsigned failed = 0;
	for (unsigned i = 0; i < SAMPLES && failed < 10; i++) {
		uint64_t d = random_float(52, 11);
		uint32_t s = (uint32_t)random_float(23, 8);
		uint32_t r32s = 0, r32u = 0;
		uint64_t r64s = 0, r64u = 0;
		enum wasm_trap t32s = wasm_i32_trunc_f64_s(d, &r32s), t32u = wasm_i32_trunc_f64_u(d, &r32u);
		enum wasm_trap t64s = wasm_i64_trunc_f64_s(d, &r64s), t64u = wasm_i64_trunc_f64_u(d, &r64u);
		if (!check_trunc(wasm_f64_value(d), t32s, r32s, t32u, r32u, t64s, r64s, t64u, r64u)) {
			fprintf(stderr, "    truncating f64 0x%llx\n", (unsigned long long)d);
			failed++;
		}
		t32s = wasm_i32_trunc_f32_s(s, &r32s);
		t32u = wasm_i32_trunc_f32_u(s, &r32u);
		t64s = wasm_i64_trunc_f32_s(s, &r64s);
		t64u = wasm_i64_trunc_f32_u(s, &r64u);
		if (!check_trunc(wasm_f32_value(s), t32s, r32s, t32u, r32u, t64s, r64s, t64u, r64u)) {
			fprintf(stderr, "    truncating f32 0x%x\n", (unsigned)s);
			failed++;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s testdata\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof spec_files / sizeof spec_files[0]; i++) {
		test_spec_file(argv[1], spec_files[i]);
	}
	test_edge_cases();
	test_rounding_differential();
	test_sqrt_differential();
	test_convert_differential();
	test_trunc_differential();
	return check_report("numeric");
}
