/*
 * The device's TLS session with the gateway, carried in the link's DATA
 * frames: a fresh TLS 1.3 handshake each time the link comes up, and after
 * a failure, a new hello so the gateway starts over too. Application data
 * is echoed for now; the protocol messages come with the gateway.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "provision.h"
#include "rng.h"
#include "tls.h"
#include "uplink.h"

struct session {
	struct tls_client tls;
	struct tls_config cfg;
	struct rng rng;
	struct uplink *uplink;
	const struct provision *prov;
	uint8_t device_pub[32];
	bool active;
	enum tls_stage reported;
	uint64_t started_us;
	uint64_t busy_us; /* time spent inside the TLS engine this handshake */
	uint32_t handshakes;
};

void session_init(struct session *s, struct uplink *u, const struct provision *prov);
/* uplink_handler callbacks; ctx is the session. */
void session_on_up(void *ctx, uint64_t now_us);
void session_on_data(void *ctx, const uint8_t *p, size_t len);
void session_poll(struct session *s, uint64_t now_us);

#endif
