/*
 * Code: validates function bodies and constant expressions as the spec's
 * section 3 and its appendix's algorithm say, and builds the side table
 * (module.h tells its format).
 *
 * A body is read twice. The first pass (wasm_scan_expr, decode.c) decodes
 * it: every opcode and immediate and the nesting of blocks and elses; it
 * counts the side-table entries and the deepest nesting, so the second
 * pass gets exactly the memory it needs and no block nesting can outgrow a
 * bound. The second pass (check_body), only while the module is valid so
 * far, types every instruction with a stack of operand types (UNKNOWN
 * where an unreachable stack is polymorphic) and an explicit control
 * stack, and fills the side table. Neither pass recurses. The file is
 * long for one reason: the instruction set.
 */
#include <string.h>

#include "loader.h"
#include "opcode.h"

#define UNKNOWN 0         /* an operand of any type, from a polymorphic stack */
#define NO_ENTRY 0xffffu  /* end of a list of side-table entries */

/* Operand types of the numeric instructions, by opcode range. */
struct numeric_sig {
	uint8_t first, last; /* opcodes */
	uint8_t in1, in2;    /* operand types, in2 0 for one operand */
	uint8_t out;
};

static const struct numeric_sig numeric_sigs[] = {
	{WASM_OP_I32_EQZ, WASM_OP_I32_EQZ, WASM_I32, 0, WASM_I32},
	{WASM_OP_I32_EQ, WASM_OP_I32_GE_U, WASM_I32, WASM_I32, WASM_I32},
	{WASM_OP_I64_EQZ, WASM_OP_I64_EQZ, WASM_I64, 0, WASM_I32},
	{WASM_OP_I64_EQ, WASM_OP_I64_GE_U, WASM_I64, WASM_I64, WASM_I32},
	{WASM_OP_F32_EQ, WASM_OP_F32_GE, WASM_F32, WASM_F32, WASM_I32},
	{WASM_OP_F64_EQ, WASM_OP_F64_GE, WASM_F64, WASM_F64, WASM_I32},
	{WASM_OP_I32_CLZ, WASM_OP_I32_POPCNT, WASM_I32, 0, WASM_I32},
	{WASM_OP_I32_ADD, WASM_OP_I32_ROTR, WASM_I32, WASM_I32, WASM_I32},
	{WASM_OP_I64_CLZ, WASM_OP_I64_POPCNT, WASM_I64, 0, WASM_I64},
	{WASM_OP_I64_ADD, WASM_OP_I64_ROTR, WASM_I64, WASM_I64, WASM_I64},
	{WASM_OP_F32_ABS, WASM_OP_F32_SQRT, WASM_F32, 0, WASM_F32},
	{WASM_OP_F32_ADD, WASM_OP_F32_COPYSIGN, WASM_F32, WASM_F32, WASM_F32},
	{WASM_OP_F64_ABS, WASM_OP_F64_SQRT, WASM_F64, 0, WASM_F64},
	{WASM_OP_F64_ADD, WASM_OP_F64_COPYSIGN, WASM_F64, WASM_F64, WASM_F64},
	{WASM_OP_I32_WRAP_I64, WASM_OP_I32_WRAP_I64, WASM_I64, 0, WASM_I32},
	{WASM_OP_I32_TRUNC_F32_S, WASM_OP_I32_TRUNC_F32_U, WASM_F32, 0, WASM_I32},
	{WASM_OP_I32_TRUNC_F64_S, WASM_OP_I32_TRUNC_F64_U, WASM_F64, 0, WASM_I32},
	{WASM_OP_I64_EXTEND_I32_S, WASM_OP_I64_EXTEND_I32_U, WASM_I32, 0, WASM_I64},
	{WASM_OP_I64_TRUNC_F32_S, WASM_OP_I64_TRUNC_F32_U, WASM_F32, 0, WASM_I64},
	{WASM_OP_I64_TRUNC_F64_S, WASM_OP_I64_TRUNC_F64_U, WASM_F64, 0, WASM_I64},
	{WASM_OP_F32_CONVERT_I32_S, WASM_OP_F32_CONVERT_I32_U, WASM_I32, 0, WASM_F32},
	{WASM_OP_F32_CONVERT_I64_S, WASM_OP_F32_CONVERT_I64_U, WASM_I64, 0, WASM_F32},
	{WASM_OP_F32_DEMOTE_F64, WASM_OP_F32_DEMOTE_F64, WASM_F64, 0, WASM_F32},
	{WASM_OP_F64_CONVERT_I32_S, WASM_OP_F64_CONVERT_I32_U, WASM_I32, 0, WASM_F64},
	{WASM_OP_F64_CONVERT_I64_S, WASM_OP_F64_CONVERT_I64_U, WASM_I64, 0, WASM_F64},
	{WASM_OP_F64_PROMOTE_F32, WASM_OP_F64_PROMOTE_F32, WASM_F32, 0, WASM_F64},
	{WASM_OP_I32_REINTERPRET_F32, WASM_OP_I32_REINTERPRET_F32, WASM_F32, 0, WASM_I32},
	{WASM_OP_I64_REINTERPRET_F64, WASM_OP_I64_REINTERPRET_F64, WASM_F64, 0, WASM_I64},
	{WASM_OP_F32_REINTERPRET_I32, WASM_OP_F32_REINTERPRET_I32, WASM_I32, 0, WASM_F32},
	{WASM_OP_F64_REINTERPRET_I64, WASM_OP_F64_REINTERPRET_I64, WASM_I64, 0, WASM_F64},
};

/* The loads and stores, from WASM_OP_I32_LOAD: type, natural alignment (log2). */
static const struct {
	uint8_t type;
	uint8_t align;
} memory_ops[WASM_OP_I64_STORE32 - WASM_OP_I32_LOAD + 1] = {
	{WASM_I32, 2}, {WASM_I64, 3}, {WASM_F32, 2}, {WASM_F64, 3},            /* loads */
	{WASM_I32, 0}, {WASM_I32, 0}, {WASM_I32, 1}, {WASM_I32, 1},            /* i32 narrow */
	{WASM_I64, 0}, {WASM_I64, 0}, {WASM_I64, 1}, {WASM_I64, 1},            /* i64 narrow */
	{WASM_I64, 2}, {WASM_I64, 2},
	{WASM_I32, 2}, {WASM_I64, 3}, {WASM_F32, 2}, {WASM_F64, 3},            /* stores */
	{WASM_I32, 0}, {WASM_I32, 1}, {WASM_I64, 0}, {WASM_I64, 1}, {WASM_I64, 2},
};

enum ctrl_kind {
	CTRL_FUNC,
	CTRL_BLOCK,
	CTRL_LOOP,
	CTRL_IF,   /* until its else */
	CTRL_ELSE,
};

/* A control frame: a block, loop, if or the body itself. */
struct ctrl {
	uint32_t start;      /* loop: offset of its first instruction */
	uint16_t height;     /* operand stack height at its start */
	uint16_t start_side; /* loop: side index at its start */
	uint16_t pending;    /* branches to its end, linked through their target */
	uint16_t if_entry;   /* if: the entry for condition 0, until the else */
	uint8_t kind;        /* enum ctrl_kind */
	uint8_t result;      /* 0 or a value type */
	uint8_t unreachable;
	uint8_t pad;
};
_Static_assert(sizeof(struct ctrl) == 16, "control frame size");

/* Locals of one type from one declaration. */
struct local_run {
	uint32_t end; /* index past its last local, params counted */
	uint8_t type;
};

struct validator {
	struct wasm_loader *l;
	const struct wasm_functype *type;
	const uint8_t *params;
	const uint8_t *at; /* the instruction being checked, for errors */
	const uint8_t *next; /* the one after it */
	struct ctrl *ctrl;
	uint32_t nctrl, ctrl_cap;
	uint8_t *vals;
	uint32_t nvals, vals_cap, max_vals;
	const struct local_run *runs;
	uint32_t nruns, nlocals;
	struct wasm_branch *side;
	uint32_t nside, side_cap;
};

static bool invalid(struct validator *v, enum wasm_err code, const char *reason)
{
	wasm_invalid(v->l, code, v->at, reason);
	return false;
}

static bool push(struct validator *v, uint8_t type)
{
	if (v->nvals >= WASM_MAX_STACK) {
		return wasm_fail(v->l, WASM_ERR_LIMIT, v->at, "operand stack deeper than WASM_MAX_STACK");
	}
	if (v->nvals >= v->vals_cap) {
		return wasm_fail(v->l, WASM_ERR_NO_MEMORY, v->at, "no memory for the operand stack");
	}
	v->vals[v->nvals++] = type;
	if (v->nvals > v->max_vals) {
		v->max_vals = v->nvals;
	}
	return true;
}

/* Pops an operand of type want (UNKNOWN: any); stores its type in *got. */
static bool pop(struct validator *v, uint8_t want, uint8_t *got)
{
	const struct ctrl *f = &v->ctrl[v->nctrl - 1];
	uint8_t type = UNKNOWN;
	if (v->nvals > f->height) {
		type = v->vals[--v->nvals];
	} else if (!f->unreachable) {
		return invalid(v, WASM_ERR_TYPE_MISMATCH, "operand missing");
	}
	if (want != UNKNOWN && type != UNKNOWN && type != want) {
		return invalid(v, WASM_ERR_TYPE_MISMATCH, "operand of the wrong type");
	}
	if (got != NULL) {
		*got = type;
	}
	return true;
}

static void set_unreachable(struct validator *v)
{
	struct ctrl *f = &v->ctrl[v->nctrl - 1];
	v->nvals = f->height;
	f->unreachable = 1;
}

/* Values a branch to f carries: a loop's label takes none in the MVP. */
static uint8_t label_type(const struct ctrl *f)
{
	return f->kind == CTRL_LOOP ? 0 : f->result;
}

static bool push_ctrl(struct validator *v, enum ctrl_kind kind, uint8_t result)
{
	if (v->nctrl >= v->ctrl_cap) {
		/* The scan sized the stack: only a bug gets here. */
		return wasm_fail(v->l, WASM_ERR_LIMIT, v->at, "control stack overflow");
	}
	struct ctrl *f = &v->ctrl[v->nctrl++];
	f->start = wasm_offset(v->l, v->next);
	f->height = (uint16_t)v->nvals;
	f->start_side = (uint16_t)v->nside;
	f->pending = NO_ENTRY;
	f->if_entry = NO_ENTRY;
	f->kind = (uint8_t)kind;
	f->result = result;
	f->unreachable = 0;
	f->pad = 0;
	return true;
}

/* The next side-table entry, zeroed, or NULL. */
static struct wasm_branch *new_entry(struct validator *v)
{
	if (v->nside >= v->side_cap) {
		/* The scan counted the entries: only a bug gets here. */
		wasm_fail(v->l, WASM_ERR_LIMIT, v->at, "side table overflow");
		return NULL;
	}
	struct wasm_branch *e = &v->side[v->nside++];
	e->target = 0;
	e->side = 0;
	e->stack = 0;
	return e;
}

/* The stack word of an entry leaving height h for the label of f. */
static uint16_t branch_stack(const struct ctrl *f, uint32_t h)
{
	unsigned keep = label_type(f) != 0 ? 1u : 0u;
	/* Below a polymorphic stack h may be short; such code never runs. */
	uint32_t drop = h >= f->height + keep ? h - f->height - keep : 0;
	return (uint16_t)((keep != 0 ? WASM_BRANCH_KEEP : 0u) | drop);
}

/* Adds the entry of a branch to the label of f, taken at stack height h. */
static bool emit_branch(struct validator *v, struct ctrl *f, uint32_t h)
{
	struct wasm_branch *e = new_entry(v);
	if (e == NULL) {
		return false;
	}
	e->stack = branch_stack(f, h);
	if (f->kind == CTRL_LOOP) {
		e->target = f->start;
		e->side = f->start_side;
	} else {
		/* Forward: resolved at f's end. */
		e->target = f->pending;
		f->pending = (uint16_t)(v->nside - 1);
	}
	return true;
}

/* Points the branches waiting for f's end at target. */
static void resolve(struct validator *v, struct ctrl *f, uint32_t target)
{
	for (uint32_t k = f->pending; k != NO_ENTRY;) {
		struct wasm_branch *e = &v->side[k];
		k = e->target;
		e->target = target;
		e->side = (uint16_t)v->nside;
	}
	f->pending = NO_ENTRY;
}

/* At else or end: the arm must leave exactly f's result. */
static bool end_arm(struct validator *v, const struct ctrl *f)
{
	if (f->result != 0 && !pop(v, f->result, NULL)) {
		return false;
	}
	if (v->nvals != f->height) {
		return invalid(v, WASM_ERR_TYPE_MISMATCH, "values left at the end of a block");
	}
	return true;
}

static struct ctrl *label(struct validator *v, uint32_t depth)
{
	if (depth >= v->nctrl) {
		invalid(v, WASM_ERR_UNKNOWN_LABEL, "unknown label");
		return NULL;
	}
	return &v->ctrl[v->nctrl - 1 - depth];
}

static bool pop_params(struct validator *v, const struct wasm_functype *t)
{
	const uint8_t *params = v->l->bytes + t->params;
	for (uint32_t i = t->nparams; i > 0; i--) {
		if (!pop(v, params[i - 1], NULL)) {
			return false;
		}
	}
	return true;
}

static bool call(struct validator *v, const struct wasm_functype *t)
{
	if (!pop_params(v, t)) {
		return false;
	}
	return t->nresults == 0 || push(v, t->result);
}

/* The type of local idx, or 0 if there is none. */
static uint8_t local_type(const struct validator *v, uint32_t idx)
{
	if (idx >= v->nlocals) {
		return 0;
	}
	if (idx < v->type->nparams) {
		return v->params[idx];
	}
	uint32_t lo = 0, hi = v->nruns; /* the first run ending after idx */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (v->runs[mid].end <= idx) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return v->runs[lo].type;
}

static bool check_else(struct validator *v)
{
	struct ctrl *f = &v->ctrl[v->nctrl - 1];
	uint32_t h = v->nvals;
	if (f->kind != CTRL_IF) {
		return wasm_fail(v->l, WASM_ERR_OPCODE, v->at, "else without if");
	}
	if (!end_arm(v, f)) {
		return false;
	}
	/* The then-arm goes on past the end. */
	struct wasm_branch *e = new_entry(v);
	if (e == NULL) {
		return false;
	}
	e->stack = branch_stack(f, h);
	e->target = f->pending;
	f->pending = (uint16_t)(v->nside - 1);
	/* Condition 0 comes here, past this else and its entry. */
	v->side[f->if_entry].target = wasm_offset(v->l, v->next);
	v->side[f->if_entry].side = (uint16_t)v->nside;
	f->if_entry = NO_ENTRY;
	f->kind = CTRL_ELSE;
	f->unreachable = 0;
	v->nvals = f->height;
	return true;
}

static bool check_end(struct validator *v)
{
	struct ctrl *f = &v->ctrl[v->nctrl - 1];
	if (!end_arm(v, f)) {
		return false;
	}
	if (f->kind == CTRL_IF && f->result != 0) {
		return invalid(v, WASM_ERR_TYPE_MISMATCH, "if without else has a result");
	}
	uint32_t past = wasm_offset(v->l, v->next);
	if (f->kind == CTRL_IF) {
		v->side[f->if_entry].target = past;
		v->side[f->if_entry].side = (uint16_t)v->nside;
	}
	/* A branch to the body's label lands on its end, which returns. */
	resolve(v, f, f->kind == CTRL_FUNC ? wasm_offset(v->l, v->at) : past);
	uint8_t result = f->result;
	v->nctrl--;
	return v->nctrl == 0 || result == 0 || push(v, result);
}

/*
 * A br_table's entries: a header (target: where its default label is;
 * side: the entries after it), then one entry per label depth from 0 to
 * the deepest it names, whether named or not: a table of any length costs
 * the block nesting it spans, not its length.
 */
static bool check_br_table(struct validator *v, const struct wasm_instr *in)
{
	struct ctrl *dflt = label(v, in->b);
	if (dflt == NULL || !pop(v, WASM_I32, NULL)) {
		return false;
	}
	uint32_t h = v->nvals, deepest = in->b;
	/* Decoded once already: read the labels again. */
	struct wasm_cursor c = wasm_cursor_init(in->labels, (size_t)(v->next - in->labels));
	for (uint32_t i = 0; i < in->a; i++) {
		uint32_t depth = wasm_u32(&c);
		struct ctrl *f = label(v, depth);
		if (f == NULL) {
			return false;
		}
		if (label_type(f) != label_type(dflt)) {
			return invalid(v, WASM_ERR_TYPE_MISMATCH, "br_table labels of different types");
		}
		deepest = depth > deepest ? depth : deepest;
	}
	struct wasm_branch *header = new_entry(v);
	if (header == NULL) {
		return false;
	}
	header->target = wasm_offset(v->l, c.p);
	header->side = (uint16_t)(deepest + 1);
	for (uint32_t depth = 0; depth <= deepest; depth++) {
		if (!emit_branch(v, label(v, depth), h)) {
			return false;
		}
	}
	if (label_type(dflt) != 0 && !pop(v, label_type(dflt), NULL)) {
		return false;
	}
	set_unreachable(v);
	return true;
}

static bool check_memory_op(struct validator *v, const struct wasm_instr *in)
{
	if (!v->l->m->memory.present) {
		return invalid(v, WASM_ERR_UNKNOWN_MEMORY, "unknown memory");
	}
	if (in->op == WASM_OP_MEMORY_SIZE) {
		return push(v, WASM_I32);
	}
	if (in->op == WASM_OP_MEMORY_GROW) {
		return pop(v, WASM_I32, NULL) && push(v, WASM_I32);
	}
	uint8_t type = memory_ops[in->op - WASM_OP_I32_LOAD].type;
	if (in->a > memory_ops[in->op - WASM_OP_I32_LOAD].align) {
		return invalid(v, WASM_ERR_ALIGNMENT, "alignment must not be larger than natural");
	}
	if (in->op >= WASM_OP_I32_STORE) {
		return pop(v, type, NULL) && pop(v, WASM_I32, NULL);
	}
	return pop(v, WASM_I32, NULL) && push(v, type);
}

static bool check_numeric(struct validator *v, uint8_t op)
{
	for (size_t i = 0; i < sizeof numeric_sigs / sizeof numeric_sigs[0]; i++) {
		const struct numeric_sig *s = &numeric_sigs[i];
		if (op >= s->first && op <= s->last) {
			if (s->in2 != 0 && !pop(v, s->in2, NULL)) {
				return false;
			}
			return pop(v, s->in1, NULL) && push(v, s->out);
		}
	}
	return wasm_fail(v->l, WASM_ERR_OPCODE, v->at, "illegal opcode");
}

static bool check_variable(struct validator *v, const struct wasm_instr *in)
{
	const struct wasm_module *m = v->l->m;
	if (in->op <= WASM_OP_LOCAL_TEE) {
		uint8_t type = local_type(v, in->a);
		if (type == 0) {
			return invalid(v, WASM_ERR_UNKNOWN_LOCAL, "unknown local");
		}
		if (in->op == WASM_OP_LOCAL_GET) {
			return push(v, type);
		}
		return pop(v, type, NULL) && (in->op == WASM_OP_LOCAL_SET || push(v, type));
	}
	if (in->a >= m->nglobals) {
		return invalid(v, WASM_ERR_UNKNOWN_GLOBAL, "unknown global");
	}
	const struct wasm_global *g = &v->l->globals[in->a];
	if (in->op == WASM_OP_GLOBAL_GET) {
		return push(v, g->type);
	}
	if (!g->is_mutable) {
		return invalid(v, WASM_ERR_IMMUTABLE_GLOBAL, "global is immutable");
	}
	return pop(v, g->type, NULL);
}

/* Pass 2 for one instruction. */
static bool check_instr(struct validator *v, const struct wasm_instr *in)
{
	struct wasm_loader *l = v->l;
	switch (in->op) {
	case WASM_OP_UNREACHABLE:
		set_unreachable(v);
		return true;
	case WASM_OP_NOP:
		return true;
	case WASM_OP_BLOCK:
		return push_ctrl(v, CTRL_BLOCK, in->blocktype);
	case WASM_OP_LOOP:
		return push_ctrl(v, CTRL_LOOP, in->blocktype);
	case WASM_OP_IF: {
		if (!pop(v, WASM_I32, NULL) || new_entry(v) == NULL) {
			return false;
		}
		if (!push_ctrl(v, CTRL_IF, in->blocktype)) {
			return false;
		}
		v->ctrl[v->nctrl - 1].if_entry = (uint16_t)(v->nside - 1);
		return true;
	}
	case WASM_OP_ELSE:
		return check_else(v);
	case WASM_OP_END:
		return check_end(v);
	case WASM_OP_BR: {
		struct ctrl *f = label(v, in->a);
		if (f == NULL || !emit_branch(v, f, v->nvals)) {
			return false;
		}
		if (label_type(f) != 0 && !pop(v, label_type(f), NULL)) {
			return false;
		}
		set_unreachable(v);
		return true;
	}
	case WASM_OP_BR_IF: {
		struct ctrl *f = label(v, in->a);
		if (f == NULL || !pop(v, WASM_I32, NULL) || !emit_branch(v, f, v->nvals)) {
			return false;
		}
		uint8_t t = label_type(f);
		return t == 0 || (pop(v, t, NULL) && push(v, t));
	}
	case WASM_OP_BR_TABLE:
		return check_br_table(v, in);
	case WASM_OP_RETURN:
		if (v->type->nresults != 0 && !pop(v, v->type->result, NULL)) {
			return false;
		}
		set_unreachable(v);
		return true;
	case WASM_OP_CALL:
		if (in->a >= l->m->nfuncs) {
			return invalid(v, WASM_ERR_UNKNOWN_FUNC, "unknown function");
		}
		return call(v, &l->types[l->funcs[in->a].type]);
	case WASM_OP_CALL_INDIRECT:
		if (!l->m->table.present) {
			return invalid(v, WASM_ERR_UNKNOWN_TABLE, "unknown table");
		}
		if (in->a >= l->m->ntypes) {
			return invalid(v, WASM_ERR_UNKNOWN_TYPE, "unknown type");
		}
		return pop(v, WASM_I32, NULL) && call(v, &l->types[in->a]);
	case WASM_OP_DROP:
		return pop(v, UNKNOWN, NULL);
	case WASM_OP_SELECT: {
		uint8_t t1, t2;
		if (!pop(v, WASM_I32, NULL) || !pop(v, UNKNOWN, &t1) || !pop(v, UNKNOWN, &t2)) {
			return false;
		}
		if (t1 != UNKNOWN && t2 != UNKNOWN && t1 != t2) {
			return invalid(v, WASM_ERR_TYPE_MISMATCH, "select operands of different types");
		}
		return push(v, t1 != UNKNOWN ? t1 : t2);
	}
	case WASM_OP_LOCAL_GET:
	case WASM_OP_LOCAL_SET:
	case WASM_OP_LOCAL_TEE:
	case WASM_OP_GLOBAL_GET:
	case WASM_OP_GLOBAL_SET:
		return check_variable(v, in);
	case WASM_OP_I32_CONST:
		return push(v, WASM_I32);
	case WASM_OP_I64_CONST:
		return push(v, WASM_I64);
	case WASM_OP_F32_CONST:
		return push(v, WASM_F32);
	case WASM_OP_F64_CONST:
		return push(v, WASM_F64);
	default:
		if (in->op >= WASM_OP_I32_LOAD && in->op <= WASM_OP_MEMORY_GROW) {
			return check_memory_op(v, in);
		}
		return check_numeric(v, in->op);
	}
}

/* Pass 2 over a body that pass 1 decoded: stops at the first error. */
static bool check_body(struct validator *v, struct wasm_cursor *c)
{
	v->at = c->p;
	v->next = c->p;
	if (!push_ctrl(v, CTRL_FUNC, v->type->nresults != 0 ? v->type->result : 0)) {
		return false;
	}
	while (v->nctrl > 0) {
		struct wasm_instr in;
		if (!wasm_decode_instr(c, &in)) {
			return wasm_fail_cursor(v->l, c);
		}
		v->at = in.at;
		v->next = c->p;
		if (!check_instr(v, &in)) {
			return false;
		}
	}
	if (v->nside != v->side_cap) {
		return wasm_fail(v->l, WASM_ERR_LIMIT, v->at, "side table miscounted");
	}
	return true;
}

/* A function body, as pass 1 found it. */
struct body {
	const uint8_t *locals; /* its local declarations */
	const uint8_t *code;   /* its first instruction */
	const uint8_t *end;    /* past its final end */
	uint32_t ndecls;       /* local declarations */
	uint32_t nlocals;      /* locals they declare */
	struct wasm_scan scan;
};

/* Pass 1 of the local declarations: at most 2^32 - 1 locals, counted
 * without allocating anything. */
static bool scan_locals(struct wasm_loader *l, struct wasm_cursor *c, struct body *b)
{
	b->locals = c->p;
	b->ndecls = wasm_u32(c);
	if (wasm_cursor_ok(c) && b->ndecls > wasm_cursor_left(c) / 2) {
		return wasm_fail(l, WASM_ERR_UNEXPECTED_END, c->p, "more local declarations than bytes");
	}
	uint64_t nlocals = 0;
	for (uint32_t i = 0; i < b->ndecls && wasm_cursor_ok(c); i++) {
		nlocals += wasm_u32(c);
		const uint8_t *at = c->p;
		if (!wasm_is_valtype(wasm_u8(c))) {
			wasm_cursor_fail(c, at, WASM_ERR_VALTYPE, "invalid value type");
		}
	}
	if (!wasm_cursor_ok(c)) {
		return wasm_fail_cursor(l, c);
	}
	if (nlocals > UINT32_MAX) {
		return wasm_fail(l, WASM_ERR_TOO_MANY_LOCALS, b->locals, "too many locals");
	}
	if (nlocals > WASM_MAX_LOCALS) {
		return wasm_fail(l, WASM_ERR_LIMIT, b->locals, "more locals than WASM_MAX_LOCALS");
	}
	b->nlocals = (uint32_t)nlocals;
	return true;
}

/* The runs of local types, in scratch, for local_type. */
static bool local_runs(struct validator *v, const struct body *b)
{
	struct local_run *runs = wasm_arena_scratch(v->l, b->ndecls, sizeof *runs, "no memory for local types");
	if (b->ndecls > 0 && runs == NULL) {
		return false;
	}
	struct wasm_cursor d = wasm_cursor_init(b->locals, (size_t)(b->code - b->locals));
	(void)wasm_u32(&d);
	uint32_t end = v->type->nparams;
	for (uint32_t i = 0; i < b->ndecls; i++) {
		uint32_t n = wasm_u32(&d);
		uint8_t t = wasm_u8(&d);
		if (n > 0) {
			end += n;
			runs[v->nruns].end = end;
			runs[v->nruns].type = t;
			v->nruns++;
		}
	}
	v->runs = runs;
	return true;
}

/* Pass 2 of function f: its side table kept, its stacks in scratch. */
static bool validate_function(struct wasm_loader *l, struct wasm_func *f, const struct body *b)
{
	const struct wasm_functype *type = &l->types[f->type];
	if (type->nparams + b->nlocals > WASM_MAX_LOCALS) {
		return wasm_fail(l, WASM_ERR_LIMIT, b->locals, "params and locals more than WASM_MAX_LOCALS");
	}
	struct validator v;
	memset(&v, 0, sizeof v);
	v.l = l;
	v.type = type;
	v.params = l->bytes + type->params;
	v.nlocals = type->nparams + b->nlocals;
	v.side = wasm_arena_keep(l, b->scan.branches, sizeof *v.side, "no memory for the side table");
	v.side_cap = b->scan.branches;
	if (b->scan.branches > 0 && v.side == NULL) {
		return false;
	}
	/* Every body's entries follow the last one's: nothing else is kept meanwhile. */
	if (l->side == NULL) {
		l->side = v.side;
	}
	if (v.side != NULL && v.side != l->side + l->m->nside) {
		return wasm_fail(l, WASM_ERR_LIMIT, b->locals, "side table not contiguous");
	}
	size_t mark = l->hi;
	v.ctrl = wasm_arena_scratch(l, b->scan.depth, sizeof *v.ctrl, "no memory for the control stack");
	v.ctrl_cap = b->scan.depth;
	if (v.ctrl == NULL || !local_runs(&v, b)) {
		return false;
	}
	/* The operand stack takes the free space that is left. */
	v.vals = l->arena + l->lo;
	v.vals_cap = (uint32_t)(l->hi - l->lo < WASM_MAX_STACK ? l->hi - l->lo : WASM_MAX_STACK);
	struct wasm_cursor c = wasm_cursor_init(b->code, (size_t)(b->end - b->code));
	bool ok = check_body(&v, &c);
	wasm_arena_note(l, v.max_vals);
	l->hi = mark;
	l->m->nside += b->scan.branches;
	f->max_stack = (uint16_t)v.max_vals;
	return ok || l->fatal.code == WASM_OK;
}

bool wasm_code_body(struct wasm_loader *l, uint32_t funcidx, struct wasm_cursor *c)
{
	struct body b;
	if (!scan_locals(l, c, &b)) {
		return false;
	}
	b.code = c->p;
	if (!wasm_scan_expr(l, c, &b.scan)) {
		return false;
	}
	b.end = c->p;
	if (c->p != c->end) {
		return wasm_fail(l, WASM_ERR_SECTION_SIZE, c->p, "section size mismatch: code after the body's end");
	}
	struct wasm_func *f = &l->funcs[funcidx];
	f->locals = wasm_offset(l, b.locals);
	f->code = wasm_offset(l, b.code);
	f->end = wasm_offset(l, b.end - 1);
	f->side = l->m->nside;
	f->nlocals = (uint16_t)b.nlocals;
	return !l->valid || validate_function(l, f, &b);
}

bool wasm_const_expr(struct wasm_loader *l, struct wasm_cursor *c, uint8_t type, uint8_t *init,
		     uint64_t *value)
{
	const uint8_t *start = c->p;
	struct wasm_scan s;
	*init = WASM_INIT_CONST;
	*value = 0;
	if (!wasm_scan_expr(l, c, &s)) {
		return false;
	}
	if (!l->valid) {
		return true;
	}
	/* Pass 2: constant instructions only, leaving one value of type. */
	struct wasm_cursor e = wasm_cursor_init(start, (size_t)(c->p - start));
	uint32_t count = 0;
	uint8_t got = 0;
	for (;;) {
		struct wasm_instr in;
		if (!wasm_decode_instr(&e, &in)) {
			return wasm_fail_cursor(l, &e);
		}
		if (in.op == WASM_OP_END) {
			break; /* the final one: a block would not be constant */
		}
		count++;
		switch (in.op) {
		case WASM_OP_I32_CONST:
		case WASM_OP_I64_CONST:
		case WASM_OP_F32_CONST:
		case WASM_OP_F64_CONST:
			got = in.op == WASM_OP_I32_CONST ? WASM_I32
			    : in.op == WASM_OP_I64_CONST ? WASM_I64
			    : in.op == WASM_OP_F32_CONST ? WASM_F32
							 : WASM_F64;
			*init = WASM_INIT_CONST;
			*value = in.bits;
			break;
		case WASM_OP_GLOBAL_GET:
			/* Only imported globals exist for constant expressions. */
			if (in.a >= l->m->nglobal_imports) {
				wasm_invalid(l, WASM_ERR_UNKNOWN_GLOBAL, in.at, "unknown global");
				return true;
			}
			if (l->globals[in.a].is_mutable) {
				wasm_invalid(l, WASM_ERR_CONST_EXPR, in.at, "constant expression required: global is mutable");
				return true;
			}
			got = l->globals[in.a].type;
			*init = WASM_INIT_GLOBAL;
			*value = in.a;
			break;
		default:
			wasm_invalid(l, WASM_ERR_CONST_EXPR, in.at, "constant expression required");
			return true;
		}
	}
	if (count != 1 || got != type) {
		wasm_invalid(l, WASM_ERR_TYPE_MISMATCH, start, "constant expression of the wrong type");
	}
	return true;
}
