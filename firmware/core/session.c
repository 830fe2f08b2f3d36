#include "session.h"

#include <string.h>

#include "curve25519.h"
#include "fmt.h"
#include "fw.h"
#include "hal.h"
#include "shell.h"

#define RETRY_US 2000000u
#define HANDSHAKE_TIMEOUT_US 10000000u /* a gateway that never answers */

void session_init(struct session *s, struct uplink *u, const struct provision *prov)
{
	memset(s, 0, sizeof *s);
	s->uplink = u;
	s->prov = prov;
	ed25519_public(s->device_pub, prov->device_seed);
	s->cfg.ca_key = prov->gateway_ca;
	s->cfg.cert = prov->device_cert;
	s->cfg.cert_len = prov->device_cert_len;
	s->cfg.key_seed = prov->device_seed;
	s->cfg.key_pub = s->device_pub;
	s->cfg.random = rng_random;
	s->cfg.random_ctx = &s->rng;
	rng_init(&s->rng, prov->rng_seed, hal_now_us());
}

void session_on_up(void *ctx, uint64_t now_us)
{
	struct session *s = ctx;
	s->started_us = now_us;
	s->busy_us = 0;
	s->reported = TLS_STAGE_IDLE;
	s->active = true;
	uint64_t t0 = hal_now_us();
	tls_start(&s->tls, &s->cfg);
	s->busy_us += hal_now_us() - t0;
}

/* Echoes application data back, until the protocol layer exists. */
static void drain_app_data(struct session *s)
{
	uint8_t buf[128];
	size_t n;
	while ((n = tls_read(&s->tls, buf, sizeof buf)) > 0) {
		tls_write(&s->tls, buf, n);
	}
}

void session_on_data(void *ctx, const uint8_t *p, size_t len)
{
	struct session *s = ctx;
	if (!s->active) {
		return;
	}
	uint64_t t0 = hal_now_us();
	while (len > 0 && s->tls.stage < TLS_STAGE_CLOSED) {
		size_t n = tls_feed(&s->tls, p, len);
		p += n;
		len -= n;
		drain_app_data(s);
	}
	s->busy_us += hal_now_us() - t0;
}

static void report(struct session *s, uint64_t now_us)
{
	struct tls_client *t = &s->tls;
	char line[192];
	struct fmt f = fmt_init(line, sizeof line);
	if (t->stage == TLS_STAGE_CONNECTED) {
		s->handshakes++;
		fmt_str(&f, "tls: connected TLS 1.3 " TLS_SUITE_NAME " peer=");
		fmt_str(&f, t->peer_name);
		fmt_str(&f, " handshake_ms=");
		fmt_u64(&f, (now_us - s->started_us) / 1000u);
		fmt_str(&f, " cpu_us=");
		fmt_u64(&f, s->busy_us);
		fmt_str(&f, " ram=");
		fmt_u64(&f, sizeof *s);
		fmt_str(&f, " stack_peak=");
		fmt_u64(&f, hal_stack_peak());
	} else {
		fmt_str(&f, "tls: ");
		fmt_str(&f, t->stage == TLS_STAGE_CLOSED ? "closed" : "failed: ");
		if (t->stage == TLS_STAGE_FAILED) {
			fmt_str(&f, tls_error_name(t->error));
		}
		if (t->alert_sent >= 0) {
			fmt_str(&f, " sent=");
			fmt_str(&f, tls_alert_name(t->alert_sent));
		}
		if (t->alert_received >= 0) {
			fmt_str(&f, " received=");
			fmt_str(&f, tls_alert_name(t->alert_received));
		}
	}
	line[fmt_len(&f) < sizeof line ? fmt_len(&f) : sizeof line - 1] = '\0';
	shell_notice(line);
}

void session_poll(struct session *s, uint64_t now_us)
{
	if (!s->active) {
		return;
	}
	size_t len;
	const uint8_t *out = tls_output(&s->tls, &len);
	tls_output_done(&s->tls, uplink_stream(s->uplink, out, len, now_us));
	tls_output(&s->tls, &len);
	enum tls_stage stage = s->tls.stage;
	if (stage < TLS_STAGE_CONNECTED && now_us - s->started_us > HANDSHAKE_TIMEOUT_US) {
		tls_abort(&s->tls);
		stage = s->tls.stage;
		len = 0;
	}
	bool ended = stage == TLS_STAGE_FAILED || stage == TLS_STAGE_CLOSED;
	if ((stage == TLS_STAGE_CONNECTED || ended) && s->reported != stage) {
		s->reported = stage;
		report(s, now_us);
	}
	if (ended && len == 0) {
		/* Say hello again: the gateway then starts a fresh session. */
		s->active = false;
		tls_wipe(&s->tls);
		shell_notice("tls: starting over");
		uplink_restart(s->uplink, now_us, RETRY_US);
	}
}
