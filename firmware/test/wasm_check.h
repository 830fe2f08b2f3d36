/* What the interpreter relies on in a module wasm_load accepted: every
 * offset inside the module, every index inside its table, every side-table
 * entry landing inside its own function with a stack it can have. Shared
 * by wasm_load_test.c and fuzz_wasm_load.c. Returns NULL, or what is
 * wrong. */
#ifndef WASM_CHECK_H
#define WASM_CHECK_H

#include <stdlib.h>
#include <string.h>

#include "module.h"

static inline uint32_t wasm_check_leb(const uint8_t **p)
{
	return wasm_decode_u32(p);
}

/*
 * The side table of defined function fi against a naive walk of its code:
 * every branch, if and else must have an entry, in code order, pointing
 * where the spec says execution goes on, with the block's arity kept.
 */
static inline const char *wasm_check_branches(const struct wasm_module *m, uint32_t fi, uint32_t nentries)
{
	struct block {
		uint32_t start, start_side, end, end_side, else_pos, else_side;
		uint8_t op, result, has_else;
	};
	struct use {
		uint32_t block; /* a br_table header: the offset of its default label */
		uint8_t kind;   /* 0 a branch, 1 an if's condition 0, 2 an else, 3 a br_table header */
		uint32_t count; /* header: entries after it */
	};
	const struct wasm_func *f = &m->funcs[fi];
	const uint8_t *b = m->bytes;
	size_t size = (size_t)f->end + 1 - f->code;
	struct block *blocks = calloc(size + 1, sizeof *blocks);
	uint32_t *open = calloc(size + 1, sizeof *open);
	struct use *uses = calloc((size_t)nentries + 1, sizeof *uses);
	const char *why = NULL;
	uint32_t nblocks = 1, depth = 1, k = 0;
	blocks[0].op = 0;
	blocks[0].result = m->types[f->type].nresults != 0 ? m->types[f->type].result : 0;
	open[0] = 0;
	const uint8_t *p = b + f->code;
	while (depth > 0 && why == NULL) {
		uint32_t pos = (uint32_t)(p - b);
		uint8_t op = *p++;
		uint32_t n;
		switch (op) {
		case 0x02: case 0x03: case 0x04:
			blocks[nblocks].op = op;
			blocks[nblocks].result = *p == 0x40 ? 0 : *p;
			p++;
			blocks[nblocks].start = (uint32_t)(p - b);
			blocks[nblocks].start_side = k;
			if (op == 0x04 && k < nentries) {
				uses[k++] = (struct use){nblocks, 1, 0};
			}
			open[depth++] = nblocks++;
			break;
		case 0x05:
			if (k < nentries) {
				uses[k++] = (struct use){open[depth - 1], 2, 0};
			}
			blocks[open[depth - 1]].has_else = 1;
			blocks[open[depth - 1]].else_pos = (uint32_t)(p - b);
			blocks[open[depth - 1]].else_side = k;
			break;
		case 0x0b:
			depth--;
			/* The body's label: its end itself, which returns. */
			blocks[open[depth]].end = depth == 0 ? pos : (uint32_t)(p - b);
			blocks[open[depth]].end_side = k;
			break;
		case 0x0c: case 0x0d:
			n = wasm_check_leb(&p);
			if (k < nentries) {
				uses[k++] = (struct use){open[depth - 1 - n], 0, 0};
			}
			break;
		case 0x0e: {
			/* A header, then one entry per depth to the deepest label. */
			n = wasm_check_leb(&p);
			const uint8_t *dflt = p;
			uint32_t deepest = 0;
			for (uint32_t i = 0; i <= n; i++) {
				dflt = p;
				uint32_t label = wasm_check_leb(&p);
				deepest = label > deepest ? label : deepest;
			}
			if (k < nentries) {
				uses[k++] = (struct use){(uint32_t)(dflt - b), 3, deepest + 1};
			}
			for (uint32_t d = 0; d <= deepest; d++) {
				if (k < nentries) {
					uses[k++] = (struct use){open[depth - 1 - d], 0, 0};
				}
			}
			break;
		}
		case 0x10: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24:
			(void)wasm_check_leb(&p);
			break;
		case 0x11:
			(void)wasm_check_leb(&p);
			p++;
			break;
		case 0x3f: case 0x40:
			p++;
			break;
		case 0x41: case 0x42:
			while (*p++ & 0x80) {
			}
			break;
		case 0x43:
			p += 4;
			break;
		case 0x44:
			p += 8;
			break;
		default:
			if (op >= 0x28 && op <= 0x3e) {
				(void)wasm_check_leb(&p);
				(void)wasm_check_leb(&p);
			}
			break;
		}
		if (p > b + f->end + 1) {
			why = "walk past the body";
		}
	}
	if (why == NULL && (k != nentries || p != b + f->end + 1)) {
		why = "side-table entries miscounted";
	}
	for (uint32_t i = 0; i < nentries && why == NULL; i++) {
		const struct wasm_branch *e = &m->side[f->side + i];
		if (uses[i].kind == 3) {
			if (e->target != uses[i].block || e->stack != 0 || e->side != uses[i].count) {
				why = "br_table header differs from the code";
			}
			continue;
		}
		const struct block *blk = &blocks[uses[i].block];
		uint32_t target = blk->end, side = blk->end_side;
		unsigned keep = blk->result != 0;
		if (uses[i].kind == 0 && blk->op == 0x03) {
			target = blk->start;
			side = blk->start_side;
			keep = 0;
		} else if (uses[i].kind == 1) {
			keep = 0;
			if (blk->has_else) {
				target = blk->else_pos;
				side = blk->else_side;
			}
		}
		if (e->target != target || e->side != side || wasm_branch_keep(e) != keep ||
		    (uses[i].kind == 1 && e->stack != 0)) {
			why = "side-table entry differs from the code";
		}
	}
	free(blocks);
	free(open);
	free(uses);
	return why;
}

static inline const char *wasm_check_module(const struct wasm_module *m, size_t arena_size)
{
	const uint8_t *b = m->bytes;
	if (m->arena_used > m->arena_peak || m->arena_peak > arena_size) {
		return "arena use beyond its peak or capacity";
	}
	for (uint32_t i = 0; i < m->ntypes; i++) {
		const struct wasm_functype *t = &m->types[i];
		if ((uint64_t)t->params + t->nparams > m->size || t->nresults > 1 || t->canon > i) {
			return "type out of range";
		}
		const struct wasm_functype *c = &m->types[t->canon];
		if (c->nparams != t->nparams || c->nresults != t->nresults || c->result != t->result ||
		    memcmp(b + c->params, b + t->params, t->nparams) != 0) {
			return "canonical type differs";
		}
	}
	uint32_t nfunc_imports = 0, nglobal_imports = 0;
	for (uint32_t i = 0; i < m->nimports; i++) {
		const struct wasm_import *imp = &m->imports[i];
		if ((uint64_t)imp->module + imp->module_len > m->size || (uint64_t)imp->name + imp->name_len > m->size) {
			return "import name out of range";
		}
		nfunc_imports += imp->kind == WASM_EXTERN_FUNC;
		nglobal_imports += imp->kind == WASM_EXTERN_GLOBAL;
	}
	if (nfunc_imports != m->nfunc_imports || nglobal_imports != m->nglobal_imports) {
		return "import counts";
	}
	for (uint32_t i = 0; i < m->nfuncs; i++) {
		const struct wasm_func *f = &m->funcs[i];
		if (f->type >= m->ntypes) {
			return "function type out of range";
		}
		if (i < m->nfunc_imports) {
			if (f->import >= m->nimports || m->imports[f->import].kind != WASM_EXTERN_FUNC ||
			    m->imports[f->import].type != f->type) {
				return "imported function";
			}
			continue;
		}
		uint32_t side_end = i + 1 < m->nfuncs ? m->funcs[i + 1].side : m->nside;
		if (f->import != WASM_NONE || f->locals >= f->code || f->code > f->end || f->end >= m->size ||
		    b[f->end] != 0x0b || f->side > side_end || side_end > m->nside) {
			return "function body out of range";
		}
		for (uint32_t k = f->side; k < side_end; k++) {
			const struct wasm_branch *e = &m->side[k];
			if (e->target < f->code || e->target > f->end || e->side > side_end - f->side ||
			    wasm_branch_drop(e) > f->max_stack) {
				return "side-table entry out of its function";
			}
		}
		const char *why = wasm_check_branches(m, i, side_end - f->side);
		if (why != NULL) {
			return why;
		}
	}
	for (uint32_t i = 0; i < m->nglobals; i++) {
		const struct wasm_global *g = &m->globals[i];
		bool imported = i < m->nglobal_imports;
		if ((g->init == WASM_INIT_IMPORT) != imported || (imported && g->import >= m->nimports) ||
		    (g->init == WASM_INIT_GLOBAL && g->value >= m->nglobal_imports)) {
			return "global";
		}
	}
	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct wasm_export *e = &m->exports[i];
		if ((uint64_t)e->name + e->name_len > m->size) {
			return "export name out of range";
		}
		if (i > 0) {
			const struct wasm_export *p = &m->exports[i - 1];
			size_t n = p->name_len < e->name_len ? p->name_len : e->name_len;
			int d = n > 0 ? memcmp(b + p->name, b + e->name, n) : 0;
			if (d > 0 || (d == 0 && p->name_len >= e->name_len)) {
				return "exports not sorted or not unique";
			}
		}
		if (wasm_find_export(m, (enum wasm_extern)e->kind, (const char *)b + e->name, e->name_len) != e) {
			return "export not found";
		}
	}
	for (uint32_t i = 0; i < m->ndatas; i++) {
		if ((uint64_t)m->datas[i].init + m->datas[i].len > m->size || !m->memory.present) {
			return "data segment";
		}
	}
	for (uint32_t i = 0; i < m->nelems; i++) {
		const uint8_t *p = b + m->elems[i].init;
		if (m->elems[i].init > m->size || !m->table.present) {
			return "element segment";
		}
		for (uint32_t k = 0; k < m->elems[i].len; k++) {
			if (p >= b + m->size || wasm_decode_u32(&p) >= m->nfuncs) {
				return "element function index";
			}
		}
	}
	if (m->start != WASM_NONE && m->start >= m->nfuncs) {
		return "start function";
	}
	return NULL;
}

#endif
