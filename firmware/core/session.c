#include "session.h"

#include <string.h>

#include "board.h"
#include "ct.h"
#include "curve25519.h"
#include "fmt.h"
#include "fw.h"
#include "hal.h"
#include "shell.h"

#define HANDSHAKE_TIMEOUT_US 10000000u /* a gateway that never answers */
#define DRAIN_US 200000u               /* how long a last alert may take to be acknowledged */
#define RETRY_MIN_US 250000u           /* the first retry after a failure */
#define RETRY_MAX_US 8000000u          /* backoff cap */
#define CLOSED_JITTER_US 250000u       /* after the gateway closed the session */
#define REJECTED_US 10000000u          /* after EnrollmentRejected */

static const char *const capabilities[] = {
#if BOARD_TLS
	"tls",
#endif
	"heartbeat",
};

/* Heartbeat figures: free RAM and the counters of enum proto_counter. */
static void sample(void *ctx, uint64_t *free_ram, struct proto_uints *counters)
{
	struct session *s = ctx;
	struct hal_counters hc;
	hal_counters(&hc);
	*free_ram = hal_ram_free();
	counters->n = PROTO_COUNTERS;
	counters->v[PROTO_COUNTER_LINK_FRAMES_IN] = s->uplink->counters.frames_in;
	counters->v[PROTO_COUNTER_LINK_FRAMES_DROPPED] = link_stats_dropped(&s->uplink->decoder.stats);
	counters->v[PROTO_COUNTER_TLS_RECORDS_IN] = s->tls.records_in;
	counters->v[PROTO_COUNTER_TLS_RECORDS_OUT] = s->tls.records_out;
	counters->v[PROTO_COUNTER_HEARTBEAT_RTT_US] = s->client.last_rtt_us;
}

static size_t io_read(void *ctx, uint8_t *buf, size_t cap)
{
	return tls_read(ctx, buf, cap);
}

static size_t io_write(void *ctx, const uint8_t *buf, size_t len)
{
	return tls_write(ctx, buf, len);
}

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
	uint8_t host[32];
	size_t n = hal_entropy(host, sizeof host);
	rng_init(&s->rng, prov->rng_seed, hal_now_us(), host, n);
	ct_wipe(host, sizeof host);
	size_t id_len;
	s->info = (struct client_info){
		.board = BOARD_NAME,
		.firmware_version = FW_VERSION,
		.build_id = hal_build_id(&id_len),
		.ram = BOARD_RAM_SIZE,
		.capabilities = capabilities,
		.n_capabilities = sizeof capabilities / sizeof capabilities[0],
		.sample = sample,
		.sample_ctx = s,
	};
	s->info.build_id_len = id_len;
	client_init(&s->client, &s->info, prov->heartbeat_ms, 0);
}

void session_on_up(void *ctx, uint64_t now_us)
{
	struct session *s = ctx;
	s->started_us = now_us;
	s->busy_us = 0;
	s->reported = TLS_STAGE_IDLE;
	s->reported_client = CLIENT_IDLE;
	s->client_started = false;
	s->ended_us = 0;
	s->active = true;
	uint64_t t0 = hal_now_us();
	tls_start(&s->tls, &s->cfg);
	s->busy_us += hal_now_us() - t0;
}

static void report_client(struct session *s);

/* Starts the protocol client once TLS is up, and lets it read. */
static void run_client(struct session *s, uint64_t now_us)
{
	if (s->tls.stage != TLS_STAGE_CONNECTED || s->ended_us != 0) {
		return;
	}
	if (!s->client_started) {
		s->client_started = true;
		client_start(&s->client, (struct client_io){io_read, io_write, &s->tls}, now_us);
	}
	if (!client_poll(&s->client, now_us)) {
		tls_close(&s->tls); /* the gateway is gone or said no: start over */
		s->ended_us = now_us;
	}
	report_client(s);
}

size_t session_on_data(void *ctx, const uint8_t *p, size_t len)
{
	struct session *s = ctx;
	if (!s->active) {
		return len; /* no session: the bytes have nowhere to go */
	}
	uint64_t t0 = hal_now_us();
	size_t taken = 0;
	while (taken < len && s->tls.stage < TLS_STAGE_CLOSED) {
		size_t n = tls_feed(&s->tls, p + taken, len - taken);
		if (n == 0) {
			run_client(s, hal_now_us()); /* reading application data makes room */
			n = tls_feed(&s->tls, p + taken, len - taken);
			if (n == 0) {
				break; /* the client cannot take more now: the uplink holds the rest */
			}
		}
		taken += n;
	}
	run_client(s, hal_now_us());
	s->busy_us += hal_now_us() - t0;
	return s->tls.stage < TLS_STAGE_CLOSED ? taken : len;
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

/* A random delay in [d/2, d): jitter spreads a fleet's retries. */
static uint32_t jitter(struct session *s, uint32_t d)
{
	uint8_t r[4];
	rng_fill(&s->rng, r, sizeof r);
	uint32_t x = (uint32_t)r[0] | (uint32_t)r[1] << 8 | (uint32_t)r[2] << 16 | (uint32_t)r[3] << 24;
	return d / 2u + x % (d / 2u + 1u);
}

/* How long to wait before saying hello again. */
static uint32_t retry_delay(struct session *s)
{
	if (s->client.state == CLIENT_REJECTED) {
		return jitter(s, REJECTED_US);
	}
	if (s->tls.stage == TLS_STAGE_CLOSED && s->client.state == CLIENT_ENROLLED) {
		return jitter(s, CLOSED_JITTER_US); /* the gateway closed a good session */
	}
	uint32_t d = RETRY_MIN_US;
	for (uint32_t i = 0; i < s->failures && d < RETRY_MAX_US / 2u; i++) {
		d *= 2u;
	}
	s->failures++;
	return jitter(s, d);
}

static void report_client(struct session *s)
{
	struct client *c = &s->client;
	if (c->state == s->reported_client) {
		return;
	}
	s->reported_client = c->state;
	char line[160];
	struct fmt f = fmt_init(line, sizeof line);
	switch (c->state) {
	case CLIENT_ENROLLED:
		s->failures = 0;
		fmt_str(&f, "proto: enrolled uuid=");
		fmt_hexbytes(&f, c->uuid, c->has_uuid ? sizeof c->uuid : 0);
		fmt_str(&f, " heartbeat_ms=");
		fmt_u64(&f, c->heartbeat_ms);
		break;
	case CLIENT_REJECTED:
		fmt_str(&f, "proto: enrollment rejected: ");
		fmt_str(&f, c->reason);
		break;
	case CLIENT_FAILED:
		fmt_str(&f, "proto: session lost: ");
		fmt_str(&f, client_error_name((enum client_error)c->error));
		break;
	default:
		return;
	}
	line[fmt_len(&f) < sizeof line ? fmt_len(&f) : sizeof line - 1] = '\0';
	shell_notice(line);
}

void session_poll(struct session *s, uint64_t now_us)
{
	if (!s->active) {
		return;
	}
	run_client(s, now_us);
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
	if (ended && s->ended_us == 0) {
		s->ended_us = now_us;
	}
	if (s->ended_us != 0) {
		client_end(&s->client);
	}
	/* Once the last alert is acknowledged (or cannot be), say hello again:
	 * the gateway then starts a fresh session. */
	if (s->ended_us != 0 && (len == 0 || now_us - s->ended_us > DRAIN_US)) {
		uint32_t delay = retry_delay(s);
		s->active = false;
		tls_wipe(&s->tls);
		shell_notice("tls: starting over");
		uplink_restart(s->uplink, now_us, delay);
	}
}

void session_describe(const void *ctx, struct fmt *f)
{
	const struct session *s = ctx;
	const struct client *c = &s->client;
	fmt_str(f, "session: tls=");
	fmt_str(f, s->active ? tls_stage_name(s->tls.stage) : "waiting");
	fmt_str(f, " proto=");
	fmt_str(f, client_state_name((enum client_state)c->state));
	fmt_str(f, " heartbeat_ms=");
	fmt_u64(f, c->heartbeat_ms);
	fmt_str(f, " seq=");
	fmt_u64(f, c->seq);
	fmt_str(f, " acks=");
	fmt_u64(f, c->acks);
	fmt_str(f, " rtt_us=");
	fmt_u64(f, c->last_rtt_us);
	fmt_str(f, " handshakes=");
	fmt_u64(f, s->handshakes);
}

uint64_t session_deadline(const struct session *s)
{
	if (!s->active) {
		return UINT64_MAX;
	}
	if (s->ended_us != 0) {
		return s->ended_us + DRAIN_US;
	}
	if (s->tls.stage < TLS_STAGE_CONNECTED) {
		return s->started_us + HANDSHAKE_TIMEOUT_US;
	}
	return s->client_started ? client_deadline(&s->client) : 0;
}
