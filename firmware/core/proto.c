#include "proto.h"

#include "cbor.h"
#include "cursor.h"

#include <stddef.h>

/* ---- Schema ---- */

#define F(kind, type, member) {PROTO_K_##kind, (uint8_t)offsetof(struct type, member)}

static const struct proto_field app_status_fields[] = {
	F(ID, proto_app_status, app_id), F(UINT, proto_app_status, state), F(TSTR, proto_app_status, detail),
	F(UINT, proto_app_status, fuel),
};
static const struct proto_field heartbeat_fields[] = {
	F(UINT, proto_heartbeat, seq), F(UINT, proto_heartbeat, uptime_ms), F(UINT, proto_heartbeat, free_ram),
	F(UINTS, proto_heartbeat, counters), F(APPS, proto_heartbeat, apps),
};
static const struct proto_field public_key_fields[] = {F(KEY, proto_public_key, key)};
static const struct proto_field application_status_fields[] = {
	F(ID, proto_application_status, app_id), F(UINT, proto_application_status, state),
	F(TSTR, proto_application_status, detail), F(UINT, proto_application_status, fuel),
};
static const struct proto_field deploy_ack_fields[] = {
	F(ID, proto_application_deploy_ack, app_id), F(BOOL, proto_application_deploy_ack, ok),
	F(TSTR, proto_application_deploy_ack, error),
};
static const struct proto_field stop_ack_fields[] = {
	F(ID, proto_application_stop_ack, app_id), F(BOOL, proto_application_stop_ack, ok),
};
static const struct proto_field device_info_fields[] = {
	F(TSTR, proto_device_info, board), F(TSTR, proto_device_info, firmware_version),
	F(BSTR, proto_device_info, build_id), F(UINT, proto_device_info, ram),
	F(TSTRS, proto_device_info, capabilities),
};
static const struct proto_field error_fields[] = {F(UINT, proto_error, code), F(TSTR, proto_error, message)};
static const struct proto_field app_event_fields[] = {
	F(ID, proto_app_event, app_id), F(UINT, proto_app_event, kind), F(TSTR, proto_app_event, topic),
	F(DATA, proto_app_event, data),
};
static const struct proto_field app_message_fields[] = {
	F(ID, proto_app_message, app_id), F(DATA, proto_app_message, data),
};
static const struct proto_field heartbeat_ack_fields[] = {F(UINT, proto_heartbeat_ack, seq)};
static const struct proto_field enrollment_accepted_fields[] = {F(UINT, proto_enrollment_accepted, heartbeat_ms)};
static const struct proto_field enrollment_rejected_fields[] = {F(TSTR, proto_enrollment_rejected, reason)};
static const struct proto_field device_uuid_fields[] = {F(ID, proto_device_uuid, uuid)};
static const struct proto_field deploy_application_fields[] = {
	F(ID, proto_deploy_application, app_id), F(TSTR, proto_deploy_application, name),
	F(UINT, proto_deploy_application, size), F(KEY, proto_deploy_application, sha256),
};
static const struct proto_field app_ref_fields[] = {F(ID, proto_app_ref, app_id)};
static const struct proto_field deploy_chunk_fields[] = {
	F(ID, proto_deploy_chunk, app_id), F(UINT, proto_deploy_chunk, offset), F(CHUNK, proto_deploy_chunk, data),
};

/* The most bytes a byte string of this kind holds. */
static size_t bstr_max(uint8_t kind)
{
	return kind == PROTO_K_CHUNK ? PROTO_MAX_CHUNK : kind == PROTO_K_DATA ? PROTO_MAX_EVENT_DATA : PROTO_MAX_ENVELOPE;
}

struct schema {
	const struct proto_field *fields;
	uint8_t n;
};

#define S(a) {a, (uint8_t)(sizeof a / sizeof a[0])}
#define NONE {NULL, 0}

static const struct schema device_schema[PROTO_DEVICE_TAGS] = {
	S(heartbeat_fields), NONE, S(public_key_fields), S(application_status_fields),
	S(deploy_ack_fields), S(stop_ack_fields), S(device_info_fields), S(error_fields),
	S(app_event_fields),
};
static const struct schema gateway_schema[PROTO_GATEWAY_TAGS] = {
	S(heartbeat_ack_fields), S(enrollment_accepted_fields), S(enrollment_rejected_fields),
	S(device_uuid_fields), S(deploy_application_fields), S(app_ref_fields), NONE,
	S(app_ref_fields), S(deploy_chunk_fields), S(app_ref_fields), S(error_fields),
	S(app_message_fields),
};

const struct proto_field *proto_fields(enum proto_dir dir, unsigned tag, size_t *n)
{
	const struct schema *s = NULL;
	if (dir == PROTO_FROM_DEVICE && tag < PROTO_DEVICE_TAGS) {
		s = &device_schema[tag];
	} else if (dir == PROTO_FROM_GATEWAY && tag < PROTO_GATEWAY_TAGS) {
		s = &gateway_schema[tag];
	}
	*n = s != NULL ? s->n : 0;
	return s != NULL ? s->fields : NULL;
}

const struct proto_field *proto_app_status_fields(size_t *n)
{
	*n = sizeof app_status_fields / sizeof app_status_fields[0];
	return app_status_fields;
}

/* ---- Decoding ---- */

/* Reads a head of major type want; false (c left as is or bad) if not. */
static bool head_is(struct cursor *c, uint8_t want, uint64_t *arg)
{
	uint8_t major;
	return cbor_head(c, &major, arg) && major == want;
}

/* Reads a string of major type major into s. */
static enum proto_err get_string(struct cursor *c, uint8_t major, struct proto_str *s)
{
	uint64_t len;
	if (!head_is(c, major, &len)) {
		return PROTO_ERR_BAD_FIELD;
	}
	/* The envelope is well-formed: the bytes are there. */
	s->len = (size_t)len;
	s->p = cur_take(c, s->len);
	if (major == CBOR_TSTR && !cbor_utf8_valid(s->p, s->len)) {
		return PROTO_ERR_BAD_FIELD;
	}
	return PROTO_OK;
}

static enum proto_err get_fields(struct cursor *c, const struct proto_field *f, size_t nf, uint8_t *base,
				 uint64_t count);

/* Reads an array head into *count, refusing more than cap items. */
static enum proto_err get_array(struct cursor *c, uint64_t cap, size_t *count)
{
	uint64_t n;
	if (!head_is(c, CBOR_ARRAY, &n)) {
		return PROTO_ERR_BAD_FIELD;
	}
	*count = (size_t)n;
	return n > cap ? PROTO_ERR_TOO_LARGE : PROTO_OK;
}

static enum proto_err get_field(struct cursor *c, uint8_t kind, uint8_t *at)
{
	enum proto_err err = PROTO_OK;
	struct proto_str s;
	size_t n;
	switch (kind) {
	case PROTO_K_UINT:
		return head_is(c, CBOR_UINT, (uint64_t *)(void *)at) ? PROTO_OK : PROTO_ERR_BAD_FIELD;
	case PROTO_K_BOOL: {
		uint8_t b = cur_u8(c);
		*(bool *)(void *)at = b == CBOR_TRUE;
		return b == CBOR_TRUE || b == CBOR_FALSE ? PROTO_OK : PROTO_ERR_BAD_FIELD;
	}
	case PROTO_K_TSTR:
		return get_string(c, CBOR_TSTR, (struct proto_str *)(void *)at);
	case PROTO_K_BSTR:
	case PROTO_K_CHUNK:
	case PROTO_K_DATA:
		err = get_string(c, CBOR_BSTR, (struct proto_str *)(void *)at);
		if (err == PROTO_OK && ((struct proto_str *)(void *)at)->len > bstr_max(kind)) {
			err = PROTO_ERR_BAD_FIELD;
		}
		return err;
	case PROTO_K_ID:
	case PROTO_K_KEY:
		err = get_string(c, CBOR_BSTR, &s);
		if (err == PROTO_OK && s.len != (kind == PROTO_K_ID ? PROTO_ID_LEN : PROTO_KEY_LEN)) {
			err = PROTO_ERR_BAD_FIELD;
		}
		*(const uint8_t **)(void *)at = s.p;
		return err;
	case PROTO_K_UINTS: {
		struct proto_uints *u = (struct proto_uints *)(void *)at;
		err = get_array(c, PROTO_MAX_COUNTERS, &n);
		for (u->n = 0; err == PROTO_OK && u->n < n; u->n++) {
			err = get_field(c, PROTO_K_UINT, (uint8_t *)&u->v[u->n]);
		}
		return err;
	}
	case PROTO_K_TSTRS: {
		struct proto_strs *t = (struct proto_strs *)(void *)at;
		err = get_array(c, PROTO_MAX_CAPABILITIES, &n);
		for (t->n = 0; err == PROTO_OK && t->n < n; t->n++) {
			err = get_string(c, CBOR_TSTR, &t->v[t->n]);
		}
		return err;
	}
	case PROTO_K_APPS: {
		struct proto_apps *a = (struct proto_apps *)(void *)at;
		err = get_array(c, PROTO_MAX_APPS, &n);
		for (a->n = 0; err == PROTO_OK && a->n < n; a->n++) {
			uint64_t items;
			if (!head_is(c, CBOR_ARRAY, &items)) {
				return PROTO_ERR_BAD_FIELD;
			}
			err = get_fields(c, app_status_fields, sizeof app_status_fields / sizeof app_status_fields[0],
					 (uint8_t *)&a->v[a->n], items);
		}
		return err;
	}
	}
	return PROTO_ERR_BAD_FIELD;
}

/* Reads the fields f[0..nf) of an array of count items, after its head, and
 * skips the items past them. */
static enum proto_err get_fields(struct cursor *c, const struct proto_field *f, size_t nf, uint8_t *base,
				 uint64_t count)
{
	for (size_t i = 0; i < nf; i++) {
		if (i >= count) {
			return PROTO_ERR_BAD_FIELD;
		}
		enum proto_err err = get_field(c, f[i].kind, base + f[i].offset);
		if (err != PROTO_OK) {
			return err;
		}
	}
	for (uint64_t i = nf; i < count; i++) {
		cbor_skip(c, 0); /* well-formed: checked before */
	}
	return PROTO_OK;
}

static enum proto_err decode(enum proto_dir dir, const uint8_t *buf, size_t len, uint64_t *msg_id,
			     uint8_t *tag, void *msg)
{
	struct cursor c = cur_init(buf, len);
	uint32_t n = cur_uint(&c, 4);
	if (!cur_ok(&c)) {
		return PROTO_ERR_MALFORMED;
	}
	if (n > PROTO_MAX_ENVELOPE) {
		return PROTO_ERR_TOO_LARGE;
	}
	if (n == 0 || cur_left(&c) != n) {
		return PROTO_ERR_MALFORMED;
	}
	struct cursor all = c;
	if (!cbor_skip(&all, 0) || !cur_done(&all)) {
		return PROTO_ERR_MALFORMED;
	}
	uint64_t items, version, body;
	if (!head_is(&c, CBOR_ARRAY, &items) || items == 0 || !head_is(&c, CBOR_UINT, &version)) {
		return PROTO_ERR_MALFORMED;
	}
	if (version != PROTO_VERSION) {
		return PROTO_ERR_UNSUPPORTED_VERSION;
	}
	uint64_t t;
	if (items != 3 || !head_is(&c, CBOR_UINT, msg_id) || !head_is(&c, CBOR_ARRAY, &body) || body == 0 ||
	    !head_is(&c, CBOR_UINT, &t)) {
		return PROTO_ERR_MALFORMED;
	}
	if (t >= (dir == PROTO_FROM_DEVICE ? PROTO_DEVICE_TAGS : PROTO_GATEWAY_TAGS)) {
		return PROTO_ERR_UNKNOWN_TAG;
	}
	size_t nf;
	const struct proto_field *f = proto_fields(dir, (unsigned)t, &nf);
	*tag = (uint8_t)t;
	return get_fields(&c, f, nf, msg, body - 1u);
}

enum proto_err proto_decode_from_gateway(const uint8_t *buf, size_t len, struct proto_gateway_msg *out)
{
	return decode(PROTO_FROM_GATEWAY, buf, len, &out->msg_id, &out->tag, &out->u);
}

enum proto_err proto_decode_from_device(const uint8_t *buf, size_t len, struct proto_device_msg *out)
{
	return decode(PROTO_FROM_DEVICE, buf, len, &out->msg_id, &out->tag, &out->u);
}

/* ---- Encoding ---- */

static bool put_string(struct cbor_writer *w, uint8_t major, const struct proto_str *s, size_t max)
{
	if ((s->p == NULL && s->len > 0) || s->len > max ||
	    (major == CBOR_TSTR && !cbor_utf8_valid(s->p, s->len))) {
		return false;
	}
	cbor_put_string(w, major, s->p, s->len);
	return true;
}

static bool put_fields(struct cbor_writer *w, const struct proto_field *f, size_t nf, const uint8_t *base);

static bool put_field(struct cbor_writer *w, uint8_t kind, const uint8_t *at)
{
	switch (kind) {
	case PROTO_K_UINT:
		cbor_put_head(w, CBOR_UINT, *(const uint64_t *)(const void *)at);
		return true;
	case PROTO_K_BOOL:
		cbor_put_bool(w, *(const bool *)(const void *)at);
		return true;
	case PROTO_K_TSTR:
		return put_string(w, CBOR_TSTR, (const struct proto_str *)(const void *)at, PROTO_MAX_ENVELOPE);
	case PROTO_K_BSTR:
	case PROTO_K_CHUNK:
	case PROTO_K_DATA:
		return put_string(w, CBOR_BSTR, (const struct proto_str *)(const void *)at, bstr_max(kind));
	case PROTO_K_ID:
	case PROTO_K_KEY: {
		struct proto_str s = {*(const uint8_t *const *)(const void *)at,
				      kind == PROTO_K_ID ? PROTO_ID_LEN : PROTO_KEY_LEN};
		return s.p != NULL && put_string(w, CBOR_BSTR, &s, s.len);
	}
	case PROTO_K_UINTS: {
		const struct proto_uints *u = (const struct proto_uints *)(const void *)at;
		if (u->n > PROTO_MAX_COUNTERS) {
			return false;
		}
		cbor_put_head(w, CBOR_ARRAY, u->n);
		for (size_t i = 0; i < u->n; i++) {
			cbor_put_head(w, CBOR_UINT, u->v[i]);
		}
		return true;
	}
	case PROTO_K_TSTRS: {
		const struct proto_strs *t = (const struct proto_strs *)(const void *)at;
		bool ok = t->n <= PROTO_MAX_CAPABILITIES;
		cbor_put_head(w, CBOR_ARRAY, t->n);
		for (size_t i = 0; ok && i < t->n; i++) {
			ok = put_string(w, CBOR_TSTR, &t->v[i], PROTO_MAX_ENVELOPE);
		}
		return ok;
	}
	case PROTO_K_APPS: {
		const struct proto_apps *a = (const struct proto_apps *)(const void *)at;
		bool ok = a->n <= PROTO_MAX_APPS;
		cbor_put_head(w, CBOR_ARRAY, a->n);
		for (size_t i = 0; ok && i < a->n; i++) {
			ok = put_fields(w, app_status_fields, sizeof app_status_fields / sizeof app_status_fields[0],
					(const uint8_t *)&a->v[i]);
		}
		return ok;
	}
	}
	return false;
}

/* Writes the array of the fields f[0..nf). */
static bool put_fields(struct cbor_writer *w, const struct proto_field *f, size_t nf, const uint8_t *base)
{
	cbor_put_head(w, CBOR_ARRAY, nf);
	for (size_t i = 0; i < nf; i++) {
		if (!put_field(w, f[i].kind, base + f[i].offset)) {
			return false;
		}
	}
	return true;
}

static size_t encode(enum proto_dir dir, uint64_t msg_id, uint8_t tag, const void *msg, uint8_t *out, size_t cap)
{
	size_t nf;
	const struct proto_field *f = proto_fields(dir, tag, &nf);
	if (cap < PROTO_PREFIX || tag >= (dir == PROTO_FROM_DEVICE ? PROTO_DEVICE_TAGS : PROTO_GATEWAY_TAGS)) {
		return 0;
	}
	size_t room = cap - PROTO_PREFIX < PROTO_MAX_ENVELOPE ? cap - PROTO_PREFIX : PROTO_MAX_ENVELOPE;
	struct cbor_writer w = cbor_writer_init(out + PROTO_PREFIX, room);
	cbor_put_head(&w, CBOR_ARRAY, 3);
	cbor_put_head(&w, CBOR_UINT, PROTO_VERSION);
	cbor_put_head(&w, CBOR_UINT, msg_id);
	cbor_put_head(&w, CBOR_ARRAY, 1u + nf);
	cbor_put_head(&w, CBOR_UINT, tag);
	for (size_t i = 0; i < nf; i++) {
		if (!put_field(&w, f[i].kind, (const uint8_t *)msg + f[i].offset)) {
			return 0;
		}
	}
	if (w.bad) {
		return 0;
	}
	size_t n = (size_t)(w.p - (out + PROTO_PREFIX));
	for (size_t i = 0; i < PROTO_PREFIX; i++) {
		out[i] = (uint8_t)(n >> (8u * (PROTO_PREFIX - 1u - i)));
	}
	return PROTO_PREFIX + n;
}

size_t proto_encode_from_device(const struct proto_device_msg *m, uint8_t *out, size_t cap)
{
	return encode(PROTO_FROM_DEVICE, m->msg_id, m->tag, &m->u, out, cap);
}

size_t proto_encode_from_gateway(const struct proto_gateway_msg *m, uint8_t *out, size_t cap)
{
	return encode(PROTO_FROM_GATEWAY, m->msg_id, m->tag, &m->u, out, cap);
}
