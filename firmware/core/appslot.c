#include "appslot.h"

#include <string.h>

#include "abi.h"
#include "fmt.h"

/* The largest event: its header, a topic and a published message. */
#define EVENT_HEAD 4u
#define EVENT_MAX (EVENT_HEAD + WASMBED_MAX_TOPIC + WASMBED_MAX_PUBLISH)
_Static_assert(APPSLOT_QUEUE >= EVENT_MAX, "APPSLOT_QUEUE holds at least the largest event");
_Static_assert(APPSLOT_INBOX >= 2u + PROTO_MAX_EVENT_DATA, "APPSLOT_INBOX holds at least the largest message");
_Static_assert(WASMBED_MAX_LOG <= PROTO_MAX_EVENT_DATA && WASMBED_MAX_PUBLISH <= PROTO_MAX_EVENT_DATA,
	       "an event's data fits one AppEvent");

static struct appslot *slot_of(void *ctx)
{
	return ctx;
}

/* ---- Console ---- */

/* "app NAME: what[detail]"; fmt_mem shows unprintable bytes as '?'. */
static void say(struct appslot *s, const char *what, const char *detail, size_t detail_len)
{
	if (s->console == NULL) {
		return;
	}
	char line[WASMBED_MAX_LOG + 64];
	struct fmt f = fmt_init(line, sizeof line);
	fmt_str(&f, "app ");
	fmt_str(&f, s->name);
	fmt_str(&f, ": ");
	fmt_str(&f, what);
	fmt_mem(&f, detail, detail_len);
	s->console(fmt_end(&f));
}

static void say_detail(struct appslot *s, const char *what)
{
	say(s, what, s->app.detail, strlen(s->app.detail));
}

/* ---- Events ---- */

static bool emit(void *ctx, unsigned kind, const uint8_t *topic, size_t topic_len, const uint8_t *data, size_t len)
{
	struct appslot *s = slot_of(ctx);
	if (kind == PROTO_EVENT_LOG) {
		say(s, "", (const char *)data, len);
		if (!s->session_up) {
			s->logs_dropped++; /* the console has it; nobody would read it later */
			return true;
		}
	}
	size_t need = EVENT_HEAD + topic_len + len;
	if (need > sizeof s->queue - s->queued) {
		s->logs_dropped += kind == PROTO_EVENT_LOG;
		return false;
	}
	uint8_t *e = s->queue + s->queued;
	e[0] = (uint8_t)kind;
	e[1] = (uint8_t)topic_len;
	e[2] = (uint8_t)len;
	e[3] = (uint8_t)(len >> 8);
	if (topic_len > 0) { /* a log line has no topic: NULL */
		memcpy(e + EVENT_HEAD, topic, topic_len);
	}
	memcpy(e + EVENT_HEAD + topic_len, data, len);
	s->queued += need;
	return true;
}

static bool room(void *ctx)
{
	struct appslot *s = slot_of(ctx);
	return sizeof s->queue - s->queued >= EVENT_MAX;
}

static size_t event_len(const uint8_t *e)
{
	return EVENT_HEAD + e[1] + ((size_t)e[2] | (size_t)e[3] << 8);
}

/* What an ApplicationStatus reports: sleeping is running, to the gateway. */
static uint8_t reported_state(const struct appslot *s)
{
	return s->app.state == APP_SLEEPING ? APP_RUNNING : (uint8_t)s->app.state;
}

static bool next(void *ctx, struct proto_device_msg *m)
{
	struct appslot *s = slot_of(ctx);
	if (s->queued > 0) {
		const uint8_t *e = s->queue;
		m->tag = PROTO_APP_EVENT;
		m->u.app_event.app_id = s->id;
		m->u.app_event.kind = e[0];
		m->u.app_event.topic = (struct proto_str){e + EVENT_HEAD, e[1]};
		m->u.app_event.data = (struct proto_str){e + EVENT_HEAD + e[1], event_len(e) - EVENT_HEAD - e[1]};
		return true;
	}
	if (s->has_id && reported_state(s) != s->reported) {
		m->tag = PROTO_APPLICATION_STATUS;
		m->u.application_status.app_id = s->id;
		m->u.application_status.state = reported_state(s);
		m->u.application_status.detail = (struct proto_str){(const uint8_t *)s->app.detail, strlen(s->app.detail)};
		m->u.application_status.fuel = s->app.thread.fuel_used;
		return true;
	}
	return false;
}

static void sent(void *ctx)
{
	struct appslot *s = slot_of(ctx);
	if (s->queued > 0) {
		size_t n = event_len(s->queue);
		memmove(s->queue, s->queue + n, s->queued - n);
		s->queued -= n;
	} else {
		s->reported = reported_state(s);
	}
}

static void session(void *ctx, bool up)
{
	slot_of(ctx)->session_up = up;
}

static void status(void *ctx, struct proto_apps *apps)
{
	struct appslot *s = slot_of(ctx);
	apps->n = 0;
	if (s->has_id) {
		struct proto_app_status *a = &apps->v[apps->n++];
		a->app_id = s->id;
		a->state = (uint8_t)s->app.state;
		a->detail = (struct proto_str){(const uint8_t *)s->app.detail, strlen(s->app.detail)};
		a->fuel = s->app.thread.fuel_used;
	}
}

/* ---- Messages for the app ---- */

#define INBOX_HEAD 2u

static int32_t receive(void *ctx, uint8_t *buf, size_t cap)
{
	struct appslot *s = slot_of(ctx);
	if (s->inboxed == 0) {
		return WASMBED_EEMPTY;
	}
	size_t len = (size_t)s->inbox[0] | (size_t)s->inbox[1] << 8;
	if (len > cap) {
		return WASMBED_ETOOBIG;
	}
	memcpy(buf, s->inbox + INBOX_HEAD, len);
	memmove(s->inbox, s->inbox + INBOX_HEAD + len, s->inboxed - INBOX_HEAD - len);
	s->inboxed -= INBOX_HEAD + len;
	return (int32_t)len;
}

static enum proto_err deliver(struct appslot *s, struct proto_str data)
{
	if (INBOX_HEAD + data.len > sizeof s->inbox - s->inboxed) {
		return PROTO_ERR_UNEXPECTED; /* full: the app does not keep up */
	}
	uint8_t *m = s->inbox + s->inboxed;
	m[0] = (uint8_t)data.len;
	m[1] = (uint8_t)(data.len >> 8);
	memcpy(m + INBOX_HEAD, data.p, data.len);
	s->inboxed += INBOX_HEAD + data.len;
	return PROTO_OK;
}

/* ---- Deploys ---- */

static bool is_current(const struct appslot *s, const uint8_t *id)
{
	return s->has_id && memcmp(s->id, id, sizeof s->id) == 0;
}

/* The deploy in progress has failed: the reason is kept for the commit's
 * answer, and the rest of its chunks are ignored. */
static void deploy_fails(struct appslot *s, struct fmt *f)
{
	fmt_end(f);
	s->deploy_failed = true;
}

static void begin(struct appslot *s, const struct proto_deploy_application *d)
{
	app_reset(&s->app, APP_DEPLOYING);
	s->inboxed = 0; /* the messages were for the app it replaces */
	s->has_id = true;
	s->deploy_failed = false;
	memcpy(s->id, d->app_id, sizeof s->id);
	memcpy(s->sha256, d->sha256, sizeof s->sha256);
	s->size = d->size;
	s->received = 0;
	s->reported = APP_DEPLOYING;
	sha256_init(&s->hash);
	size_t n = d->name.len < sizeof s->name - 1u ? d->name.len : sizeof s->name - 1u;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = d->name.p[i];
		s->name[i] = c > 0x20u && c < 0x7fu ? (char)c : '_';
	}
	s->name[n] = '\0';
	struct fmt f = fmt_init(s->app.detail, sizeof s->app.detail);
	if (d->size == 0) {
		fmt_str(&f, "the app is empty");
		deploy_fails(s, &f);
	} else if (d->size > s->app.buf.module_cap) {
		fmt_str(&f, "the app is ");
		fmt_u64(&f, d->size);
		fmt_str(&f, " bytes, this board takes at most ");
		fmt_u64(&f, s->app.buf.module_cap);
		deploy_fails(s, &f);
	}
}

static void chunk(struct appslot *s, const struct proto_deploy_chunk *c)
{
	if (s->deploy_failed) {
		return;
	}
	struct fmt f = fmt_init(s->app.detail, sizeof s->app.detail);
	if (c->offset != s->received) {
		fmt_str(&f, "a chunk at offset ");
		fmt_u64(&f, c->offset);
		fmt_str(&f, ", expected ");
		fmt_u64(&f, s->received);
		deploy_fails(s, &f);
	} else if (c->data.len > s->size - s->received) {
		fmt_str(&f, "the chunks run past the app's ");
		fmt_u64(&f, s->size);
		fmt_str(&f, " bytes");
		deploy_fails(s, &f);
	} else {
		memcpy(s->app.buf.module + s->received, c->data.p, c->data.len);
		sha256_update(&s->hash, c->data.p, c->data.len);
		s->received += c->data.len;
	}
}

/* Checks what arrived and starts it; returns whether it runs. */
static bool commit(struct appslot *s)
{
	uint8_t sum[PROTO_KEY_LEN];
	sha256_final(&s->hash, sum);
	struct fmt f = fmt_init(s->app.detail, sizeof s->app.detail);
	if (!s->deploy_failed && s->received != s->size) {
		fmt_str(&f, "got ");
		fmt_u64(&f, s->received);
		fmt_str(&f, " of the app's ");
		fmt_u64(&f, s->size);
		fmt_str(&f, " bytes");
		deploy_fails(s, &f);
	} else if (!s->deploy_failed && memcmp(sum, s->sha256, sizeof sum) != 0) {
		fmt_str(&f, "SHA-256 mismatch: the bytes received are not the app announced");
		deploy_fails(s, &f);
	}
	bool ok = !s->deploy_failed && app_start(&s->app, (size_t)s->size);
	if (!ok) {
		s->app.state = APP_FAILED; /* app_start says why in detail, or deploy_fails did */
		say_detail(s, "deploy failed: ");
	} else {
		say(s, "started", NULL, 0);
	}
	s->reported = (uint8_t)s->app.state;
	return ok;
}

static enum proto_err on_message(void *ctx, const struct proto_gateway_msg *m, struct proto_device_msg *reply)
{
	struct appslot *s = slot_of(ctx);
	switch (m->tag) {
	case PROTO_DEPLOY_APPLICATION:
		begin(s, &m->u.deploy_application);
		return PROTO_OK;
	case PROTO_DEPLOY_CHUNK:
		if (!is_current(s, m->u.deploy_chunk.app_id) || s->app.state != APP_DEPLOYING) {
			return PROTO_ERR_UNEXPECTED;
		}
		chunk(s, &m->u.deploy_chunk);
		return PROTO_OK;
	case PROTO_DEPLOY_COMMIT:
		if (!is_current(s, m->u.deploy_commit.app_id) || s->app.state != APP_DEPLOYING) {
			return PROTO_ERR_UNEXPECTED;
		}
		reply->tag = PROTO_APPLICATION_DEPLOY_ACK;
		reply->u.deploy_ack.app_id = s->id;
		reply->u.deploy_ack.ok = commit(s);
		reply->u.deploy_ack.error = (struct proto_str){(const uint8_t *)s->app.detail,
							       reply->u.deploy_ack.ok ? 0 : strlen(s->app.detail)};
		return PROTO_OK;
	case PROTO_STOP_APPLICATION:
		if (is_current(s, m->u.stop_application.app_id)) {
			say(s, "removed", NULL, 0);
			app_reset(&s->app, APP_NONE);
			s->has_id = false;
			s->queued = s->inboxed = 0; /* its events and messages go with it */
		}
		reply->tag = PROTO_APPLICATION_STOP_ACK;
		reply->u.stop_ack.app_id = m->u.stop_application.app_id;
		reply->u.stop_ack.ok = true; /* it does not run now, whether it did or not */
		return PROTO_OK;
	case PROTO_APP_MESSAGE:
		if (!is_current(s, m->u.app_message.app_id) ||
		    (s->app.state != APP_RUNNING && s->app.state != APP_SLEEPING)) {
			return PROTO_ERR_UNEXPECTED;
		}
		return deliver(s, m->u.app_message.data);
	case PROTO_REQUEST_APPLICATION_STATUS: {
		bool here = is_current(s, m->u.request_application_status.app_id);
		reply->tag = PROTO_APPLICATION_STATUS;
		reply->u.application_status.app_id = m->u.request_application_status.app_id;
		reply->u.application_status.state = here ? (uint8_t)s->app.state : APP_NONE;
		reply->u.application_status.detail =
			(struct proto_str){(const uint8_t *)s->app.detail, here ? strlen(s->app.detail) : 0};
		return PROTO_OK;
	}
	}
	return PROTO_ERR_UNEXPECTED;
}

const struct client_apps appslot_client = {session, on_message, status, next, sent};

/* ---- Running ---- */

void appslot_init(struct appslot *s, const struct app_buffers *buf, struct app_host host,
		  void (*console)(const char *line))
{
	memset(s, 0, sizeof *s);
	host.emit = emit;
	host.room = room;
	host.receive = receive;
	host.ctx = s;
	app_init(&s->app, buf, &host);
	s->console = console;
}

uint64_t appslot_poll(struct appslot *s, uint64_t now_us)
{
	enum app_state before = s->app.state;
	uint64_t next_us = app_poll(&s->app, now_us);
	if (s->app.state != before) {
		if (s->app.state == APP_TRAPPED) {
			say_detail(s, "trapped: ");
		} else if (s->app.state == APP_STOPPED) {
			say(s, "returned", NULL, 0);
		}
	}
	return next_us;
}
