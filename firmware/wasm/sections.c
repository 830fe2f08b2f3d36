/*
 * The sections: decodes each one's entries into the module's tables and
 * validates what lies outside code (indices, limits, at most one table and
 * one memory, the start function). Exports are exports.c's; code and
 * constant expressions validate.c's.
 */
#include <string.h>

#include "loader.h"

bool wasm_read_count(struct wasm_loader *l, struct wasm_cursor *c, size_t min_size, uint32_t *count)
{
	const uint8_t *at = c->p;
	*count = wasm_u32(c);
	if (!wasm_cursor_ok(c)) {
		return wasm_fail_cursor(l, c);
	}
	if (*count > wasm_cursor_left(c) / min_size) {
		return wasm_fail(l, WASM_ERR_UNEXPECTED_END, at,
				 "unexpected end of section or function: more entries than bytes");
	}
	return true;
}

static bool read_valtype(struct wasm_cursor *c, uint8_t *type)
{
	const uint8_t *at = c->p;
	*type = wasm_u8(c);
	if (wasm_cursor_ok(c) && !wasm_is_valtype(*type)) {
		return wasm_cursor_fail(c, at, WASM_ERR_VALTYPE, "invalid value type");
	}
	return wasm_cursor_ok(c);
}

/* n value type bytes, taken from c; NULL if one is not. */
static const uint8_t *read_valtypes(struct wasm_cursor *c, uint32_t n)
{
	const uint8_t *p = wasm_take(c, n);
	for (uint32_t i = 0; p != NULL && i < n; i++) {
		if (!wasm_is_valtype(p[i])) {
			wasm_cursor_fail(c, p + i, WASM_ERR_VALTYPE, "invalid value type");
			return NULL;
		}
	}
	return p;
}

static void read_limits(struct wasm_cursor *c, struct wasm_limits *lim)
{
	uint32_t flag = wasm_uleb(c, 1);
	lim->min = wasm_u32(c);
	lim->max = flag != 0 ? wasm_u32(c) : 0;
	lim->has_max = (uint8_t)flag;
	lim->present = 1;
	lim->import = WASM_NONE;
}

static bool read_table_type(struct wasm_cursor *c, struct wasm_limits *lim)
{
	const uint8_t *at = c->p;
	uint8_t elem = wasm_u8(c);
	if (wasm_cursor_ok(c) && elem != 0x70) {
		return wasm_cursor_fail(c, at, WASM_ERR_MALFORMED, "table element type must be funcref (0x70)");
	}
	read_limits(c, lim);
	return wasm_cursor_ok(c);
}

static void add_table(struct wasm_loader *l, const struct wasm_limits *lim, uint16_t import, const uint8_t *at)
{
	if (lim->has_max && lim->min > lim->max) {
		wasm_invalid(l, WASM_ERR_LIMITS, at, "table minimum above its maximum");
	}
	if (l->m->table.present) {
		wasm_invalid(l, WASM_ERR_MULTIPLE_TABLES, at, "multiple tables");
		return;
	}
	l->m->table = *lim;
	l->m->table.import = import;
}

static void add_memory(struct wasm_loader *l, const struct wasm_limits *lim, uint16_t import, const uint8_t *at)
{
	if (lim->min > WASM_MAX_PAGES || (lim->has_max && lim->max > WASM_MAX_PAGES)) {
		wasm_invalid(l, WASM_ERR_MEMORY_SIZE, at, "memory size must be at most 65536 pages (4GiB)");
	} else if (lim->has_max && lim->min > lim->max) {
		wasm_invalid(l, WASM_ERR_LIMITS, at, "memory minimum above its maximum");
	}
	if (l->m->memory.present) {
		wasm_invalid(l, WASM_ERR_MULTIPLE_MEMORIES, at, "multiple memories");
		return;
	}
	l->m->memory = *lim;
	l->m->memory.import = import;
}

static bool same_type(const struct wasm_loader *l, const struct wasm_functype *a, const struct wasm_functype *b)
{
	return a->nparams == b->nparams && a->nresults == b->nresults && a->result == b->result &&
	       memcmp(l->bytes + a->params, l->bytes + b->params, a->nparams) == 0;
}

static bool read_types(struct wasm_loader *l, struct wasm_cursor *c)
{
	uint32_t n;
	if (!wasm_read_count(l, c, 3, &n)) {
		return false;
	}
	if (n > WASM_MAX_INDEX) {
		return wasm_fail(l, WASM_ERR_LIMIT, c->p, "more types than WASM_MAX_INDEX");
	}
	l->types = wasm_arena_keep(l, n, sizeof *l->types, "no memory for types");
	if (n > 0 && l->types == NULL) {
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *at = c->p;
		uint8_t form = wasm_u8(c);
		if (wasm_cursor_ok(c) && form != 0x60) {
			wasm_cursor_fail(c, at, WASM_ERR_MALFORMED, "function type must start with 0x60");
		}
		uint32_t nparams = wasm_u32(c);
		const uint8_t *params = read_valtypes(c, nparams);
		uint32_t nresults = wasm_u32(c);
		const uint8_t *results = read_valtypes(c, nresults);
		if (!wasm_cursor_ok(c)) {
			return wasm_fail_cursor(l, c);
		}
		if (nparams > 0xffffu) {
			return wasm_fail(l, WASM_ERR_LIMIT, at, "more than 65535 params");
		}
		if (nresults > 1) {
			wasm_invalid(l, WASM_ERR_RESULT_ARITY, at, "invalid result arity: more than one result");
		}
		struct wasm_functype *t = &l->types[i];
		memset(t, 0, sizeof *t);
		t->params = wasm_offset(l, params);
		t->nparams = (uint16_t)nparams;
		t->nresults = nresults > 0;
		t->result = nresults > 0 ? results[0] : 0;
		t->canon = (uint16_t)i;
		for (uint32_t j = 0; j < i; j++) {
			if (same_type(l, &l->types[j], t)) {
				t->canon = (uint16_t)j;
				break;
			}
		}
		l->m->ntypes = i + 1;
	}
	return true;
}

/* What import i imports, after its kind byte at `at`. */
static bool read_import_desc(struct wasm_loader *l, struct wasm_cursor *c, struct wasm_import *imp, uint32_t i,
			     const uint8_t *at)
{
	struct wasm_module *m = l->m;
	struct wasm_limits lim;
	switch (imp->kind) {
	case WASM_EXTERN_FUNC: {
		const uint8_t *type_at = c->p;
		uint32_t type = wasm_u32(c);
		if (wasm_cursor_ok(c) && type >= m->ntypes) {
			wasm_invalid(l, WASM_ERR_UNKNOWN_TYPE, type_at, "unknown type");
		}
		imp->type = (uint16_t)(type < m->ntypes ? type : 0);
		m->nfunc_imports++;
		break;
	}
	case WASM_EXTERN_TABLE:
		if (read_table_type(c, &lim)) {
			add_table(l, &lim, (uint16_t)i, at);
		}
		break;
	case WASM_EXTERN_MEMORY:
		read_limits(c, &lim);
		if (wasm_cursor_ok(c)) {
			add_memory(l, &lim, (uint16_t)i, at);
		}
		break;
	case WASM_EXTERN_GLOBAL: {
		uint8_t type;
		read_valtype(c, &type);
		const uint8_t *mut_at = c->p;
		uint8_t mut = wasm_u8(c);
		if (wasm_cursor_ok(c) && mut > 1) {
			wasm_cursor_fail(c, mut_at, WASM_ERR_MUTABILITY, "invalid mutability");
		}
		imp->type = type;
		imp->is_mutable = mut;
		m->nglobal_imports++;
		break;
	}
	default:
		return wasm_fail(l, WASM_ERR_MALFORMED, at, "invalid import kind");
	}
	return wasm_cursor_ok(c) || wasm_fail_cursor(l, c);
}

static bool read_imports(struct wasm_loader *l, struct wasm_cursor *c)
{
	uint32_t n;
	if (!wasm_read_count(l, c, 4, &n)) {
		return false;
	}
	if (n > WASM_MAX_INDEX) {
		return wasm_fail(l, WASM_ERR_LIMIT, c->p, "more imports than WASM_MAX_INDEX");
	}
	l->imports = wasm_arena_keep(l, n, sizeof *l->imports, "no memory for imports");
	if (n > 0 && l->imports == NULL) {
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct wasm_import *imp = &l->imports[i];
		uint32_t module_len, name_len;
		const uint8_t *module = wasm_name(c, &module_len);
		const uint8_t *name = wasm_name(c, &name_len);
		const uint8_t *at = c->p;
		uint8_t kind = wasm_u8(c);
		if (!wasm_cursor_ok(c)) {
			return wasm_fail_cursor(l, c);
		}
		if (module_len > WASM_MAX_NAME || name_len > WASM_MAX_NAME) {
			return wasm_fail(l, WASM_ERR_LIMIT, module, "import name longer than WASM_MAX_NAME");
		}
		memset(imp, 0, sizeof *imp);
		imp->module = wasm_offset(l, module);
		imp->name = wasm_offset(l, name);
		imp->module_len = (uint16_t)module_len;
		imp->name_len = (uint16_t)name_len;
		imp->kind = kind;
		if (!read_import_desc(l, c, imp, i, at)) {
			return false;
		}
		l->m->nimports = i + 1;
	}
	return true;
}

/* Carves a zeroed index space of nimports + ndefined entries of size
 * bytes: *out is NULL when it is empty. */
static bool index_space(struct wasm_loader *l, uint32_t nimports, uint32_t ndefined, size_t size, void **out,
			uint32_t *total, const char *too_many, const char *no_memory)
{
	uint64_t n = (uint64_t)nimports + ndefined;
	if (n > WASM_MAX_INDEX) {
		return wasm_fail(l, WASM_ERR_LIMIT, l->bytes, too_many);
	}
	*out = wasm_arena_keep(l, (size_t)n, size, no_memory);
	if (n > 0 && *out == NULL) {
		return false;
	}
	if (n > 0) {
		memset(*out, 0, (size_t)n * size);
	}
	*total = (uint32_t)n;
	return true;
}

/* The function index space: imports, then ndefined bodies to come. */
static bool build_funcs(struct wasm_loader *l, uint32_t ndefined)
{
	struct wasm_module *m = l->m;
	void *space;
	uint32_t total;
	if (!index_space(l, m->nfunc_imports, ndefined, sizeof *l->funcs, &space, &total,
			 "more functions than WASM_MAX_INDEX", "no memory for functions")) {
		return false;
	}
	l->funcs = space;
	uint32_t k = 0;
	for (uint32_t i = 0; i < m->nimports; i++) {
		if (l->imports[i].kind == WASM_EXTERN_FUNC) {
			l->funcs[k].type = l->imports[i].type;
			l->funcs[k].import = (uint16_t)i;
			k++;
		}
	}
	for (; k < total; k++) {
		l->funcs[k].import = WASM_NONE;
	}
	m->nfuncs = total;
	l->ndefined_funcs = ndefined;
	l->funcs_built = true;
	return true;
}

/* The global index space: imports, then ndefined globals to come. */
static bool build_globals(struct wasm_loader *l, uint32_t ndefined)
{
	struct wasm_module *m = l->m;
	void *space;
	uint32_t total;
	if (!index_space(l, m->nglobal_imports, ndefined, sizeof *l->globals, &space, &total,
			 "more globals than WASM_MAX_INDEX", "no memory for globals")) {
		return false;
	}
	l->globals = space;
	uint32_t k = 0;
	for (uint32_t i = 0; i < m->nimports; i++) {
		if (l->imports[i].kind == WASM_EXTERN_GLOBAL) {
			l->globals[k].type = (uint8_t)l->imports[i].type;
			l->globals[k].is_mutable = l->imports[i].is_mutable;
			l->globals[k].init = WASM_INIT_IMPORT;
			l->globals[k].import = (uint16_t)i;
			k++;
		}
	}
	for (; k < total; k++) {
		l->globals[k].import = WASM_NONE;
	}
	m->nglobals = m->nglobal_imports; /* defined ones count as they are read */
	l->globals_built = true;
	return true;
}

static bool read_functions(struct wasm_loader *l, struct wasm_cursor *c)
{
	uint32_t n;
	if (!wasm_read_count(l, c, 1, &n) || !build_funcs(l, n)) {
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *at = c->p;
		uint32_t type = wasm_u32(c);
		if (!wasm_cursor_ok(c)) {
			return wasm_fail_cursor(l, c);
		}
		if (type >= l->m->ntypes) {
			wasm_invalid(l, WASM_ERR_UNKNOWN_TYPE, at, "unknown type");
		} else {
			l->funcs[l->m->nfunc_imports + i].type = (uint16_t)type;
		}
	}
	return true;
}

static bool read_tables(struct wasm_loader *l, struct wasm_cursor *c)
{
	uint32_t n;
	if (!wasm_read_count(l, c, 3, &n)) {
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *at = c->p;
		struct wasm_limits lim;
		if (!read_table_type(c, &lim)) {
			return wasm_fail_cursor(l, c);
		}
		add_table(l, &lim, WASM_NONE, at);
	}
	return true;
}

static bool read_memories(struct wasm_loader *l, struct wasm_cursor *c)
{
	uint32_t n;
	if (!wasm_read_count(l, c, 2, &n)) {
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *at = c->p;
		struct wasm_limits lim;
		read_limits(c, &lim);
		if (!wasm_cursor_ok(c)) {
			return wasm_fail_cursor(l, c);
		}
		add_memory(l, &lim, WASM_NONE, at);
	}
	return true;
}

static bool read_globals(struct wasm_loader *l, struct wasm_cursor *c)
{
	struct wasm_module *m = l->m;
	uint32_t n;
	if (!wasm_read_count(l, c, 3, &n) || !build_globals(l, n)) {
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct wasm_global *g = &l->globals[m->nglobals];
		uint8_t type;
		read_valtype(c, &type);
		const uint8_t *mut_at = c->p;
		uint8_t mut = wasm_u8(c);
		if (wasm_cursor_ok(c) && mut > 1) {
			wasm_cursor_fail(c, mut_at, WASM_ERR_MUTABILITY, "invalid mutability");
		}
		if (!wasm_cursor_ok(c)) {
			return wasm_fail_cursor(l, c);
		}
		g->type = type;
		g->is_mutable = mut;
		if (!wasm_const_expr(l, c, type, &g->init, &g->value)) {
			return false;
		}
		m->nglobals++;
	}
	return true;
}

static bool read_start(struct wasm_loader *l, struct wasm_cursor *c)
{
	struct wasm_module *m = l->m;
	const uint8_t *at = c->p;
	uint32_t index = wasm_u32(c);
	if (!wasm_cursor_ok(c)) {
		return wasm_fail_cursor(l, c);
	}
	if (!l->valid) {
		return true;
	}
	if (index >= m->nfuncs) {
		wasm_invalid(l, WASM_ERR_UNKNOWN_FUNC, at, "unknown function");
		return true;
	}
	const struct wasm_functype *t = &l->types[l->funcs[index].type];
	if (t->nparams != 0 || t->nresults != 0) {
		wasm_invalid(l, WASM_ERR_START, at, "start function must be [] -> []");
	}
	m->start = index;
	return true;
}

/* An element or data segment's start: its index, then its offset. */
static bool read_segment_offset(struct wasm_loader *l, struct wasm_cursor *c, bool table, struct wasm_segment *seg)
{
	const uint8_t *at = c->p;
	uint32_t index = wasm_u32(c);
	if (!wasm_cursor_ok(c)) {
		return wasm_fail_cursor(l, c);
	}
	if (table && (index != 0 || !l->m->table.present)) {
		wasm_invalid(l, WASM_ERR_UNKNOWN_TABLE, at, "unknown table");
	}
	if (!table && (index != 0 || !l->m->memory.present)) {
		wasm_invalid(l, WASM_ERR_UNKNOWN_MEMORY, at, "unknown memory");
	}
	uint8_t init;
	uint64_t value;
	if (!wasm_const_expr(l, c, WASM_I32, &init, &value)) {
		return false;
	}
	memset(seg, 0, sizeof *seg);
	seg->offset = (uint32_t)value;
	seg->offset_global = init == WASM_INIT_GLOBAL;
	return true;
}

/* A segment section's count and its table, kept in the arena (NULL for 0). */
static bool segment_table(struct wasm_loader *l, struct wasm_cursor *c, const char *what,
			  struct wasm_segment **segs, uint32_t *n)
{
	if (!wasm_read_count(l, c, 3, n)) {
		return false;
	}
	*segs = wasm_arena_keep(l, *n, sizeof **segs, what);
	return *n == 0 || *segs != NULL;
}

static bool read_elements(struct wasm_loader *l, struct wasm_cursor *c)
{
	struct wasm_module *m = l->m;
	uint32_t n;
	struct wasm_segment *segs;
	if (!segment_table(l, c, "no memory for element segments", &segs, &n)) {
		return false;
	}
	m->elems = segs;
	for (uint32_t i = 0; i < n; i++) {
		struct wasm_segment *seg = &segs[i];
		if (!read_segment_offset(l, c, true, seg)) {
			return false;
		}
		uint32_t count = wasm_u32(c);
		seg->init = wasm_offset(l, c->p);
		seg->len = count;
		for (uint32_t j = 0; j < count && wasm_cursor_ok(c); j++) {
			const uint8_t *at = c->p;
			uint32_t func = wasm_u32(c);
			if (wasm_cursor_ok(c) && func >= m->nfuncs) {
				wasm_invalid(l, WASM_ERR_UNKNOWN_FUNC, at, "unknown function");
			}
		}
		if (!wasm_cursor_ok(c)) {
			return wasm_fail_cursor(l, c);
		}
		m->nelems = i + 1;
	}
	return true;
}

static bool read_code(struct wasm_loader *l, struct wasm_cursor *c)
{
	const uint8_t *at = c->p;
	uint32_t n = wasm_u32(c);
	if (!wasm_cursor_ok(c)) {
		return wasm_fail_cursor(l, c);
	}
	if (n != l->ndefined_funcs) {
		return wasm_fail(l, WASM_ERR_FUNC_CODE_COUNT, at,
				 "function and code section have inconsistent lengths");
	}
	l->ncode = n;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t size = wasm_len(c);
		struct wasm_cursor body = wasm_sub(c, size);
		if (!wasm_cursor_ok(c)) {
			return wasm_fail_cursor(l, c);
		}
		if (!wasm_code_body(l, l->m->nfunc_imports + i, &body)) {
			return false;
		}
	}
	return true;
}

static bool read_data(struct wasm_loader *l, struct wasm_cursor *c)
{
	struct wasm_module *m = l->m;
	uint32_t n;
	struct wasm_segment *segs;
	if (!segment_table(l, c, "no memory for data segments", &segs, &n)) {
		return false;
	}
	m->datas = segs;
	for (uint32_t i = 0; i < n; i++) {
		struct wasm_segment *seg = &segs[i];
		if (!read_segment_offset(l, c, false, seg)) {
			return false;
		}
		uint32_t len = wasm_u32(c);
		const uint8_t *p = wasm_take(c, len);
		if (!wasm_cursor_ok(c)) {
			return wasm_fail_cursor(l, c);
		}
		seg->init = wasm_offset(l, p);
		seg->len = len;
		m->ndatas = i + 1;
	}
	return true;
}

bool wasm_read_section(struct wasm_loader *l, uint8_t id, struct wasm_cursor *c)
{
	/* Sections after these see the whole function and global spaces. */
	if (id > WASM_SEC_FUNCTION && !l->funcs_built && !build_funcs(l, 0)) {
		return false;
	}
	if (id > WASM_SEC_GLOBAL && !l->globals_built && !build_globals(l, 0)) {
		return false;
	}
	switch (id) {
	case WASM_SEC_TYPE:
		return read_types(l, c);
	case WASM_SEC_IMPORT:
		return read_imports(l, c);
	case WASM_SEC_FUNCTION:
		return read_functions(l, c);
	case WASM_SEC_TABLE:
		return read_tables(l, c);
	case WASM_SEC_MEMORY:
		return read_memories(l, c);
	case WASM_SEC_GLOBAL:
		return read_globals(l, c);
	case WASM_SEC_EXPORT:
		return wasm_read_exports(l, c);
	case WASM_SEC_START:
		return read_start(l, c);
	case WASM_SEC_ELEMENT:
		return read_elements(l, c);
	case WASM_SEC_CODE:
		return read_code(l, c);
	case WASM_SEC_DATA:
		return read_data(l, c);
	default: /* after the last section */
		return true;
	}
}
