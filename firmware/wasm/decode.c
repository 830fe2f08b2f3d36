/*
 * Instructions: decodes one with its immediates, and decodes a whole
 * expression through its final end (pass 1 of every body and constant
 * expression): the binary format's rules, the nesting of blocks, ifs,
 * elses and ends, and what pass 2 will need. No types here: those are
 * validate.c's.
 */

#include "loader.h"
#include "opcode.h"

/* Reads a reserved byte that must be a single 0x00. */
static void zero_flag(struct wasm_cursor *c)
{
	const uint8_t *at = c->p;
	if (wasm_u8(c) != 0) {
		wasm_cursor_fail(c, at, WASM_ERR_ZERO_FLAG, "zero flag expected");
	}
}

bool wasm_decode_instr(struct wasm_cursor *c, struct wasm_instr *in)
{
	in->at = c->p;
	in->labels = NULL;
	in->bits = 0;
	in->a = 0;
	in->b = 0;
	in->blocktype = 0;
	in->op = wasm_u8(c);
	switch (in->op) {
	case WASM_OP_UNREACHABLE:
	case WASM_OP_NOP:
	case WASM_OP_ELSE:
	case WASM_OP_END:
	case WASM_OP_RETURN:
	case WASM_OP_DROP:
	case WASM_OP_SELECT:
		break;
	case WASM_OP_BLOCK:
	case WASM_OP_LOOP:
	case WASM_OP_IF: {
		const uint8_t *at = c->p;
		uint8_t bt = wasm_u8(c);
		if (bt != 0x40 && !wasm_is_valtype(bt)) {
			wasm_cursor_fail(c, at, WASM_ERR_VALTYPE, "invalid block type");
		}
		in->blocktype = bt == 0x40 ? 0 : bt;
		break;
	}
	case WASM_OP_BR:
	case WASM_OP_BR_IF:
	case WASM_OP_CALL:
	case WASM_OP_LOCAL_GET:
	case WASM_OP_LOCAL_SET:
	case WASM_OP_LOCAL_TEE:
	case WASM_OP_GLOBAL_GET:
	case WASM_OP_GLOBAL_SET:
		in->a = wasm_u32(c);
		break;
	case WASM_OP_BR_TABLE:
		in->a = wasm_u32(c);
		in->labels = c->p;
		/* Each label takes a byte at least, so this ends with the bytes. */
		for (uint32_t i = 0; i < in->a && wasm_cursor_ok(c); i++) {
			(void)wasm_u32(c);
		}
		in->b = wasm_u32(c);
		break;
	case WASM_OP_CALL_INDIRECT:
		in->a = wasm_u32(c);
		zero_flag(c);
		break;
	case WASM_OP_MEMORY_SIZE:
	case WASM_OP_MEMORY_GROW:
		zero_flag(c);
		break;
	case WASM_OP_I32_CONST:
		in->bits = (uint32_t)wasm_sleb(c, 32);
		break;
	case WASM_OP_I64_CONST:
		in->bits = (uint64_t)wasm_sleb(c, 64);
		break;
	case WASM_OP_F32_CONST:
		in->bits = wasm_fixed(c, 4);
		break;
	case WASM_OP_F64_CONST:
		in->bits = wasm_fixed(c, 8);
		break;
	default:
		if (in->op >= WASM_OP_I32_LOAD && in->op <= WASM_OP_I64_STORE32) {
			in->a = wasm_u32(c); /* alignment, log2 */
			in->b = wasm_u32(c); /* offset */
		} else if (in->op < WASM_OP_I32_EQZ || in->op > WASM_OP_F64_REINTERPRET_I64) {
			wasm_cursor_fail(c, in->at, WASM_ERR_OPCODE, "illegal opcode");
		}
		break;
	}
	return wasm_cursor_ok(c);
}

/* The deepest label of a decoded br_table, at most depth - 1 (a deeper
 * one is invalid: the validator says so, and emits nothing for it). */
static uint32_t br_table_depth(const struct wasm_instr *in, size_t depth)
{
	const uint8_t *p = in->labels;
	uint32_t deepest = in->b;
	for (uint32_t i = 0; i < in->a; i++) {
		uint32_t label = wasm_decode_u32(&p);
		deepest = label > deepest ? label : deepest;
	}
	return deepest < depth ? deepest : (uint32_t)depth - 1;
}

/* The open blocks are one byte each in the arena's free space: 1 for an
 * if that may still meet its else. */
bool wasm_scan_expr(struct wasm_loader *l, struct wasm_cursor *c, struct wasm_scan *s)
{
	uint8_t *open = l->arena + l->lo;
	size_t room = l->hi - l->lo;
	size_t depth = 0;
	uint64_t branches = 0;
	s->branches = 0;
	s->depth = 0;
	/* The expression itself is a block of its own. */
	if (room == 0) {
		return wasm_fail(l, WASM_ERR_NO_MEMORY, c->p, "no memory for block nesting");
	}
	open[depth++] = 0;
	s->depth = 1;
	wasm_arena_note(l, depth);
	while (depth > 0) {
		struct wasm_instr in;
		if (!wasm_decode_instr(c, &in)) {
			return wasm_fail_cursor(l, c);
		}
		switch (in.op) {
		case WASM_OP_BLOCK:
		case WASM_OP_LOOP:
		case WASM_OP_IF:
			if (depth >= WASM_MAX_DEPTH) {
				return wasm_fail(l, WASM_ERR_LIMIT, in.at, "blocks nested deeper than WASM_MAX_DEPTH");
			}
			if (depth == room) {
				return wasm_fail(l, WASM_ERR_NO_MEMORY, in.at, "no memory for block nesting");
			}
			open[depth++] = in.op == WASM_OP_IF;
			branches += in.op == WASM_OP_IF;
			if (depth > s->depth) {
				s->depth = (uint32_t)depth;
				wasm_arena_note(l, depth);
			}
			break;
		case WASM_OP_ELSE:
			if (open[depth - 1] != 1) {
				return wasm_fail(l, WASM_ERR_OPCODE, in.at, "else without if");
			}
			open[depth - 1] = 0;
			branches++;
			break;
		case WASM_OP_END:
			depth--;
			break;
		case WASM_OP_BR:
		case WASM_OP_BR_IF:
			branches++;
			break;
		case WASM_OP_BR_TABLE:
			branches += 2u + br_table_depth(&in, depth);
			break;
		default:
			break;
		}
		if (branches > WASM_MAX_BRANCHES) {
			return wasm_fail(l, WASM_ERR_LIMIT, in.at, "more branches than WASM_MAX_BRANCHES in one function");
		}
	}
	s->branches = (uint32_t)branches;
	return true;
}
