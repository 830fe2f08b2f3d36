/*
 * The device's session with the gateway, carried in the link's reliable
 * stream: a fresh TLS 1.3 handshake each time the link comes up, then the
 * protocol client (enrollment, heartbeats) over the TLS application data.
 * When a session ends, the device says hello again after a delay: short
 * with jitter after the gateway closed it (a restarting gateway should not
 * see its whole fleet at the same instant), exponential backoff with
 * jitter after failures, longer after a rejection.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "client.h"
#include "fmt.h"
#include "provision.h"
#include "rng.h"
#include "tls.h"
#include "uplink.h"

struct session {
	struct tls_client tls;
	struct tls_config cfg;
	struct client client;
	struct client_info info;
	struct rng rng;
	struct uplink *uplink;
	const struct provision *prov;
	uint8_t device_pub[32];
	bool active;
	bool client_started;
	enum tls_stage reported;
	uint8_t reported_client; /* enum client_state last printed */
	uint64_t started_us;
	uint64_t ended_us; /* when the session ended; 0 while it runs */
	uint64_t busy_us;  /* time spent inside the TLS engine this handshake */
	uint32_t handshakes;
	uint32_t failures; /* sessions in a row that ended before enrolling */
};

void session_init(struct session *s, struct uplink *u, const struct provision *prov);
/* uplink_handler callbacks; ctx is the session. */
void session_on_up(void *ctx, uint64_t now_us);
size_t session_on_data(void *ctx, const uint8_t *p, size_t len);
void session_poll(struct session *s, uint64_t now_us);
/* One line for the console's `info`; ctx is the session. */
void session_describe(const void *ctx, struct fmt *f);
/* When session_poll next has timed work. */
uint64_t session_deadline(const struct session *s);

#endif
