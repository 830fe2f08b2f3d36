/*
 * Instantiation (runtime.h): imports resolved and type-checked, globals,
 * table and memory set up, segments checked, then written.
 */
#include <string.h>

#include "runtime.h"

const char *wasm_link_err_text(enum wasm_link_err err)
{
	switch (err) {
	case WASM_LINK_OK:
		return "ok";
	case WASM_LINK_UNKNOWN_IMPORT:
		return "unknown import";
	case WASM_LINK_INCOMPATIBLE:
		return "incompatible import type";
	case WASM_LINK_ELEM_FIT:
		return "elements segment does not fit";
	case WASM_LINK_DATA_FIT:
		return "data segment does not fit";
	case WASM_LINK_MEMORY:
		return "memory does not fit the board";
	case WASM_LINK_NO_MEMORY:
		return "no memory for the instance";
	case WASM_LINK_STORE_FULL:
		return "too many instances";
	}
	return "unknown link error";
}

uint8_t *wasm_memory_at(const struct wasm_memory *mem, uint32_t addr, uint32_t len)
{
	if (mem == NULL || (uint64_t)addr + len > mem->size) {
		return NULL;
	}
	return mem->data + addr;
}

uint32_t wasm_memory_grow(struct wasm_memory *mem, uint32_t delta)
{
	uint32_t old = mem->pages;
	if (delta == 0) {
		return old;
	}
	uint64_t pages = (uint64_t)old + delta;
	bool reduced = (uint64_t)mem->size != (uint64_t)old * WASM_PAGE_SIZE;
	if (reduced || pages > mem->max || pages > WASM_MAX_PAGES || pages * WASM_PAGE_SIZE > mem->cap) {
		return 0xffffffffu;
	}
	memset(mem->data + mem->size, 0, (size_t)(pages - old) * WASM_PAGE_SIZE);
	mem->pages = (uint32_t)pages;
	mem->size = (uint32_t)(pages * WASM_PAGE_SIZE);
	return old;
}

bool wasm_functype_equal(const struct wasm_module *a, uint32_t ta, const struct wasm_module *b, uint32_t tb)
{
	const struct wasm_functype *x = &a->types[ta], *y = &b->types[tb];
	return x->nparams == y->nparams && x->nresults == y->nresults &&
	       (x->nresults == 0 || x->result == y->result) &&
	       memcmp(a->bytes + x->params, b->bytes + y->params, x->nparams) == 0;
}

static uint8_t sig_type(char c)
{
	switch (c) {
	case 'i':
		return WASM_I32;
	case 'I':
		return WASM_I64;
	case 'f':
		return WASM_F32;
	case 'F':
		return WASM_F64;
	}
	return 0;
}

/* Whether a host signature ("ii:i") is function type `type` of m. */
static bool sig_matches(const char *sig, const struct wasm_module *m, uint32_t type)
{
	const struct wasm_functype *t = &m->types[type];
	const uint8_t *params = m->bytes + t->params;
	uint32_t i = 0;
	for (; sig[i] != ':' && sig[i] != '\0'; i++) {
		if (i >= t->nparams || sig_type(sig[i]) != params[i]) {
			return false;
		}
	}
	if (i != t->nparams || sig[i] != ':') {
		return false;
	}
	const char *result = &sig[i + 1];
	if (t->nresults == 0) {
		return result[0] == '\0';
	}
	return sig_type(result[0]) == t->result && result[1] == '\0';
}

/* Limits {min, max} meet an import's {want_min, want_max?}. */
static bool limits_match(uint32_t min, uint32_t max, bool has_max, const struct wasm_limits *want)
{
	return min >= want->min && (!want->has_max || (has_max && max <= want->max));
}

/* Bump allocation from the caller's arena, 8-byte aligned; NULL when it
 * does not fit (and may be NULL for count 0). */
struct carver {
	uint8_t *p;
	size_t left;
};

static void *carve(struct carver *c, size_t count, size_t size)
{
	size_t pad = (size_t)(-(uintptr_t)c->p & 7u);
	if (count == 0) {
		return c->p;
	}
	if (count > (SIZE_MAX - pad) / size || pad + count * size > c->left) {
		return NULL;
	}
	void *out = c->p + pad;
	c->p += pad + count * size;
	c->left -= pad + count * size;
	return out;
}

struct linking {
	struct wasm_instance *inst;
	const struct wasm_module *m;
	struct wasm_link_error *err;
};

static enum wasm_link_err fail(struct linking *k, enum wasm_link_err code, uint32_t import, const char *reason)
{
	k->err->code = code;
	k->err->import = import;
	k->err->reason = reason;
	return code;
}

/* The function a binding leads to, for type checks. */
static bool ref_type(const struct wasm_store *s, wasm_ref ref, const struct wasm_module **m, uint32_t *type)
{
	uint32_t id = ref >> 16, func = ref & 0xffffu;
	if (id >= s->count || func >= s->instances[id]->m->nfuncs) {
		return false;
	}
	*m = s->instances[id]->m;
	*type = (*m)->funcs[func].type;
	return true;
}

static enum wasm_link_err bind_import(struct linking *k, const struct wasm_instance_config *cfg, uint32_t i,
				      uint32_t *nfunc, uint32_t *nglobal)
{
	const struct wasm_module *m = k->m;
	struct wasm_instance *inst = k->inst;
	const struct wasm_import *imp = &m->imports[i];
	struct wasm_externval ext;
	memset(&ext, 0, sizeof ext);
	if (cfg->resolve == NULL || !cfg->resolve(cfg->resolve_ctx, m, imp, &ext)) {
		return fail(k, WASM_LINK_UNKNOWN_IMPORT, i, "no such module or name");
	}
	if (ext.kind != imp->kind) {
		return fail(k, WASM_LINK_INCOMPATIBLE, i, "the export is of another kind");
	}
	switch (imp->kind) {
	case WASM_EXTERN_FUNC: {
		uint32_t type = m->funcs[*nfunc].type;
		struct wasm_binding *b = &inst->imports[(*nfunc)++];
		if (ext.as.func.fn != NULL) {
			if (ext.as.func.sig == NULL || !sig_matches(ext.as.func.sig, m, type)) {
				return fail(k, WASM_LINK_INCOMPATIBLE, i, "the host function has another signature");
			}
			b->fn = ext.as.func.fn;
			b->to.ctx = ext.as.func.ctx;
			return WASM_LINK_OK;
		}
		const struct wasm_module *om;
		uint32_t otype;
		if (!ref_type(inst->store, ext.as.func.ref, &om, &otype) || !wasm_functype_equal(m, type, om, otype)) {
			return fail(k, WASM_LINK_INCOMPATIBLE, i, "the function has another type");
		}
		b->fn = NULL;
		b->to.ref = ext.as.func.ref;
		return WASM_LINK_OK;
	}
	case WASM_EXTERN_TABLE: {
		const struct wasm_table *t = ext.as.table;
		if (!limits_match(t->size, t->max, t->max != UINT32_MAX, &m->table)) {
			return fail(k, WASM_LINK_INCOMPATIBLE, i, "the table's limits do not match");
		}
		inst->table = ext.as.table;
		return WASM_LINK_OK;
	}
	case WASM_EXTERN_MEMORY: {
		const struct wasm_memory *mem = ext.as.memory;
		if (!limits_match(mem->pages, mem->max, mem->max != WASM_MAX_PAGES, &m->memory)) {
			return fail(k, WASM_LINK_INCOMPATIBLE, i, "the memory's limits do not match");
		}
		inst->memory = ext.as.memory;
		return WASM_LINK_OK;
	}
	default: {
		const struct wasm_global *g = &m->globals[*nglobal];
		if (ext.as.global.type != g->type || ext.as.global.is_mutable != g->is_mutable) {
			return fail(k, WASM_LINK_INCOMPATIBLE, i, "the global has another type or mutability");
		}
		inst->globals[(*nglobal)++] = ext.as.global.cell;
		return WASM_LINK_OK;
	}
	}
}

/* The instance's own memory, mapped onto the embedder's buffer. */
static enum wasm_link_err map_memory(struct linking *k, const struct wasm_instance_config *cfg)
{
	const struct wasm_module *m = k->m;
	struct wasm_memory *mem = &k->inst->own_memory;
	uint64_t declared = (uint64_t)m->memory.min * WASM_PAGE_SIZE;
	uint64_t mapped = m->memory_need != 0 && m->memory_need < declared ? m->memory_need : declared;
	if (mapped > cfg->memory_cap) {
		return fail(k, WASM_LINK_MEMORY, 0, "the memory needs more bytes than the board gives apps");
	}
	mem->data = cfg->memory;
	mem->size = (uint32_t)mapped;
	mem->pages = m->memory.min;
	mem->max = m->memory.has_max ? m->memory.max : WASM_MAX_PAGES;
	mem->cap = cfg->memory_cap;
	k->inst->memory = mem;
	return WASM_LINK_OK;
}

static uint32_t segment_offset(const struct wasm_instance *inst, const struct wasm_segment *seg)
{
	return seg->offset_global ? (uint32_t)*inst->globals[seg->offset] : seg->offset;
}

/* Every segment fits: WebAssembly 1.0 checks them all before writing any. */
static enum wasm_link_err check_segments(struct linking *k)
{
	const struct wasm_module *m = k->m;
	const struct wasm_instance *inst = k->inst;
	for (uint32_t i = 0; i < m->nelems; i++) {
		const struct wasm_segment *seg = &m->elems[i];
		if ((uint64_t)segment_offset(inst, seg) + seg->len > inst->table->size) {
			return fail(k, WASM_LINK_ELEM_FIT, 0, "an element segment ends beyond the table");
		}
	}
	for (uint32_t i = 0; i < m->ndatas; i++) {
		const struct wasm_segment *seg = &m->datas[i];
		if ((uint64_t)segment_offset(inst, seg) + seg->len > inst->memory->size) {
			return fail(k, WASM_LINK_DATA_FIT, 0,
				    inst->memory->size < (uint64_t)inst->memory->pages * WASM_PAGE_SIZE
					    ? "a data segment ends beyond the mapped memory (reduced-memory mode)"
					    : "a data segment ends beyond the memory");
		}
	}
	return WASM_LINK_OK;
}

static void write_segments(struct wasm_instance *inst)
{
	const struct wasm_module *m = inst->m;
	for (uint32_t i = 0; i < m->nelems; i++) {
		const struct wasm_segment *seg = &m->elems[i];
		const uint8_t *p = m->bytes + seg->init;
		wasm_ref *out = inst->table->elems + segment_offset(inst, seg);
		for (uint32_t j = 0; j < seg->len; j++) {
			out[j] = wasm_make_ref(inst->id, wasm_decode_u32(&p));
		}
	}
	for (uint32_t i = 0; i < m->ndatas; i++) {
		const struct wasm_segment *seg = &m->datas[i];
		if (seg->len > 0) {
			memcpy(inst->memory->data + segment_offset(inst, seg), m->bytes + seg->init, seg->len);
		}
	}
}

static enum wasm_link_err link(struct linking *k, const struct wasm_instance_config *cfg)
{
	const struct wasm_module *m = k->m;
	struct wasm_instance *inst = k->inst;
	struct carver c = {cfg->arena, cfg->arena != NULL ? cfg->arena_size : 0};
	uint32_t ndefined = m->nglobals - m->nglobal_imports;
	bool own_table = m->table.present && m->table.import == WASM_NONE;
	inst->globals = carve(&c, m->nglobals, sizeof *inst->globals);
	uint64_t *cells = carve(&c, ndefined, sizeof *cells);
	inst->imports = carve(&c, m->nfunc_imports, sizeof *inst->imports);
	wasm_ref *elems = own_table ? carve(&c, m->table.min, sizeof *elems) : NULL;
	if ((m->nglobals > 0 && inst->globals == NULL) || (ndefined > 0 && cells == NULL) ||
	    (m->nfunc_imports > 0 && inst->imports == NULL) || (own_table && m->table.min > 0 && elems == NULL)) {
		return fail(k, WASM_LINK_NO_MEMORY, 0, "the arena cannot hold the globals, table and imports");
	}

	uint32_t nfunc = 0, nglobal = 0;
	for (uint32_t i = 0; i < m->nimports; i++) {
		enum wasm_link_err e = bind_import(k, cfg, i, &nfunc, &nglobal);
		if (e != WASM_LINK_OK) {
			return e;
		}
	}
	for (uint32_t i = 0; i < ndefined; i++) {
		const struct wasm_global *g = &m->globals[m->nglobal_imports + i];
		cells[i] = g->init == WASM_INIT_GLOBAL ? *inst->globals[g->value] : g->value;
		inst->globals[m->nglobal_imports + i] = &cells[i];
	}
	if (own_table) {
		if (m->table.min > 0) {
			memset(elems, 0xff, (size_t)m->table.min * sizeof *elems);
		}
		inst->own_table = (struct wasm_table){elems, m->table.min, m->table.has_max ? m->table.max : UINT32_MAX};
		inst->table = &inst->own_table;
	}
	if (m->memory.present && m->memory.import == WASM_NONE) {
		enum wasm_link_err e = map_memory(k, cfg);
		if (e != WASM_LINK_OK) {
			return e;
		}
	}
	enum wasm_link_err e = check_segments(k);
	if (e != WASM_LINK_OK) {
		return e;
	}
	/* Only now is anything outside the arena written. */
	if (inst->memory == &inst->own_memory && inst->memory->size > 0) {
		memset(inst->memory->data, 0, inst->memory->size);
	}
	write_segments(inst);
	inst->arena_used = (size_t)(c.p - (uint8_t *)cfg->arena);
	return WASM_LINK_OK;
}

enum wasm_link_err wasm_instantiate(struct wasm_instance *inst, struct wasm_store *store,
				    const struct wasm_module *m, const struct wasm_instance_config *cfg,
				    struct wasm_link_error *err)
{
	struct wasm_link_error ignored;
	struct linking k = {inst, m, err != NULL ? err : &ignored};
	memset(inst, 0, sizeof *inst);
	memset(k.err, 0, sizeof *k.err);
	if (store->count >= store->cap || store->count > 0xfffeu) {
		return fail(&k, WASM_LINK_STORE_FULL, 0, "the store is full");
	}
	inst->m = m;
	inst->store = store;
	inst->id = store->count;
	enum wasm_link_err e = link(&k, cfg);
	if (e != WASM_LINK_OK) {
		memset(inst, 0, sizeof *inst);
		return e;
	}
	store->instances[store->count++] = inst;
	return WASM_LINK_OK;
}

bool wasm_instance_export(const struct wasm_instance *inst, const char *name, size_t len, struct wasm_externval *out)
{
	const struct wasm_module *m = inst->m;
	const struct wasm_export *e = wasm_find_export(m, WASM_EXTERN_ANY, name, len);
	if (e == NULL) {
		return false;
	}
	memset(out, 0, sizeof *out);
	out->kind = e->kind;
	switch (e->kind) {
	case WASM_EXTERN_FUNC:
		/* A re-exported wasm function is passed on as it was bound; a
		 * host one as this instance's import, which calls it. */
		if (e->index < m->nfunc_imports && inst->imports[e->index].fn == NULL) {
			out->as.func.ref = inst->imports[e->index].to.ref;
		} else {
			out->as.func.ref = wasm_make_ref(inst->id, e->index);
		}
		return true;
	case WASM_EXTERN_TABLE:
		out->as.table = inst->table;
		return true;
	case WASM_EXTERN_MEMORY:
		out->as.memory = inst->memory;
		return true;
	default:
		out->as.global.cell = inst->globals[e->index];
		out->as.global.type = m->globals[e->index].type;
		out->as.global.is_mutable = m->globals[e->index].is_mutable;
		return true;
	}
}
