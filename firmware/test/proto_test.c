/* Host test of firmware/core/proto.c and cbor.c against the shared vectors.
 * Usage: proto_test testdata/proto/vectors.txt
 *    or: proto_test testdata   (the Makefile's way: the testdata root)
 *
 * Every vector is checked in both directions' decoders as its line says:
 * ok and accept vectors must decode to the line's dump, ok vectors must
 * re-encode to exactly their bytes, bad vectors must fail with their error. */
#include "proto.h"
#include "cbor.h"
#include "check.h"
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 16384
#define MAX_INPUT 8192

/* Field names, space-separated, per tag: must match Go's proto tags. */
static const char *const device_names[PROTO_DEVICE_TAGS] = {
	"seq uptime_ms free_ram counters apps", "", "key", "app_id state detail fuel", "app_id ok error",
	"app_id ok", "board firmware_version build_id ram capabilities", "code message",
	"app_id kind topic data",
};
static const char *const gateway_names[PROTO_GATEWAY_TAGS] = {
	"seq", "heartbeat_ms", "reason", "uuid", "app_id name size sha256", "app_id", "", "app_id",
	"app_id offset data", "app_id", "code message", "app_id data",
};
static const char app_status_names[] = "app_id state detail fuel";

static const char *const error_names[] = {
	"ok", "malformed", "unknown_tag", "not_enrolled", "too_large", "unsupported_version", "bad_field",
};

struct out {
	char buf[MAX_LINE];
	size_t len;
};

static void outf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->len, sizeof o->buf - o->len, fmt, ap);
	va_end(ap);
	if (n > 0) {
		o->len += (size_t)n;
		if (o->len >= sizeof o->buf) {
			o->len = sizeof o->buf - 1;
		}
	}
}

static void out_hex(struct out *o, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		outf(o, "%02x", p[i]);
	}
}

static void out_text(struct out *o, const struct proto_str *s)
{
	outf(o, "\"");
	for (size_t i = 0; i < s->len; i++) {
		uint8_t c = s->p[i];
		outf(o, c < 0x21 || c > 0x7e || c == '"' || c == '\\' ? "\\x%02x" : "%c", c);
	}
	outf(o, "\"");
}

static void dump_fields(struct out *o, const struct proto_field *f, size_t nf, const char *names,
			const uint8_t *base, const char *sep);

/* Writes the value of one field as Go's proto.Dump does. */
static void dump_field(struct out *o, uint8_t kind, const uint8_t *at)
{
	switch (kind) {
	case PROTO_K_UINT:
		outf(o, "%llu", (unsigned long long)*(const uint64_t *)(const void *)at);
		break;
	case PROTO_K_BOOL:
		outf(o, *(const bool *)(const void *)at ? "true" : "false");
		break;
	case PROTO_K_TSTR:
		out_text(o, (const struct proto_str *)(const void *)at);
		break;
	case PROTO_K_BSTR:
	case PROTO_K_CHUNK:
	case PROTO_K_DATA: {
		const struct proto_str *s = (const struct proto_str *)(const void *)at;
		out_hex(o, s->p, s->len);
		break;
	}
	case PROTO_K_ID:
	case PROTO_K_KEY:
		out_hex(o, *(const uint8_t *const *)(const void *)at, kind == PROTO_K_ID ? PROTO_ID_LEN : PROTO_KEY_LEN);
		break;
	case PROTO_K_UINTS: {
		const struct proto_uints *u = (const struct proto_uints *)(const void *)at;
		outf(o, "[");
		for (size_t i = 0; i < u->n; i++) {
			outf(o, "%s%llu", i > 0 ? "," : "", (unsigned long long)u->v[i]);
		}
		outf(o, "]");
		break;
	}
	case PROTO_K_TSTRS: {
		const struct proto_strs *t = (const struct proto_strs *)(const void *)at;
		outf(o, "[");
		for (size_t i = 0; i < t->n; i++) {
			outf(o, i > 0 ? "," : "");
			out_text(o, &t->v[i]);
		}
		outf(o, "]");
		break;
	}
	case PROTO_K_APPS: {
		const struct proto_apps *a = (const struct proto_apps *)(const void *)at;
		size_t nf;
		const struct proto_field *f = proto_app_status_fields(&nf);
		outf(o, "[");
		for (size_t i = 0; i < a->n; i++) {
			outf(o, "%s{", i > 0 ? "," : "");
			dump_fields(o, f, nf, app_status_names, (const uint8_t *)&a->v[i], "");
			outf(o, "}");
		}
		outf(o, "]");
		break;
	}
	}
}

/* Writes "<sep>name=value" for each field, sep being " " after the first. */
static void dump_fields(struct out *o, const struct proto_field *f, size_t nf, const char *names,
			const uint8_t *base, const char *sep)
{
	for (size_t i = 0; i < nf; i++) {
		size_t n = strcspn(names, " ");
		outf(o, "%s%.*s=", i > 0 ? " " : sep, (int)n, names);
		names += n + (names[n] == ' ');
		dump_field(o, f[i].kind, base + f[i].offset);
	}
}

static void dump(struct out *o, enum proto_dir dir, uint64_t msg_id, uint8_t tag, const void *msg)
{
	size_t nf;
	const struct proto_field *f = proto_fields(dir, tag, &nf);
	o->len = 0;
	o->buf[0] = 0;
	outf(o, "id=%llu tag=%u", (unsigned long long)msg_id, tag);
	dump_fields(o, f, nf, dir == PROTO_FROM_DEVICE ? device_names[tag] : gateway_names[tag], msg, " ");
}

static bool unhex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(s);
	if (strcmp(s, "-") == 0) {
		*len = 0;
		return true;
	}
	return hex_decode(s, n, out, cap, len);
}

static uint8_t input[MAX_INPUT];
static uint8_t enc[PROTO_MAX_MESSAGE];
static struct out got;

/* Decodes input[0..len) from dir; returns the error, dumps on success. */
static enum proto_err decode(enum proto_dir dir, size_t len, struct proto_device_msg *dm,
			     struct proto_gateway_msg *gm)
{
	enum proto_err err;
	if (dir == PROTO_FROM_DEVICE) {
		err = proto_decode_from_device(input, len, dm);
		if (err == PROTO_OK) {
			dump(&got, dir, dm->msg_id, dm->tag, &dm->u);
		}
	} else {
		err = proto_decode_from_gateway(input, len, gm);
		if (err == PROTO_OK) {
			dump(&got, dir, gm->msg_id, gm->tag, &gm->u);
		}
	}
	return err;
}

/* Checks one vector line; returns false if the line is malformed. */
static bool check_line(int lineno, char *line)
{
	char *kind = strtok(line, " ");
	char *dirs = strtok(NULL, " ");
	if (kind == NULL || dirs == NULL || (strcmp(dirs, "d2g") != 0 && strcmp(dirs, "g2d") != 0)) {
		return false;
	}
	enum proto_dir dir = strcmp(dirs, "d2g") == 0 ? PROTO_FROM_DEVICE : PROTO_FROM_GATEWAY;
	bool good = strcmp(kind, "ok") == 0 || strcmp(kind, "accept") == 0;
	if (!good && strcmp(kind, "bad") != 0) {
		return false;
	}
	if (good && strtok(NULL, " ") == NULL) { /* message name */
		return false;
	}
	char *hx = strtok(NULL, " ");
	char *rest = strtok(NULL, ""); /* dump, or error name */
	size_t len;
	if (hx == NULL || rest == NULL || !unhex(hx, input, sizeof input, &len)) {
		return false;
	}
	static struct proto_device_msg dm;
	static struct proto_gateway_msg gm;
	enum proto_err err = decode(dir, len, &dm, &gm);
	if (!good) {
		const char *name = (size_t)err < sizeof error_names / sizeof error_names[0] ? error_names[err] : "?";
		if (!CHECK(strcmp(name, rest) == 0)) {
			fprintf(stderr, "    line %d: got %s, want %s\n", lineno, name, rest);
		}
		return true;
	}
	if (!CHECK_EQ(err, PROTO_OK)) {
		fprintf(stderr, "    line %d\n", lineno);
		return true;
	}
	if (!CHECK(strcmp(got.buf, rest) == 0)) {
		fprintf(stderr, "    line %d:\n    got  %s\n    want %s\n", lineno, got.buf, rest);
	}
	if (strcmp(kind, "ok") == 0) {
		size_t n = dir == PROTO_FROM_DEVICE ? proto_encode_from_device(&dm, enc, sizeof enc)
						    : proto_encode_from_gateway(&gm, enc, sizeof enc);
		if (CHECK_EQ(n, len)) {
			CHECK_MEM(enc, input, len);
		}
		/* Every smaller buffer is refused, and nothing is written past it. */
		for (size_t cap = 0; cap < len; cap += 1 + cap / 8) {
			size_t m = dir == PROTO_FROM_DEVICE ? proto_encode_from_device(&dm, enc, cap)
							    : proto_encode_from_gateway(&gm, enc, cap);
			CHECK_EQ(m, 0);
		}
	}
	return true;
}

static FILE *open_vectors(const char *arg)
{
	char path[4096];
	size_t n = strlen(arg);
	if (n > 4 && strcmp(arg + n - 4, ".txt") == 0) {
		return fopen(arg, "r");
	}
	snprintf(path, sizeof path, "%s/proto/vectors.txt", arg);
	return fopen(path, "r");
}

/* A few checks the vectors do not cover. */
static void check_misc(void)
{
	struct proto_device_msg m = {0};
	m.tag = PROTO_DEVICE_TAGS;
	CHECK_EQ(proto_encode_from_device(&m, enc, sizeof enc), 0);
	m.tag = PROTO_ENROLLMENT_REQUEST;
	CHECK_EQ(proto_encode_from_device(&m, enc, sizeof enc), 9); /* 00000005 8300008101 */
	m.tag = PROTO_PUBLIC_KEY; /* NULL key */
	CHECK_EQ(proto_encode_from_device(&m, enc, sizeof enc), 0);
	m.tag = PROTO_DEVICE_ERROR;
	m.u.error.message = (struct proto_str){(const uint8_t *)"\xc3", 1};
	CHECK_EQ(proto_encode_from_device(&m, enc, sizeof enc), 0);

	static const uint8_t id[PROTO_ID_LEN];
	struct proto_gateway_msg g = {0};
	g.tag = PROTO_DEPLOY_CHUNK;
	g.u.deploy_chunk.app_id = id;
	g.u.deploy_chunk.data = (struct proto_str){input, PROTO_MAX_CHUNK + 1};
	CHECK_EQ(proto_encode_from_gateway(&g, enc, sizeof enc), 0);

	/* A heartbeat over the envelope limit is refused even with room. */
	static uint8_t big[2 * PROTO_MAX_MESSAGE];
	m = (struct proto_device_msg){0};
	m.tag = PROTO_DEVICE_INFO;
	memset(input, 'x', sizeof input);
	m.u.device_info.board = (struct proto_str){input, PROTO_MAX_ENVELOPE};
	CHECK_EQ(proto_encode_from_device(&m, big, sizeof big), 0);

	static const struct {
		const char *s;
		bool ok;
	} utf8[] = {
		{"", true}, {"a\x7f", true}, {"\xc2\x80", true}, {"\xdf\xbf", true}, {"\xe0\xa0\x80", true},
		{"\xed\x9f\xbf", true}, {"\xee\x80\x80", true}, {"\xf0\x90\x80\x80", true}, {"\xf4\x8f\xbf\xbf", true},
		{"\x80", false}, {"\xc0\x80", false}, {"\xc1\xbf", false}, {"\xe0\x9f\xbf", false},
		{"\xed\xa0\x80", false}, {"\xf0\x8f\xbf\xbf", false}, {"\xf4\x90\x80\x80", false},
		{"\xf5\x80\x80\x80", false}, {"\xc3", false}, {"\xe2\x82", false}, {"\xc3\x28", false},
		{"\xff", false},
	};
	for (size_t i = 0; i < sizeof utf8 / sizeof utf8[0]; i++) {
		if (!CHECK(cbor_utf8_valid((const uint8_t *)utf8[i].s, strlen(utf8[i].s)) == utf8[i].ok)) {
			fprintf(stderr, "    utf8 case %zu\n", i);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s testdata/proto/vectors.txt | testdata\n", argv[0]);
		return 2;
	}
	FILE *f = open_vectors(argv[1]);
	if (f == NULL) {
		perror(argv[1]);
		return 1;
	}
	static char line[MAX_LINE];
	int lineno = 0;
	unsigned loaded = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (line[0] == 0 || line[0] == '#') {
			continue;
		}
		if (!CHECK(check_line(lineno, line))) {
			fprintf(stderr, "    line %d: malformed vector\n", lineno);
		}
		loaded++;
	}
	fclose(f);
	CHECK(loaded > 0);
	check_misc();
	return check_report("proto");
}
