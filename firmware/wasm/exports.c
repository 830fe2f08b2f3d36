/*
 * The export section, and finding an export by name: exports are kept
 * sorted by name, which also finds duplicate names (invalid) without
 * memory, and makes wasm_find_export a binary search.
 */
#include <string.h>

#include "loader.h"

/* Orders exports by name: bytes, then length. */
static int export_cmp(const uint8_t *bytes, const struct wasm_export *a, const uint8_t *name, size_t len)
{
	size_t n = a->name_len < len ? a->name_len : len;
	int d = n > 0 ? memcmp(bytes + a->name, name, n) : 0;
	if (d != 0) {
		return d;
	}
	return (a->name_len > len) - (a->name_len < len);
}

static int export_order(const struct wasm_loader *l, const struct wasm_export *a, const struct wasm_export *b)
{
	return export_cmp(l->bytes, a, l->bytes + b->name, b->name_len);
}

/* Heapsort: no recursion, no memory. */
static void sift_down(const struct wasm_loader *l, struct wasm_export *e, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n) {
			return;
		}
		if (child + 1 < n && export_order(l, &e[child], &e[child + 1]) < 0) {
			child++;
		}
		if (export_order(l, &e[root], &e[child]) >= 0) {
			return;
		}
		struct wasm_export t = e[root];
		e[root] = e[child];
		e[child] = t;
		root = child;
	}
}

static void sort_exports(const struct wasm_loader *l, struct wasm_export *e, size_t n)
{
	for (size_t i = n / 2; i > 0; i--) {
		sift_down(l, e, i - 1, n);
	}
	for (size_t end = n; end > 1; end--) {
		struct wasm_export t = e[0];
		e[0] = e[end - 1];
		e[end - 1] = t;
		sift_down(l, e, 0, end - 1);
	}
}

bool wasm_read_exports(struct wasm_loader *l, struct wasm_cursor *c)
{
	static const enum wasm_err unknown[] = {
		WASM_ERR_UNKNOWN_FUNC, WASM_ERR_UNKNOWN_TABLE, WASM_ERR_UNKNOWN_MEMORY, WASM_ERR_UNKNOWN_GLOBAL};
	static const char *const unknown_reasons[] = {
		"unknown function", "unknown table", "unknown memory", "unknown global"};
	struct wasm_module *m = l->m;
	uint32_t n;
	if (!wasm_read_count(l, c, 3, &n)) {
		return false;
	}
	l->exports = wasm_arena_keep(l, n, sizeof *l->exports, "no memory for exports");
	if (n > 0 && l->exports == NULL) {
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;
		const uint8_t *name = wasm_name(c, &len);
		const uint8_t *at = c->p;
		uint8_t kind = wasm_u8(c);
		uint32_t index = wasm_u32(c);
		if (!wasm_cursor_ok(c)) {
			return wasm_fail_cursor(l, c);
		}
		if (kind > WASM_EXTERN_GLOBAL) {
			return wasm_fail(l, WASM_ERR_MALFORMED, at, "invalid export kind");
		}
		if (len > WASM_MAX_NAME) {
			return wasm_fail(l, WASM_ERR_LIMIT, name, "export name longer than WASM_MAX_NAME");
		}
		uint32_t space = kind == WASM_EXTERN_FUNC    ? m->nfuncs
			       : kind == WASM_EXTERN_TABLE   ? m->table.present
			       : kind == WASM_EXTERN_MEMORY  ? m->memory.present
							     : m->nglobals;
		if (index >= space) {
			wasm_invalid(l, unknown[kind], at, unknown_reasons[kind]);
		}
		struct wasm_export *e = &l->exports[i];
		e->name = wasm_offset(l, name);
		e->name_len = (uint16_t)len;
		e->kind = kind;
		e->pad = 0;
		e->index = index;
		m->nexports = i + 1;
	}
	if (l->valid) {
		sort_exports(l, l->exports, n);
		for (uint32_t i = 1; i < n; i++) {
			if (export_order(l, &l->exports[i - 1], &l->exports[i]) == 0) {
				wasm_invalid(l, WASM_ERR_DUPLICATE_EXPORT, l->bytes + l->exports[i].name,
					     "duplicate export name");
				break;
			}
		}
	}
	return true;
}

bool wasm_name_is(const struct wasm_module *m, uint32_t off, uint32_t len, const char *s)
{
	return strlen(s) == len && memcmp(m->bytes + off, s, len) == 0;
}

const struct wasm_export *wasm_find_export(const struct wasm_module *m, enum wasm_extern kind,
					   const char *name, size_t len)
{
	size_t lo = 0, hi = m->nexports;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = export_cmp(m->bytes, &m->exports[mid], (const uint8_t *)name, len);
		if (d == 0) {
			return kind == WASM_EXTERN_ANY || m->exports[mid].kind == kind ? &m->exports[mid] : NULL;
		}
		if (d < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return NULL;
}
