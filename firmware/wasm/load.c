/*
 * wasm_load: the module header, then the sections in order (sections.c
 * reads each); the errors and the arena every part of the loader uses.
 */
#include <string.h>

#include "loader.h"

static const char *const err_texts[] = {
	[WASM_OK] = "ok",
	[WASM_ERR_UNEXPECTED_END] = "unexpected end",
	[WASM_ERR_MAGIC] = "magic header not detected",
	[WASM_ERR_VERSION] = "unknown binary version",
	[WASM_ERR_INT_TOO_LONG] = "integer representation too long",
	[WASM_ERR_INT_TOO_LARGE] = "integer too large",
	[WASM_ERR_LENGTH] = "length out of bounds",
	[WASM_ERR_SECTION_ID] = "invalid section id",
	[WASM_ERR_SECTION_ORDER] = "junk after last section",
	[WASM_ERR_SECTION_SIZE] = "section size mismatch",
	[WASM_ERR_UTF8] = "invalid UTF-8 encoding",
	[WASM_ERR_VALTYPE] = "invalid value type",
	[WASM_ERR_MUTABILITY] = "invalid mutability",
	[WASM_ERR_ZERO_FLAG] = "zero flag expected",
	[WASM_ERR_FUNC_CODE_COUNT] = "function and code section have inconsistent lengths",
	[WASM_ERR_TOO_MANY_LOCALS] = "too many locals",
	[WASM_ERR_OPCODE] = "illegal opcode",
	[WASM_ERR_MALFORMED] = "malformed",
	[WASM_ERR_TYPE_MISMATCH] = "type mismatch",
	[WASM_ERR_UNKNOWN_TYPE] = "unknown type",
	[WASM_ERR_UNKNOWN_FUNC] = "unknown function",
	[WASM_ERR_UNKNOWN_TABLE] = "unknown table",
	[WASM_ERR_UNKNOWN_MEMORY] = "unknown memory",
	[WASM_ERR_UNKNOWN_GLOBAL] = "unknown global",
	[WASM_ERR_UNKNOWN_LOCAL] = "unknown local",
	[WASM_ERR_UNKNOWN_LABEL] = "unknown label",
	[WASM_ERR_ALIGNMENT] = "alignment must not be larger than natural",
	[WASM_ERR_CONST_EXPR] = "constant expression required",
	[WASM_ERR_DUPLICATE_EXPORT] = "duplicate export name",
	[WASM_ERR_IMMUTABLE_GLOBAL] = "global is immutable",
	[WASM_ERR_RESULT_ARITY] = "invalid result arity",
	[WASM_ERR_LIMITS] = "size minimum must not be greater than maximum",
	[WASM_ERR_MEMORY_SIZE] = "memory size must be at most 65536 pages (4GiB)",
	[WASM_ERR_MULTIPLE_TABLES] = "multiple tables",
	[WASM_ERR_MULTIPLE_MEMORIES] = "multiple memories",
	[WASM_ERR_START] = "start function",
	[WASM_ERR_LIMIT] = "implementation limit exceeded",
	[WASM_ERR_NO_MEMORY] = "arena too small",
};
_Static_assert(sizeof err_texts / sizeof err_texts[0] == WASM_ERR_NO_MEMORY + 1, "a text per error");

const char *wasm_err_text(enum wasm_err err)
{
	if ((unsigned)err >= sizeof err_texts / sizeof err_texts[0]) {
		return "unknown error";
	}
	return err_texts[err];
}

const char *wasm_valtype_name(uint8_t type)
{
	switch (type) {
	case WASM_I32:
		return "i32";
	case WASM_I64:
		return "i64";
	case WASM_F32:
		return "f32";
	case WASM_F64:
		return "f64";
	}
	return "nothing";
}

enum wasm_err_kind wasm_err_kind(enum wasm_err err)
{
	if (err == WASM_OK) {
		return WASM_KIND_OK;
	}
	if (err >= WASM_ERR_UNEXPECTED_END && err <= WASM_ERR_MALFORMED) {
		return WASM_KIND_MALFORMED;
	}
	if (err >= WASM_ERR_TYPE_MISMATCH && err <= WASM_ERR_START) {
		return WASM_KIND_INVALID;
	}
	return WASM_KIND_RESOURCE;
}

bool wasm_fail(struct wasm_loader *l, enum wasm_err code, const uint8_t *at, const char *reason)
{
	if (l->fatal.code == WASM_OK) {
		l->fatal.code = code;
		l->fatal.section = l->section;
		l->fatal.offset = wasm_offset(l, at);
		l->fatal.reason = reason;
	}
	return false;
}

bool wasm_fail_cursor(struct wasm_loader *l, const struct wasm_cursor *c)
{
	enum wasm_err code = c->err != WASM_OK ? c->err : WASM_ERR_MALFORMED;
	const char *reason = c->reason != NULL ? c->reason : "malformed";
	if (code == WASM_ERR_UNEXPECTED_END && l->section != WASM_SEC_NONE) {
		reason = "unexpected end of section or function";
	}
	return wasm_fail(l, code, c->fail_at != NULL ? c->fail_at : c->p, reason);
}

void wasm_invalid(struct wasm_loader *l, enum wasm_err code, const uint8_t *at, const char *reason)
{
	if (!l->valid) {
		return;
	}
	l->valid = false;
	l->invalid.code = code;
	l->invalid.section = l->section;
	l->invalid.offset = wasm_offset(l, at);
	l->invalid.reason = reason;
}

static void note_peak(struct wasm_loader *l, size_t extra)
{
	size_t used = l->lo + (l->cap - l->hi) + extra;
	if (used > l->peak) {
		l->peak = used;
	}
}

void wasm_arena_note(struct wasm_loader *l, size_t used)
{
	note_peak(l, used);
}

void *wasm_arena_keep(struct wasm_loader *l, size_t count, size_t size, const char *what)
{
	size_t start = (l->lo + 7u) & ~(size_t)7u;
	if (count == 0) {
		return NULL;
	}
	if (start > l->hi || count > (l->hi - start) / size) {
		wasm_fail(l, WASM_ERR_NO_MEMORY, l->section_at, what);
		return NULL;
	}
	l->lo = start + count * size;
	note_peak(l, 0);
	return l->arena + start;
}

void *wasm_arena_scratch(struct wasm_loader *l, size_t count, size_t size, const char *what)
{
	if (count == 0) {
		return NULL;
	}
	if (count > (l->hi - l->lo) / size || ((l->hi - count * size) & ~(size_t)7u) < l->lo) {
		wasm_fail(l, WASM_ERR_NO_MEMORY, l->section_at, what);
		return NULL;
	}
	l->hi = (l->hi - count * size) & ~(size_t)7u;
	note_peak(l, 0);
	return l->arena + l->hi;
}

/* Our own custom section "wasmbed.memory": one u32, the bytes of linear
 * memory the module needs (runtime.h, reduced-memory mode). */
static bool read_memory_need(struct wasm_loader *l, const uint8_t *name, uint32_t len, struct wasm_cursor *s)
{
	static const char want[] = "wasmbed.memory";
	if (len != sizeof want - 1 || memcmp(name, want, len) != 0) {
		return true;
	}
	const uint8_t *at = s->p;
	uint32_t need = wasm_u32(s);
	if (!wasm_cursor_ok(s) || s->p != s->end || need == 0) {
		return wasm_fail(l, WASM_ERR_MALFORMED, at, "wasmbed.memory section: not one non-zero u32");
	}
	l->m->memory_need = need;
	return true;
}

static bool read_module(struct wasm_loader *l, size_t len)
{
	struct wasm_cursor c = wasm_cursor_init(l->bytes, len);
	const uint8_t *magic = wasm_take(&c, 4);
	if (magic == NULL) {
		return wasm_fail_cursor(l, &c);
	}
	if (memcmp(magic, "\0asm", 4) != 0) {
		return wasm_fail(l, WASM_ERR_MAGIC, magic, "magic header not detected");
	}
	const uint8_t *version = wasm_take(&c, 4);
	if (version == NULL) {
		return wasm_fail_cursor(l, &c);
	}
	if (memcmp(version, "\1\0\0\0", 4) != 0) {
		return wasm_fail(l, WASM_ERR_VERSION, version, "unknown binary version");
	}
	uint8_t last = WASM_SEC_CUSTOM;
	while (wasm_cursor_left(&c) > 0) {
		const uint8_t *at = c.p;
		uint8_t id = wasm_u8(&c);
		if (id > WASM_SEC_DATA) {
			return wasm_fail(l, WASM_ERR_SECTION_ID, at, "invalid section id");
		}
		l->section = id;
		l->section_at = at;
		/* A size beyond the module reads what there is and fails where
		 * it runs out, as the reference interpreter does. */
		uint32_t size = wasm_u32(&c);
		size_t avail = wasm_cursor_left(&c);
		struct wasm_cursor s = wasm_sub(&c, size < avail ? size : avail);
		if (!wasm_cursor_ok(&c)) {
			return wasm_fail_cursor(l, &c);
		}
		if (id == WASM_SEC_CUSTOM) {
			/* Skipped, but its name must be UTF-8. */
			uint32_t name_len;
			const uint8_t *name = wasm_name(&s, &name_len);
			if (name == NULL) {
				return wasm_fail_cursor(l, &s);
			}
			if (!read_memory_need(l, name, name_len, &s)) {
				return false;
			}
		} else if (id <= last) {
			return wasm_fail(l, WASM_ERR_SECTION_ORDER, at, "section out of order or repeated");
		} else {
			last = id;
			if (!wasm_read_section(l, id, &s)) {
				return false;
			}
			if (!wasm_cursor_ok(&s)) {
				return wasm_fail_cursor(l, &s);
			}
			if (s.p != s.end) {
				return wasm_fail(l, WASM_ERR_SECTION_SIZE, s.p, "section size mismatch");
			}
		}
		if (size > avail) {
			return wasm_fail(l, WASM_ERR_UNEXPECTED_END, c.p, "unexpected end: section beyond the module");
		}
	}
	l->section = WASM_SEC_NONE;
	l->section_at = c.p;
	if (!wasm_read_section(l, WASM_SEC_NONE, &c)) {
		return false;
	}
	if (l->ncode != l->ndefined_funcs) {
		return wasm_fail(l, WASM_ERR_FUNC_CODE_COUNT, c.p,
				 "function and code section have inconsistent lengths");
	}
	return true;
}

enum wasm_err wasm_load(struct wasm_module *m, const uint8_t *bytes, size_t len, void *arena,
			size_t arena_size, struct wasm_error *err)
{
	static const uint8_t no_bytes[1];
	uint8_t no_arena[1]; /* capacity 0: never written, and no table points into it */
	struct wasm_loader l;
	memset(&l, 0, sizeof l);
	memset(m, 0, sizeof *m);

	size_t pad = arena != NULL ? (size_t)(-(uintptr_t)arena & 7u) : 0;
	if (arena == NULL || arena_size < pad) {
		l.arena = no_arena;
		l.cap = 0;
		pad = 0;
	} else {
		l.arena = (uint8_t *)arena + pad;
		l.cap = (arena_size - pad) & ~(size_t)7u; /* keeps every scratch start aligned */
	}
	l.hi = l.cap;
	l.bytes = bytes != NULL ? bytes : no_bytes;
	l.section_at = l.bytes;
	l.m = m;
	l.valid = true;
	l.section = WASM_SEC_NONE;
	m->bytes = l.bytes;
	m->start = WASM_NONE;
	m->table.import = WASM_NONE;
	m->memory.import = WASM_NONE;

	bool ok;
	if (bytes == NULL && len > 0) {
		ok = wasm_fail(&l, WASM_ERR_UNEXPECTED_END, l.bytes, "no module");
	} else if (len > UINT32_MAX) {
		ok = wasm_fail(&l, WASM_ERR_LIMIT, l.bytes, "module of 4 GiB or more");
	} else {
		ok = read_module(&l, len);
	}
	if (ok && !l.valid) {
		l.fatal = l.invalid;
		ok = false;
	}
	if (!ok) {
		memset(m, 0, sizeof *m);
		if (err != NULL) {
			*err = l.fatal;
		}
		return l.fatal.code;
	}
	m->size = (uint32_t)len;
	m->types = l.types;
	m->imports = l.imports;
	m->funcs = l.funcs;
	m->globals = l.globals;
	m->exports = l.exports;
	/* Never NULL: the interpreter adds a body's offset to it (NULL + 0 is
	 * undefined behaviour in C, even unused). */
	static const struct wasm_branch no_branches[1];
	m->side = l.side != NULL ? l.side : no_branches;
	m->arena_used = pad + l.lo;
	m->arena_peak = pad + ((l.peak + 7u) & ~(size_t)7u);
	if (err != NULL) {
		memset(err, 0, sizeof *err);
		err->section = WASM_SEC_NONE;
	}
	return WASM_OK;
}
