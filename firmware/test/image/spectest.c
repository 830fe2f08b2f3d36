#include <string.h>

#include "spectest.h"

static enum wasm_trap print_nothing(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)t;
	(void)args;
	(void)ctx;
	return WASM_TRAP_NONE;
}

static const struct {
	const char *name, *sig;
} funcs[] = {
	{"print", ":"},      {"print_i32", "i:"},      {"print_i64", "I:"},         {"print_f32", "f:"},
	{"print_f64", "F:"}, {"print_i32_f32", "if:"}, {"print_f64_f64", "FF:"},
};

static const struct {
	const char *name;
	uint8_t type;
} globals[] = {{"global_i32", WASM_I32}, {"global_i64", WASM_I64}, {"global_f32", WASM_F32}, {"global_f64", WASM_F64}};

void spectest_reset(struct spectest *s, uint8_t *memory, uint32_t cap)
{
	s->g_i32 = 666;
	s->g_i64 = 666;
	s->g_f32 = 0x4426a666u;         /* 666.6f */
	s->g_f64 = 0x4084d4cccccccccdu; /* 666.6 */
	memset(s->table_elems, 0xff, sizeof s->table_elems);
	s->table = (struct wasm_table){s->table_elems, 10, 20};
	memset(memory, 0, WASM_PAGE_SIZE);
	s->memory = (struct wasm_memory){memory, WASM_PAGE_SIZE, 1, 2, cap};
}

bool spectest_resolve(void *ctx, const struct wasm_module *m, const struct wasm_import *imp,
		      struct wasm_externval *out)
{
	struct spectest *s = ctx;
	if (!wasm_name_is(m, imp->module, imp->module_len, "spectest")) {
		return false;
	}
	for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
		if (wasm_name_is(m, imp->name, imp->name_len, funcs[i].name)) {
			out->kind = WASM_EXTERN_FUNC;
			out->as.func.fn = print_nothing;
			out->as.func.ctx = s;
			out->as.func.sig = funcs[i].sig;
			return true;
		}
	}
	uint64_t *cells[] = {&s->g_i32, &s->g_i64, &s->g_f32, &s->g_f64};
	for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++) {
		if (wasm_name_is(m, imp->name, imp->name_len, globals[i].name)) {
			out->kind = WASM_EXTERN_GLOBAL;
			out->as.global.cell = cells[i];
			out->as.global.type = globals[i].type;
			return true;
		}
	}
	if (wasm_name_is(m, imp->name, imp->name_len, "table")) {
		out->kind = WASM_EXTERN_TABLE;
		out->as.table = &s->table;
		return true;
	}
	if (wasm_name_is(m, imp->name, imp->name_len, "memory")) {
		out->kind = WASM_EXTERN_MEMORY;
		out->as.memory = &s->memory;
		return true;
	}
	return false;
}
