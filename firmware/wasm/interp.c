/*
 * The interpreter (runtime.h): runs the module's own code bytes in place,
 * with the side table (module.h) for every branch, so nothing is decoded
 * ahead and nothing is searched at run time.
 *
 * Values are 8-byte slots; a 32-bit value (i32, f32 bits) always has a
 * zero upper half. A frame is the callee's params (left by the caller where
 * they were), its zeroed locals, then its operands, so a call copies
 * nothing. The validator proved every operand access in bounds and every
 * type right; what is left to check at run time is what the spec traps on,
 * and the two stacks' bounds at each call.
 */
#include <string.h>

#include "opcode.h"
#include "runtime.h"

void wasm_thread_init(struct wasm_thread *t, struct wasm_store *store, uint64_t *stack, uint32_t stack_cap,
		      struct wasm_frame *frames, uint32_t frames_cap)
{
	memset(t, 0, sizeof *t);
	t->store = store;
	t->stack = stack;
	t->stack_cap = stack_cap;
	t->frames = frames;
	t->frames_cap = frames_cap;
	t->status = WASM_STATUS_IDLE;
}

static bool is_32bit(uint8_t type)
{
	return type == WASM_I32 || type == WASM_F32;
}

bool wasm_thread_call(struct wasm_thread *t, struct wasm_instance *inst, uint32_t func, const uint64_t *args,
		      uint32_t nargs)
{
	const struct wasm_module *m = inst->m;
	if (t->status == WASM_STATUS_READY || t->status == WASM_STATUS_YIELDED || func >= m->nfuncs) {
		return false;
	}
	const struct wasm_functype *type = &m->types[m->funcs[func].type];
	if (nargs != type->nparams || nargs > t->stack_cap || type->nresults > t->stack_cap) {
		return false;
	}
	const uint8_t *params = m->bytes + type->params;
	for (uint32_t i = 0; i < nargs; i++) {
		t->stack[i] = is_32bit(params[i]) ? (uint32_t)args[i] : args[i];
	}
	t->sp = nargs;
	t->fp = 0;
	t->depth = 0;
	t->inst = (uint16_t)inst->id;
	t->func = (uint16_t)func;
	t->nresults = type->nresults;
	t->yield = false;
	t->trap = WASM_TRAP_NONE;
	t->trap_reason = NULL;
	t->entry = true;
	t->status = WASM_STATUS_READY;
	return true;
}

struct wasm_memory *wasm_thread_memory(const struct wasm_thread *t)
{
	return t->store->instances[t->inst]->memory;
}

/* Immediates of validated code: LEB128 without bounds checks. */
static inline uint32_t read_u32(const uint8_t **p)
{
	if (**p < 0x80) {
		return *(*p)++;
	}
	return wasm_decode_u32(p);
}

static inline uint64_t read_s64(const uint8_t **p)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;
	do {
		b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while ((b & 0x80) != 0 && shift < 70);
	if (shift < 64 && (b & 0x40) != 0) {
		v |= ~(uint64_t)0 << shift;
	}
	return v;
}

static inline uint32_t read_s32(const uint8_t **p)
{
	uint8_t b = **p;
	if (b < 0x80) {
		(*p)++;
		return (uint32_t)b - ((uint32_t)(b & 0x40) << 1);
	}
	return (uint32_t)read_s64(p);
}

static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t sext8(uint32_t v)
{
	return (v & 0xffu) - ((v & 0x80u) << 1);
}

static inline uint32_t sext16(uint32_t v)
{
	return (v & 0xffffu) - ((v & 0x8000u) << 1);
}

/*
 * The effective address of a load or store of n bytes, checked: the one
 * bounds check, in 64-bit arithmetic, that guards every guest access.
 * Reads the memarg (alignment is only a hint) and pops the address.
 */
static inline uint8_t *access(const uint8_t **pc, uint64_t **sp, uint8_t *data, uint64_t size, unsigned n)
{
	(void)read_u32(pc);
	uint32_t offset = read_u32(pc);
	uint64_t ea = (uint64_t)(uint32_t)*--*sp + offset;
	if (ea + n > size) {
		return NULL;
	}
	return data + ea;
}

/* The numeric cases' operands: a below b on the stack, the result in a's
 * slot (UN: a alone). 32-bit results are stored zero-extended. */
#define UN32(expr)                                       \
	do {                                             \
		uint32_t a = (uint32_t)sp[-1];           \
		sp[-1] = (expr);                         \
	} while (0)
#define BIN32(expr)                                      \
	do {                                             \
		uint32_t b = (uint32_t)*--sp;            \
		uint32_t a = (uint32_t)sp[-1];           \
		sp[-1] = (uint32_t)(expr);               \
	} while (0)
#define UN64(expr)                                       \
	do {                                             \
		uint64_t a = sp[-1];                     \
		sp[-1] = (expr);                         \
	} while (0)
#define BIN64(expr)                                      \
	do {                                             \
		uint64_t b = *--sp;                      \
		uint64_t a = sp[-1];                     \
		sp[-1] = (expr);                         \
	} while (0)

/* div and rem of v[0] by v[1], into v[0]. */
static enum wasm_trap divide(uint8_t op, uint64_t *v)
{
	uint32_t a = (uint32_t)v[0], b = (uint32_t)v[1], out = 0;
	enum wasm_trap trap;
	switch (op) {
	case WASM_OP_I32_DIV_S:
		trap = wasm_i32_div_s(a, b, &out);
		break;
	case WASM_OP_I32_DIV_U:
		trap = wasm_i32_div_u(a, b, &out);
		break;
	case WASM_OP_I32_REM_S:
		trap = wasm_i32_rem_s(a, b, &out);
		break;
	case WASM_OP_I32_REM_U:
		trap = wasm_i32_rem_u(a, b, &out);
		break;
	case WASM_OP_I64_DIV_S:
		return wasm_i64_div_s(v[0], v[1], &v[0]);
	case WASM_OP_I64_DIV_U:
		return wasm_i64_div_u(v[0], v[1], &v[0]);
	case WASM_OP_I64_REM_S:
		return wasm_i64_rem_s(v[0], v[1], &v[0]);
	default:
		return wasm_i64_rem_u(v[0], v[1], &v[0]);
	}
	if (trap == WASM_TRAP_NONE) {
		v[0] = out;
	}
	return trap;
}

/* Float to integer truncation of v[0], in place. */
static enum wasm_trap truncate(uint8_t op, uint64_t *v)
{
	uint32_t out = 0;
	enum wasm_trap trap;
	switch (op) {
	case WASM_OP_I32_TRUNC_F32_S:
		trap = wasm_i32_trunc_f32_s((uint32_t)v[0], &out);
		break;
	case WASM_OP_I32_TRUNC_F32_U:
		trap = wasm_i32_trunc_f32_u((uint32_t)v[0], &out);
		break;
	case WASM_OP_I32_TRUNC_F64_S:
		trap = wasm_i32_trunc_f64_s(v[0], &out);
		break;
	case WASM_OP_I32_TRUNC_F64_U:
		trap = wasm_i32_trunc_f64_u(v[0], &out);
		break;
	case WASM_OP_I64_TRUNC_F32_S:
		return wasm_i64_trunc_f32_s((uint32_t)v[0], &v[0]);
	case WASM_OP_I64_TRUNC_F32_U:
		return wasm_i64_trunc_f32_u((uint32_t)v[0], &v[0]);
	case WASM_OP_I64_TRUNC_F64_S:
		return wasm_i64_trunc_f64_s(v[0], &v[0]);
	default:
		return wasm_i64_trunc_f64_u(v[0], &v[0]);
	}
	if (trap == WASM_TRAP_NONE) {
		v[0] = out;
	}
	return trap;
}

/* Where a run stands, in registers. */
struct regs {
	struct wasm_instance *inst;
	const struct wasm_module *m;
	const uint8_t *bytes;
	const struct wasm_func *fn;
	const struct wasm_branch *side; /* the function's first entry */
	const uint8_t *end;             /* the function's final end */
	uint8_t *mdata;
	uint64_t msize;
	uint32_t func;
};

/* The memory registers, again after anything that may have grown it. */
static inline void load_memory(struct regs *r)
{
	r->mdata = r->inst->memory != NULL ? r->inst->memory->data : NULL;
	r->msize = r->inst->memory != NULL ? r->inst->memory->size : 0;
}

static inline void enter_instance(struct regs *r, struct wasm_instance *inst)
{
	r->inst = inst;
	r->m = inst->m;
	r->bytes = inst->m->bytes;
	load_memory(r);
}

static inline void enter_function(struct regs *r, uint32_t func)
{
	r->func = func;
	r->fn = &r->m->funcs[func];
	r->side = r->m->side + r->fn->side;
	r->end = r->bytes + r->fn->end;
}

enum wasm_status wasm_thread_run(struct wasm_thread *t, uint32_t slice)
{
	if (t->status != WASM_STATUS_READY && t->status != WASM_STATUS_YIELDED) {
		return t->status;
	}
	struct wasm_store *const store = t->store;
	uint64_t *const stack = t->stack;
	struct regs r = {0};
	enter_instance(&r, store->instances[t->inst]);
	uint64_t *sp = stack + t->sp;
	uint64_t *fp = stack + t->fp;
	const uint8_t *pc = r.bytes + t->pc;
	const uint8_t *ip = pc;
	uint32_t stp = t->stp;
	enum wasm_trap trap = WASM_TRAP_NONE;

	/* Fuel: the slice, cut short where the hard limit is nearer. */
	uint32_t budget = slice != 0 ? slice : UINT32_MAX;
	if (t->fuel_limit != 0) {
		uint64_t left = t->fuel_limit > t->fuel_used ? t->fuel_limit - t->fuel_used : 0;
		if (left < budget) {
			budget = (uint32_t)left;
		}
	}
	uint32_t fuel = budget;
	if (budget == 0) {
		trap = WASM_TRAP_FUEL;
		r.func = t->func;
		goto trapped;
	}

	/* The callee of a call: instance and function index. */
	struct wasm_instance *cinst;
	uint32_t cfunc;

	if (t->entry) {
		/* The embedder's call, not yet made. */
		t->entry = false;
		cinst = r.inst;
		cfunc = t->func;
		r.func = t->func;
		goto call;
	}
	t->status = WASM_STATUS_READY;
	enter_function(&r, t->func);

	/* Dispatch: one indirect jump per instruction, which the compiler
	 * copies into every handler's end. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
	static const void *const dispatch[256] = {
		[0 ... 255] = &&L_default,
		[WASM_OP_UNREACHABLE] = &&L_WASM_OP_UNREACHABLE,
		[WASM_OP_NOP] = &&L_WASM_OP_NOP,
		[WASM_OP_BLOCK] = &&L_WASM_OP_BLOCK,
		[WASM_OP_LOOP] = &&L_WASM_OP_LOOP,
		[WASM_OP_IF] = &&L_WASM_OP_IF,
		[WASM_OP_ELSE] = &&L_WASM_OP_ELSE,
		[WASM_OP_END] = &&L_WASM_OP_END,
		[WASM_OP_BR] = &&L_WASM_OP_BR,
		[WASM_OP_BR_IF] = &&L_WASM_OP_BR_IF,
		[WASM_OP_BR_TABLE] = &&L_WASM_OP_BR_TABLE,
		[WASM_OP_RETURN] = &&L_WASM_OP_RETURN,
		[WASM_OP_CALL] = &&L_WASM_OP_CALL,
		[WASM_OP_CALL_INDIRECT] = &&L_WASM_OP_CALL_INDIRECT,
		[WASM_OP_DROP] = &&L_WASM_OP_DROP,
		[WASM_OP_SELECT] = &&L_WASM_OP_SELECT,
		[WASM_OP_LOCAL_GET] = &&L_WASM_OP_LOCAL_GET,
		[WASM_OP_LOCAL_SET] = &&L_WASM_OP_LOCAL_SET,
		[WASM_OP_LOCAL_TEE] = &&L_WASM_OP_LOCAL_TEE,
		[WASM_OP_GLOBAL_GET] = &&L_WASM_OP_GLOBAL_GET,
		[WASM_OP_GLOBAL_SET] = &&L_WASM_OP_GLOBAL_SET,
		[WASM_OP_I32_LOAD] = &&L_WASM_OP_I32_LOAD,
		[WASM_OP_F32_LOAD] = &&L_WASM_OP_F32_LOAD,
		[WASM_OP_I64_LOAD32_U] = &&L_WASM_OP_I64_LOAD32_U,
		[WASM_OP_I64_LOAD] = &&L_WASM_OP_I64_LOAD,
		[WASM_OP_F64_LOAD] = &&L_WASM_OP_F64_LOAD,
		[WASM_OP_I32_LOAD8_S] = &&L_WASM_OP_I32_LOAD8_S,
		[WASM_OP_I32_LOAD8_U] = &&L_WASM_OP_I32_LOAD8_U,
		[WASM_OP_I64_LOAD8_S] = &&L_WASM_OP_I64_LOAD8_S,
		[WASM_OP_I64_LOAD8_U] = &&L_WASM_OP_I64_LOAD8_U,
		[WASM_OP_I32_LOAD16_S] = &&L_WASM_OP_I32_LOAD16_S,
		[WASM_OP_I32_LOAD16_U] = &&L_WASM_OP_I32_LOAD16_U,
		[WASM_OP_I64_LOAD16_S] = &&L_WASM_OP_I64_LOAD16_S,
		[WASM_OP_I64_LOAD16_U] = &&L_WASM_OP_I64_LOAD16_U,
		[WASM_OP_I64_LOAD32_S] = &&L_WASM_OP_I64_LOAD32_S,
		[WASM_OP_I32_STORE] = &&L_WASM_OP_I32_STORE,
		[WASM_OP_F32_STORE] = &&L_WASM_OP_F32_STORE,
		[WASM_OP_I64_STORE32] = &&L_WASM_OP_I64_STORE32,
		[WASM_OP_I64_STORE] = &&L_WASM_OP_I64_STORE,
		[WASM_OP_F64_STORE] = &&L_WASM_OP_F64_STORE,
		[WASM_OP_I32_STORE8] = &&L_WASM_OP_I32_STORE8,
		[WASM_OP_I64_STORE8] = &&L_WASM_OP_I64_STORE8,
		[WASM_OP_I32_STORE16] = &&L_WASM_OP_I32_STORE16,
		[WASM_OP_I64_STORE16] = &&L_WASM_OP_I64_STORE16,
		[WASM_OP_MEMORY_SIZE] = &&L_WASM_OP_MEMORY_SIZE,
		[WASM_OP_MEMORY_GROW] = &&L_WASM_OP_MEMORY_GROW,
		[WASM_OP_I32_CONST] = &&L_WASM_OP_I32_CONST,
		[WASM_OP_I64_CONST] = &&L_WASM_OP_I64_CONST,
		[WASM_OP_F32_CONST] = &&L_WASM_OP_F32_CONST,
		[WASM_OP_F64_CONST] = &&L_WASM_OP_F64_CONST,
		[WASM_OP_I32_EQZ] = &&L_WASM_OP_I32_EQZ,
		[WASM_OP_I32_EQ] = &&L_WASM_OP_I32_EQ,
		[WASM_OP_I32_NE] = &&L_WASM_OP_I32_NE,
		[WASM_OP_I32_LT_S] = &&L_WASM_OP_I32_LT_S,
		[WASM_OP_I32_LT_U] = &&L_WASM_OP_I32_LT_U,
		[WASM_OP_I32_GT_S] = &&L_WASM_OP_I32_GT_S,
		[WASM_OP_I32_GT_U] = &&L_WASM_OP_I32_GT_U,
		[WASM_OP_I32_LE_S] = &&L_WASM_OP_I32_LE_S,
		[WASM_OP_I32_LE_U] = &&L_WASM_OP_I32_LE_U,
		[WASM_OP_I32_GE_S] = &&L_WASM_OP_I32_GE_S,
		[WASM_OP_I32_GE_U] = &&L_WASM_OP_I32_GE_U,
		[WASM_OP_I64_EQZ] = &&L_WASM_OP_I64_EQZ,
		[WASM_OP_I64_EQ] = &&L_WASM_OP_I64_EQ,
		[WASM_OP_I64_NE] = &&L_WASM_OP_I64_NE,
		[WASM_OP_I64_LT_S] = &&L_WASM_OP_I64_LT_S,
		[WASM_OP_I64_LT_U] = &&L_WASM_OP_I64_LT_U,
		[WASM_OP_I64_GT_S] = &&L_WASM_OP_I64_GT_S,
		[WASM_OP_I64_GT_U] = &&L_WASM_OP_I64_GT_U,
		[WASM_OP_I64_LE_S] = &&L_WASM_OP_I64_LE_S,
		[WASM_OP_I64_LE_U] = &&L_WASM_OP_I64_LE_U,
		[WASM_OP_I64_GE_S] = &&L_WASM_OP_I64_GE_S,
		[WASM_OP_I64_GE_U] = &&L_WASM_OP_I64_GE_U,
		[WASM_OP_F32_EQ] = &&L_WASM_OP_F32_EQ,
		[WASM_OP_F32_NE] = &&L_WASM_OP_F32_NE,
		[WASM_OP_F32_LT] = &&L_WASM_OP_F32_LT,
		[WASM_OP_F32_GT] = &&L_WASM_OP_F32_GT,
		[WASM_OP_F32_LE] = &&L_WASM_OP_F32_LE,
		[WASM_OP_F32_GE] = &&L_WASM_OP_F32_GE,
		[WASM_OP_F64_EQ] = &&L_WASM_OP_F64_EQ,
		[WASM_OP_F64_NE] = &&L_WASM_OP_F64_NE,
		[WASM_OP_F64_LT] = &&L_WASM_OP_F64_LT,
		[WASM_OP_F64_GT] = &&L_WASM_OP_F64_GT,
		[WASM_OP_F64_LE] = &&L_WASM_OP_F64_LE,
		[WASM_OP_F64_GE] = &&L_WASM_OP_F64_GE,
		[WASM_OP_I32_CLZ] = &&L_WASM_OP_I32_CLZ,
		[WASM_OP_I32_CTZ] = &&L_WASM_OP_I32_CTZ,
		[WASM_OP_I32_POPCNT] = &&L_WASM_OP_I32_POPCNT,
		[WASM_OP_I32_ADD] = &&L_WASM_OP_I32_ADD,
		[WASM_OP_I32_SUB] = &&L_WASM_OP_I32_SUB,
		[WASM_OP_I32_MUL] = &&L_WASM_OP_I32_MUL,
		[WASM_OP_I32_AND] = &&L_WASM_OP_I32_AND,
		[WASM_OP_I32_OR] = &&L_WASM_OP_I32_OR,
		[WASM_OP_I32_XOR] = &&L_WASM_OP_I32_XOR,
		[WASM_OP_I32_SHL] = &&L_WASM_OP_I32_SHL,
		[WASM_OP_I32_SHR_S] = &&L_WASM_OP_I32_SHR_S,
		[WASM_OP_I32_SHR_U] = &&L_WASM_OP_I32_SHR_U,
		[WASM_OP_I32_ROTL] = &&L_WASM_OP_I32_ROTL,
		[WASM_OP_I32_ROTR] = &&L_WASM_OP_I32_ROTR,
		[WASM_OP_I64_CLZ] = &&L_WASM_OP_I64_CLZ,
		[WASM_OP_I64_CTZ] = &&L_WASM_OP_I64_CTZ,
		[WASM_OP_I64_POPCNT] = &&L_WASM_OP_I64_POPCNT,
		[WASM_OP_I64_ADD] = &&L_WASM_OP_I64_ADD,
		[WASM_OP_I64_SUB] = &&L_WASM_OP_I64_SUB,
		[WASM_OP_I64_MUL] = &&L_WASM_OP_I64_MUL,
		[WASM_OP_I64_AND] = &&L_WASM_OP_I64_AND,
		[WASM_OP_I64_OR] = &&L_WASM_OP_I64_OR,
		[WASM_OP_I64_XOR] = &&L_WASM_OP_I64_XOR,
		[WASM_OP_I64_SHL] = &&L_WASM_OP_I64_SHL,
		[WASM_OP_I64_SHR_S] = &&L_WASM_OP_I64_SHR_S,
		[WASM_OP_I64_SHR_U] = &&L_WASM_OP_I64_SHR_U,
		[WASM_OP_I64_ROTL] = &&L_WASM_OP_I64_ROTL,
		[WASM_OP_I64_ROTR] = &&L_WASM_OP_I64_ROTR,
		[WASM_OP_I32_DIV_S] = &&L_WASM_OP_I32_DIV_S,
		[WASM_OP_I32_DIV_U] = &&L_WASM_OP_I32_DIV_U,
		[WASM_OP_I32_REM_S] = &&L_WASM_OP_I32_REM_S,
		[WASM_OP_I32_REM_U] = &&L_WASM_OP_I32_REM_U,
		[WASM_OP_I64_DIV_S] = &&L_WASM_OP_I64_DIV_S,
		[WASM_OP_I64_DIV_U] = &&L_WASM_OP_I64_DIV_U,
		[WASM_OP_I64_REM_S] = &&L_WASM_OP_I64_REM_S,
		[WASM_OP_I64_REM_U] = &&L_WASM_OP_I64_REM_U,
		[WASM_OP_F32_ABS] = &&L_WASM_OP_F32_ABS,
		[WASM_OP_F32_NEG] = &&L_WASM_OP_F32_NEG,
		[WASM_OP_F32_CEIL] = &&L_WASM_OP_F32_CEIL,
		[WASM_OP_F32_FLOOR] = &&L_WASM_OP_F32_FLOOR,
		[WASM_OP_F32_TRUNC] = &&L_WASM_OP_F32_TRUNC,
		[WASM_OP_F32_NEAREST] = &&L_WASM_OP_F32_NEAREST,
		[WASM_OP_F32_SQRT] = &&L_WASM_OP_F32_SQRT,
		[WASM_OP_F32_ADD] = &&L_WASM_OP_F32_ADD,
		[WASM_OP_F32_SUB] = &&L_WASM_OP_F32_SUB,
		[WASM_OP_F32_MUL] = &&L_WASM_OP_F32_MUL,
		[WASM_OP_F32_DIV] = &&L_WASM_OP_F32_DIV,
		[WASM_OP_F32_MIN] = &&L_WASM_OP_F32_MIN,
		[WASM_OP_F32_MAX] = &&L_WASM_OP_F32_MAX,
		[WASM_OP_F32_COPYSIGN] = &&L_WASM_OP_F32_COPYSIGN,
		[WASM_OP_F64_ABS] = &&L_WASM_OP_F64_ABS,
		[WASM_OP_F64_NEG] = &&L_WASM_OP_F64_NEG,
		[WASM_OP_F64_CEIL] = &&L_WASM_OP_F64_CEIL,
		[WASM_OP_F64_FLOOR] = &&L_WASM_OP_F64_FLOOR,
		[WASM_OP_F64_TRUNC] = &&L_WASM_OP_F64_TRUNC,
		[WASM_OP_F64_NEAREST] = &&L_WASM_OP_F64_NEAREST,
		[WASM_OP_F64_SQRT] = &&L_WASM_OP_F64_SQRT,
		[WASM_OP_F64_ADD] = &&L_WASM_OP_F64_ADD,
		[WASM_OP_F64_SUB] = &&L_WASM_OP_F64_SUB,
		[WASM_OP_F64_MUL] = &&L_WASM_OP_F64_MUL,
		[WASM_OP_F64_DIV] = &&L_WASM_OP_F64_DIV,
		[WASM_OP_F64_MIN] = &&L_WASM_OP_F64_MIN,
		[WASM_OP_F64_MAX] = &&L_WASM_OP_F64_MAX,
		[WASM_OP_F64_COPYSIGN] = &&L_WASM_OP_F64_COPYSIGN,
		[WASM_OP_I32_WRAP_I64] = &&L_WASM_OP_I32_WRAP_I64,
		[WASM_OP_I64_EXTEND_I32_S] = &&L_WASM_OP_I64_EXTEND_I32_S,
		[WASM_OP_I64_EXTEND_I32_U] = &&L_WASM_OP_I64_EXTEND_I32_U,
		[WASM_OP_I32_TRUNC_F32_S] = &&L_WASM_OP_I32_TRUNC_F32_S,
		[WASM_OP_I32_TRUNC_F32_U] = &&L_WASM_OP_I32_TRUNC_F32_U,
		[WASM_OP_I32_TRUNC_F64_S] = &&L_WASM_OP_I32_TRUNC_F64_S,
		[WASM_OP_I32_TRUNC_F64_U] = &&L_WASM_OP_I32_TRUNC_F64_U,
		[WASM_OP_I64_TRUNC_F32_S] = &&L_WASM_OP_I64_TRUNC_F32_S,
		[WASM_OP_I64_TRUNC_F32_U] = &&L_WASM_OP_I64_TRUNC_F32_U,
		[WASM_OP_I64_TRUNC_F64_S] = &&L_WASM_OP_I64_TRUNC_F64_S,
		[WASM_OP_I64_TRUNC_F64_U] = &&L_WASM_OP_I64_TRUNC_F64_U,
		[WASM_OP_F32_CONVERT_I32_S] = &&L_WASM_OP_F32_CONVERT_I32_S,
		[WASM_OP_F32_CONVERT_I32_U] = &&L_WASM_OP_F32_CONVERT_I32_U,
		[WASM_OP_F32_CONVERT_I64_S] = &&L_WASM_OP_F32_CONVERT_I64_S,
		[WASM_OP_F32_CONVERT_I64_U] = &&L_WASM_OP_F32_CONVERT_I64_U,
		[WASM_OP_F32_DEMOTE_F64] = &&L_WASM_OP_F32_DEMOTE_F64,
		[WASM_OP_F64_CONVERT_I32_S] = &&L_WASM_OP_F64_CONVERT_I32_S,
		[WASM_OP_F64_CONVERT_I32_U] = &&L_WASM_OP_F64_CONVERT_I32_U,
		[WASM_OP_F64_CONVERT_I64_S] = &&L_WASM_OP_F64_CONVERT_I64_S,
		[WASM_OP_F64_CONVERT_I64_U] = &&L_WASM_OP_F64_CONVERT_I64_U,
		[WASM_OP_F64_PROMOTE_F32] = &&L_WASM_OP_F64_PROMOTE_F32,
		[WASM_OP_I32_REINTERPRET_F32] = &&L_WASM_OP_I32_REINTERPRET_F32,
		[WASM_OP_I64_REINTERPRET_F64] = &&L_WASM_OP_I64_REINTERPRET_F64,
		[WASM_OP_F32_REINTERPRET_I32] = &&L_WASM_OP_F32_REINTERPRET_I32,
		[WASM_OP_F64_REINTERPRET_I64] = &&L_WASM_OP_F64_REINTERPRET_I64,
	};
#pragma GCC diagnostic pop

	/* ip, the instruction's first byte, is set only where it is needed:
	 * by instructions that can trap, for the trap's offset. */
	for (;;) {
		goto *dispatch[*pc++];
		{
		L_WASM_OP_UNREACHABLE:
			ip = pc - 1;
			trap = WASM_TRAP_UNREACHABLE;
			goto trapped;
		L_WASM_OP_NOP:
			continue;
		L_WASM_OP_BLOCK:
		L_WASM_OP_LOOP:
			pc++; /* the block type */
			continue;
		L_WASM_OP_IF:
			pc++;
			if ((uint32_t)*--sp != 0) {
				stp++;
				continue;
			}
			goto branch;
		L_WASM_OP_ELSE:
			goto branch;
		L_WASM_OP_END:
			if (pc - 1 == r.end) {
				goto ret;
			}
			continue;
		L_WASM_OP_BR:
			goto branch;
		L_WASM_OP_BR_IF:
			if ((uint32_t)*--sp != 0) {
				goto branch;
			}
			(void)read_u32(&pc);
			stp++;
			continue;
		L_WASM_OP_BR_TABLE: {
			/* Label i (n: the default) names a depth; the entries
			 * after the header are by depth (module.h). */
			uint32_t n = read_u32(&pc);
			uint32_t i = (uint32_t)*--sp;
			const uint8_t *label = r.bytes + r.side[stp].target;
			if (i < n && label == pc + n) {
				label = pc + i; /* one byte per label */
			} else if (i < n) {
				for (label = pc; i > 0; i--) {
					(void)read_u32(&label);
				}
			}
			stp += 1 + read_u32(&label);
			goto branch;
		}
		L_WASM_OP_RETURN:
			goto ret;
		L_WASM_OP_CALL:
			ip = pc - 1;
			cinst = r.inst;
			cfunc = read_u32(&pc);
			goto call;
		L_WASM_OP_CALL_INDIRECT: {
			ip = pc - 1;
			uint32_t type = read_u32(&pc);
			pc++; /* the reserved table index */
			uint32_t i = (uint32_t)*--sp;
			const struct wasm_table *table = r.inst->table;
			if (i >= table->size) {
				trap = WASM_TRAP_UNDEFINED_ELEMENT;
				goto trapped;
			}
			wasm_ref ref = table->elems[i];
			if (ref == WASM_REF_NULL) {
				trap = WASM_TRAP_UNINITIALIZED;
				goto trapped;
			}
			cinst = store->instances[ref >> 16];
			cfunc = ref & 0xffffu;
			const struct wasm_module *cm = cinst->m;
			bool same = cinst->m == r.m ? cm->types[cm->funcs[cfunc].type].canon == r.m->types[type].canon
						    : wasm_functype_equal(cm, cm->funcs[cfunc].type, r.m, type);
			if (!same) {
				trap = WASM_TRAP_INDIRECT_TYPE;
				goto trapped;
			}
			goto call;
		}
		L_WASM_OP_DROP:
			sp--;
			continue;
		L_WASM_OP_SELECT: {
			uint32_t c = (uint32_t)*--sp;
			sp--;
			if (c == 0) {
				sp[-1] = sp[0];
			}
			continue;
		}
		L_WASM_OP_LOCAL_GET:
			*sp++ = fp[read_u32(&pc)];
			continue;
		L_WASM_OP_LOCAL_SET:
			fp[read_u32(&pc)] = *--sp;
			continue;
		L_WASM_OP_LOCAL_TEE:
			fp[read_u32(&pc)] = sp[-1];
			continue;
		L_WASM_OP_GLOBAL_GET:
			*sp++ = *r.inst->globals[read_u32(&pc)];
			continue;
		L_WASM_OP_GLOBAL_SET:
			*r.inst->globals[read_u32(&pc)] = *--sp;
			continue;

		/* Loads and stores: access() pops the address and checks it. */
		L_WASM_OP_I32_LOAD:
		L_WASM_OP_F32_LOAD:
		L_WASM_OP_I64_LOAD32_U: {
			ip = pc - 1;
			const uint8_t *p = access(&pc, &sp, r.mdata, r.msize, 4);
			if (p == NULL) {
				goto oob;
			}
			*sp++ = load32(p);
			continue;
		}
		L_WASM_OP_I64_LOAD:
		L_WASM_OP_F64_LOAD: {
			ip = pc - 1;
			const uint8_t *p = access(&pc, &sp, r.mdata, r.msize, 8);
			if (p == NULL) {
				goto oob;
			}
			*sp++ = load64(p);
			continue;
		}
		L_WASM_OP_I32_LOAD8_S:
		L_WASM_OP_I32_LOAD8_U:
		L_WASM_OP_I64_LOAD8_S:
		L_WASM_OP_I64_LOAD8_U: {
			ip = pc - 1;
			uint8_t op = *ip;
			const uint8_t *p = access(&pc, &sp, r.mdata, r.msize, 1);
			if (p == NULL) {
				goto oob;
			}
			uint32_t v = op == WASM_OP_I32_LOAD8_S || op == WASM_OP_I64_LOAD8_S ? sext8(*p) : *p;
			*sp++ = op == WASM_OP_I64_LOAD8_S ? wasm_i64_extend_i32_s(v) : v;
			continue;
		}
		L_WASM_OP_I32_LOAD16_S:
		L_WASM_OP_I32_LOAD16_U:
		L_WASM_OP_I64_LOAD16_S:
		L_WASM_OP_I64_LOAD16_U: {
			ip = pc - 1;
			uint8_t op = *ip;
			const uint8_t *p = access(&pc, &sp, r.mdata, r.msize, 2);
			if (p == NULL) {
				goto oob;
			}
			uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8;
			v = op == WASM_OP_I32_LOAD16_S || op == WASM_OP_I64_LOAD16_S ? sext16(v) : v;
			*sp++ = op == WASM_OP_I64_LOAD16_S ? wasm_i64_extend_i32_s(v) : v;
			continue;
		}
		L_WASM_OP_I64_LOAD32_S: {
			ip = pc - 1;
			const uint8_t *p = access(&pc, &sp, r.mdata, r.msize, 4);
			if (p == NULL) {
				goto oob;
			}
			*sp++ = wasm_i64_extend_i32_s(load32(p));
			continue;
		}
		L_WASM_OP_I32_STORE:
		L_WASM_OP_F32_STORE:
		L_WASM_OP_I64_STORE32: {
			ip = pc - 1;
			uint32_t v = (uint32_t)*--sp;
			uint8_t *p = access(&pc, &sp, r.mdata, r.msize, 4);
			if (p == NULL) {
				goto oob;
			}
			memcpy(p, &v, 4);
			continue;
		}
		L_WASM_OP_I64_STORE:
		L_WASM_OP_F64_STORE: {
			uint64_t v = *--sp;
			ip = pc - 1;
			uint8_t *p = access(&pc, &sp, r.mdata, r.msize, 8);
			if (p == NULL) {
				goto oob;
			}
			memcpy(p, &v, 8);
			continue;
		}
		L_WASM_OP_I32_STORE8:
		L_WASM_OP_I64_STORE8: {
			uint64_t v = *--sp;
			ip = pc - 1;
			uint8_t *p = access(&pc, &sp, r.mdata, r.msize, 1);
			if (p == NULL) {
				goto oob;
			}
			p[0] = (uint8_t)v;
			continue;
		}
		L_WASM_OP_I32_STORE16:
		L_WASM_OP_I64_STORE16: {
			uint64_t v = *--sp;
			ip = pc - 1;
			uint8_t *p = access(&pc, &sp, r.mdata, r.msize, 2);
			if (p == NULL) {
				goto oob;
			}
			p[0] = (uint8_t)v;
			p[1] = (uint8_t)(v >> 8);
			continue;
		}
		L_WASM_OP_MEMORY_SIZE:
			pc++;
			*sp++ = r.inst->memory->pages;
			continue;
		L_WASM_OP_MEMORY_GROW:
			pc++;
			sp[-1] = wasm_memory_grow(r.inst->memory, (uint32_t)sp[-1]);
			load_memory(&r);
			continue;

		L_WASM_OP_I32_CONST:
			*sp++ = read_s32(&pc);
			continue;
		L_WASM_OP_I64_CONST:
			*sp++ = read_s64(&pc);
			continue;
		L_WASM_OP_F32_CONST:
			*sp++ = load32(pc);
			pc += 4;
			continue;
		L_WASM_OP_F64_CONST:
			*sp++ = load64(pc);
			pc += 8;
			continue;

		/* Numeric instructions: UN and BIN read their operands as a
		 * and b, and put the result where the first one was. */
		L_WASM_OP_I32_EQZ: UN32(a == 0); continue;
		L_WASM_OP_I32_EQ: BIN32(a == b); continue;
		L_WASM_OP_I32_NE: BIN32(a != b); continue;
		L_WASM_OP_I32_LT_S: BIN32(wasm_i32_lt_s(a, b)); continue;
		L_WASM_OP_I32_LT_U: BIN32(a < b); continue;
		L_WASM_OP_I32_GT_S: BIN32(wasm_i32_gt_s(a, b)); continue;
		L_WASM_OP_I32_GT_U: BIN32(a > b); continue;
		L_WASM_OP_I32_LE_S: BIN32(wasm_i32_le_s(a, b)); continue;
		L_WASM_OP_I32_LE_U: BIN32(a <= b); continue;
		L_WASM_OP_I32_GE_S: BIN32(wasm_i32_ge_s(a, b)); continue;
		L_WASM_OP_I32_GE_U: BIN32(a >= b); continue;
		L_WASM_OP_I64_EQZ: UN64(a == 0); continue;
		L_WASM_OP_I64_EQ: BIN64(a == b); continue;
		L_WASM_OP_I64_NE: BIN64(a != b); continue;
		L_WASM_OP_I64_LT_S: BIN64(wasm_i64_lt_s(a, b)); continue;
		L_WASM_OP_I64_LT_U: BIN64(a < b); continue;
		L_WASM_OP_I64_GT_S: BIN64(wasm_i64_gt_s(a, b)); continue;
		L_WASM_OP_I64_GT_U: BIN64(a > b); continue;
		L_WASM_OP_I64_LE_S: BIN64(wasm_i64_le_s(a, b)); continue;
		L_WASM_OP_I64_LE_U: BIN64(a <= b); continue;
		L_WASM_OP_I64_GE_S: BIN64(wasm_i64_ge_s(a, b)); continue;
		L_WASM_OP_I64_GE_U: BIN64(a >= b); continue;
		L_WASM_OP_F32_EQ: BIN32(wasm_f32_eq(a, b)); continue;
		L_WASM_OP_F32_NE: BIN32(wasm_f32_ne(a, b)); continue;
		L_WASM_OP_F32_LT: BIN32(wasm_f32_lt(a, b)); continue;
		L_WASM_OP_F32_GT: BIN32(wasm_f32_gt(a, b)); continue;
		L_WASM_OP_F32_LE: BIN32(wasm_f32_le(a, b)); continue;
		L_WASM_OP_F32_GE: BIN32(wasm_f32_ge(a, b)); continue;
		L_WASM_OP_F64_EQ: BIN64(wasm_f64_eq(a, b)); continue;
		L_WASM_OP_F64_NE: BIN64(wasm_f64_ne(a, b)); continue;
		L_WASM_OP_F64_LT: BIN64(wasm_f64_lt(a, b)); continue;
		L_WASM_OP_F64_GT: BIN64(wasm_f64_gt(a, b)); continue;
		L_WASM_OP_F64_LE: BIN64(wasm_f64_le(a, b)); continue;
		L_WASM_OP_F64_GE: BIN64(wasm_f64_ge(a, b)); continue;

		L_WASM_OP_I32_CLZ: UN32(wasm_i32_clz(a)); continue;
		L_WASM_OP_I32_CTZ: UN32(wasm_i32_ctz(a)); continue;
		L_WASM_OP_I32_POPCNT: UN32(wasm_i32_popcnt(a)); continue;
		L_WASM_OP_I32_ADD: BIN32(a + b); continue;
		L_WASM_OP_I32_SUB: BIN32(a - b); continue;
		L_WASM_OP_I32_MUL: BIN32(a * b); continue;
		L_WASM_OP_I32_AND: BIN32(a & b); continue;
		L_WASM_OP_I32_OR: BIN32(a | b); continue;
		L_WASM_OP_I32_XOR: BIN32(a ^ b); continue;
		L_WASM_OP_I32_SHL: BIN32(wasm_i32_shl(a, b)); continue;
		L_WASM_OP_I32_SHR_S: BIN32(wasm_i32_shr_s(a, b)); continue;
		L_WASM_OP_I32_SHR_U: BIN32(wasm_i32_shr_u(a, b)); continue;
		L_WASM_OP_I32_ROTL: BIN32(wasm_i32_rotl(a, b)); continue;
		L_WASM_OP_I32_ROTR: BIN32(wasm_i32_rotr(a, b)); continue;
		L_WASM_OP_I64_CLZ: UN64(wasm_i64_clz(a)); continue;
		L_WASM_OP_I64_CTZ: UN64(wasm_i64_ctz(a)); continue;
		L_WASM_OP_I64_POPCNT: UN64(wasm_i64_popcnt(a)); continue;
		L_WASM_OP_I64_ADD: BIN64(a + b); continue;
		L_WASM_OP_I64_SUB: BIN64(a - b); continue;
		L_WASM_OP_I64_MUL: BIN64(a * b); continue;
		L_WASM_OP_I64_AND: BIN64(a & b); continue;
		L_WASM_OP_I64_OR: BIN64(a | b); continue;
		L_WASM_OP_I64_XOR: BIN64(a ^ b); continue;
		L_WASM_OP_I64_SHL: BIN64(wasm_i64_shl(a, b)); continue;
		L_WASM_OP_I64_SHR_S: BIN64(wasm_i64_shr_s(a, b)); continue;
		L_WASM_OP_I64_SHR_U: BIN64(wasm_i64_shr_u(a, b)); continue;
		L_WASM_OP_I64_ROTL: BIN64(wasm_i64_rotl(a, b)); continue;
		L_WASM_OP_I64_ROTR: BIN64(wasm_i64_rotr(a, b)); continue;
		L_WASM_OP_I32_DIV_S:
		L_WASM_OP_I32_DIV_U:
		L_WASM_OP_I32_REM_S:
		L_WASM_OP_I32_REM_U:
		L_WASM_OP_I64_DIV_S:
		L_WASM_OP_I64_DIV_U:
		L_WASM_OP_I64_REM_S:
		L_WASM_OP_I64_REM_U:
			ip = pc - 1;
			trap = divide(*ip, sp - 2);
			if (trap != WASM_TRAP_NONE) {
				goto trapped;
			}
			sp--;
			continue;

		L_WASM_OP_F32_ABS: UN32(wasm_f32_abs(a)); continue;
		L_WASM_OP_F32_NEG: UN32(wasm_f32_neg(a)); continue;
		L_WASM_OP_F32_CEIL: UN32(wasm_f32_ceil(a)); continue;
		L_WASM_OP_F32_FLOOR: UN32(wasm_f32_floor(a)); continue;
		L_WASM_OP_F32_TRUNC: UN32(wasm_f32_trunc(a)); continue;
		L_WASM_OP_F32_NEAREST: UN32(wasm_f32_nearest(a)); continue;
		L_WASM_OP_F32_SQRT: UN32(wasm_f32_sqrt(a)); continue;
		L_WASM_OP_F32_ADD: BIN32(wasm_f32_add(a, b)); continue;
		L_WASM_OP_F32_SUB: BIN32(wasm_f32_sub(a, b)); continue;
		L_WASM_OP_F32_MUL: BIN32(wasm_f32_mul(a, b)); continue;
		L_WASM_OP_F32_DIV: BIN32(wasm_f32_div(a, b)); continue;
		L_WASM_OP_F32_MIN: BIN32(wasm_f32_min(a, b)); continue;
		L_WASM_OP_F32_MAX: BIN32(wasm_f32_max(a, b)); continue;
		L_WASM_OP_F32_COPYSIGN: BIN32(wasm_f32_copysign(a, b)); continue;
		L_WASM_OP_F64_ABS: UN64(wasm_f64_abs(a)); continue;
		L_WASM_OP_F64_NEG: UN64(wasm_f64_neg(a)); continue;
		L_WASM_OP_F64_CEIL: UN64(wasm_f64_ceil(a)); continue;
		L_WASM_OP_F64_FLOOR: UN64(wasm_f64_floor(a)); continue;
		L_WASM_OP_F64_TRUNC: UN64(wasm_f64_trunc(a)); continue;
		L_WASM_OP_F64_NEAREST: UN64(wasm_f64_nearest(a)); continue;
		L_WASM_OP_F64_SQRT: UN64(wasm_f64_sqrt(a)); continue;
		L_WASM_OP_F64_ADD: BIN64(wasm_f64_add(a, b)); continue;
		L_WASM_OP_F64_SUB: BIN64(wasm_f64_sub(a, b)); continue;
		L_WASM_OP_F64_MUL: BIN64(wasm_f64_mul(a, b)); continue;
		L_WASM_OP_F64_DIV: BIN64(wasm_f64_div(a, b)); continue;
		L_WASM_OP_F64_MIN: BIN64(wasm_f64_min(a, b)); continue;
		L_WASM_OP_F64_MAX: BIN64(wasm_f64_max(a, b)); continue;
		L_WASM_OP_F64_COPYSIGN: BIN64(wasm_f64_copysign(a, b)); continue;

		L_WASM_OP_I32_WRAP_I64: UN64(wasm_i32_wrap_i64(a)); continue;
		L_WASM_OP_I64_EXTEND_I32_S: UN64(wasm_i64_extend_i32_s((uint32_t)a)); continue;
		L_WASM_OP_I64_EXTEND_I32_U: continue; /* the upper half is already zero */
		L_WASM_OP_I32_TRUNC_F32_S:
		L_WASM_OP_I32_TRUNC_F32_U:
		L_WASM_OP_I32_TRUNC_F64_S:
		L_WASM_OP_I32_TRUNC_F64_U:
		L_WASM_OP_I64_TRUNC_F32_S:
		L_WASM_OP_I64_TRUNC_F32_U:
		L_WASM_OP_I64_TRUNC_F64_S:
		L_WASM_OP_I64_TRUNC_F64_U:
			ip = pc - 1;
			trap = truncate(*ip, sp - 1);
			if (trap != WASM_TRAP_NONE) {
				goto trapped;
			}
			continue;
		L_WASM_OP_F32_CONVERT_I32_S: UN32(wasm_f32_convert_i32_s(a)); continue;
		L_WASM_OP_F32_CONVERT_I32_U: UN32(wasm_f32_convert_i32_u(a)); continue;
		L_WASM_OP_F32_CONVERT_I64_S: UN64(wasm_f32_convert_i64_s(a)); continue;
		L_WASM_OP_F32_CONVERT_I64_U: UN64(wasm_f32_convert_i64_u(a)); continue;
		L_WASM_OP_F32_DEMOTE_F64: UN64(wasm_f32_demote_f64(a)); continue;
		L_WASM_OP_F64_CONVERT_I32_S: UN32(wasm_f64_convert_i32_s(a)); continue;
		L_WASM_OP_F64_CONVERT_I32_U: UN32(wasm_f64_convert_i32_u(a)); continue;
		L_WASM_OP_F64_CONVERT_I64_S: UN64(wasm_f64_convert_i64_s(a)); continue;
		L_WASM_OP_F64_CONVERT_I64_U: UN64(wasm_f64_convert_i64_u(a)); continue;
		L_WASM_OP_F64_PROMOTE_F32: UN32(wasm_f64_promote_f32(a)); continue;
		L_WASM_OP_I32_REINTERPRET_F32:
		L_WASM_OP_I64_REINTERPRET_F64:
		L_WASM_OP_F32_REINTERPRET_I32:
		L_WASM_OP_F64_REINTERPRET_I64:
			continue; /* the bits are the value */

		L_default:
			/* The validator let no other opcode through. */
			trap = WASM_TRAP_UNREACHABLE;
			goto trapped;
		}
		continue;

	branch: {
		/* Through side-table entry stp: carry the kept value over the
		 * dropped ones, then jump. A backward jump costs fuel. */
		const struct wasm_branch *e = &r.side[stp];
		unsigned drop = wasm_branch_drop(e);
		if (wasm_branch_keep(e)) {
			sp[-1 - (int)drop] = sp[-1];
		}
		sp -= drop;
		bool back = e->target < (uint32_t)(pc - r.bytes);
		pc = r.bytes + e->target;
		stp = e->side;
		if (back && --fuel == 0) {
			ip = pc; /* a fuel trap points where the loop goes on */
			goto out_of_fuel;
		}
		continue;
	}

	call: {
		/* Follow imports to the function that runs: a host function,
		 * or a wasm function of some instance. */
		while (cfunc < cinst->m->nfunc_imports && cinst->imports[cfunc].fn == NULL) {
			wasm_ref ref = cinst->imports[cfunc].to.ref;
			cinst = store->instances[ref >> 16];
			cfunc = ref & 0xffffu;
		}
		const struct wasm_module *cm = cinst->m;
		const struct wasm_func *cf = &cm->funcs[cfunc];
		const struct wasm_functype *ct = &cm->types[cf->type];
		uint64_t *args = sp - ct->nparams;
		if (cfunc < cm->nfunc_imports) {
			const struct wasm_binding *b = &cinst->imports[cfunc];
			uint16_t caller = t->inst;
			t->inst = (uint16_t)cinst->id;
			trap = b->fn(t, args, b->to.ctx);
			t->inst = caller;
			if (trap != WASM_TRAP_NONE) {
				goto trapped;
			}
			if (ct->nresults != 0 && is_32bit(ct->result)) {
				args[0] = (uint32_t)args[0];
			}
			sp = args + ct->nresults;
			load_memory(&r);
			if (t->depth == 0) {
				goto done;
			}
			if (t->yield) {
				t->yield = false;
				t->status = WASM_STATUS_YIELDED;
				goto save;
			}
			continue;
		}
		uint32_t base = (uint32_t)(args - stack);
		if (t->depth >= t->frames_cap ||
		    (uint64_t)base + ct->nparams + cf->nlocals + cf->max_stack > t->stack_cap) {
			trap = WASM_TRAP_STACK;
			goto trapped;
		}
		t->frames[t->depth++] = (struct wasm_frame){
			.pc = (uint32_t)(pc - r.bytes),
			.stp = stp,
			.fp = (uint32_t)(fp - stack),
			.func = (uint16_t)r.func,
			.inst = (uint16_t)r.inst->id,
		};
		fp = args;
		sp = fp + ct->nparams;
		for (uint32_t i = cf->nlocals; i > 0; i--) {
			*sp++ = 0;
		}
		if (cinst != r.inst) {
			enter_instance(&r, cinst);
		}
		enter_function(&r, cfunc);
		ip = pc = r.bytes + cf->code;
		stp = 0;
		if (--fuel == 0) {
			goto out_of_fuel;
		}
		continue;
	}

	ret: {
		uint32_t nresults = r.m->types[r.fn->type].nresults;
		if (nresults != 0) {
			fp[0] = sp[-1];
		}
		sp = fp + nresults;
		const struct wasm_frame *fr = &t->frames[--t->depth];
		if (t->depth == 0) {
			goto done;
		}
		/* Within one instance the memory registers are current: its
		 * memory.grow updates them, whichever function ran it. */
		if (fr->inst != r.inst->id) {
			enter_instance(&r, store->instances[fr->inst]);
		}
		enter_function(&r, fr->func);
		pc = r.bytes + fr->pc;
		stp = fr->stp;
		fp = stack + fr->fp;
		continue;
	}

	out_of_fuel:
		t->fuel_used += budget;
		fuel = budget; /* counted: what follows adds budget - fuel = 0 */
		if (t->fuel_limit != 0 && t->fuel_used >= t->fuel_limit) {
			trap = WASM_TRAP_FUEL;
			goto trapped;
		}
		if (slice != 0) {
			goto save;
		}
		fuel = budget;
		continue;
	}

oob:
	trap = WASM_TRAP_MEMORY;
trapped:
	t->trap = trap;
	t->trap_func = r.func;
	t->trap_offset = (uint32_t)(ip - r.bytes);
	t->fuel_used += budget - fuel;
	t->status = WASM_STATUS_TRAPPED;
	t->depth = 0;
	return t->status;
done:
	t->fuel_used += budget - fuel;
	t->sp = (uint32_t)(sp - stack);
	t->status = WASM_STATUS_IDLE;
	return t->status;
save:
	t->fuel_used += budget - fuel;
	t->sp = (uint32_t)(sp - stack);
	t->fp = (uint32_t)(fp - stack);
	t->pc = (uint32_t)(pc - r.bytes);
	t->stp = stp;
	t->func = (uint16_t)r.func;
	t->inst = (uint16_t)r.inst->id;
	return t->status;
}
