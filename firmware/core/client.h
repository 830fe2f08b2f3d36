/*
 * client: the device's side of the protocol messages (docs/protocol.md,
 * sections 3 and 4), between the TLS session's application byte stream and
 * the firmware: enrollment, then heartbeats while the session lasts.
 *
 * The client does no I/O of its own (the TLS engine's model): it moves
 * bytes through the caller's struct client_io and reads the time the caller
 * passes in. No malloc: both buffers are in struct client.
 *
 * A session, as client_start runs it:
 *   1. send EnrollmentRequest, then DeviceInfo (msg_ids 1 and 2);
 *   2. the gateway answers DeviceUuid (kept in uuid), then
 *      EnrollmentAccepted (state ENROLLED) or EnrollmentRejected (state
 *      REJECTED: client_poll returns false, reason holds the gateway's text);
 *   3. while ENROLLED, a Heartbeat every heartbeat_ms, the first at once,
 *      on a fixed grid (a late one does not shift the next; missed slots
 *      are skipped, never sent in a burst); the gateway answers
 *      HeartbeatAck. Between them, the apps' events as the stream takes
 *      them (a due Heartbeat goes first).
 * The session is dead, client_poll returns false and the state is FAILED,
 * when missed_limit intervals pass without an answer: without a message
 * once enrolled, without an enrollment answer before (then
 * the interval is the provisioned one, at least 1 s).
 *
 * Anything else the gateway sends keeps the session: RequestDeviceInfo is
 * answered with DeviceInfo; the app messages go to info->apps; a gateway
 * Error is counted; a message the decoder refuses, or one not valid in the
 * current state, is answered with an Error; a length prefix over the
 * receive buffer is answered with Error too_large and that many bytes of
 * the stream are skipped, so the next message is read where it starts.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* Buffer sizes. Override them for the whole build (-D), never for one
 * file: struct client's layout depends on them. CLIENT_RX_MAX holds the
 * largest message received, its 4-byte length prefix included (1100 fits
 * a DeployChunk); CLIENT_TX_MAX the largest message sent (400 fits an
 * AppEvent, appslot.h). */
#ifndef CLIENT_RX_MAX
#define CLIENT_RX_MAX 1100u
#endif
#ifndef CLIENT_TX_MAX
#define CLIENT_TX_MAX 400u
#endif
#define CLIENT_REASON_MAX 32u          /* EnrollmentRejected reason kept, NUL included */
#define CLIENT_MISSED_LIMIT 3u         /* N when client_init is given 0 */
#define CLIENT_HEARTBEAT_MS 1000u      /* when provisioning gives 0 */
#define CLIENT_MIN_ENROLL_WAIT_MS 10000u /* enrollment waits N times at least this: an operator may be deciding */

/* The byte stream under the client: the TLS session's application data. */
struct client_io {
	/* Copies up to cap received bytes to buf; 0 when none are there now. */
	size_t (*read)(void *ctx, uint8_t *buf, size_t cap);
	/* Takes up to len bytes to send; returns how many (0 when full). */
	size_t (*write)(void *ctx, const uint8_t *buf, size_t len);
	void *ctx;
};

/* The board's apps, as the protocol reaches them (appslot.h). */
struct client_apps {
	/* A session is up (enrolled) or has ended. */
	void (*session)(void *ctx, bool up);
	/* Acts on DeployApplication, DeployChunk, DeployCommit,
	 * StopApplication, RequestApplicationStatus or AppMessage. Returns
	 * PROTO_OK, with
	 * the answer's tag and fields in *reply when one is owed (the client
	 * gives it the request's msg_id; it comes preset to no tag,
	 * PROTO_DEVICE_TAGS), or the code of the Error to answer. */
	enum proto_err (*on_message)(void *ctx, const struct proto_gateway_msg *m, struct proto_device_msg *reply);
	/* The apps a Heartbeat reports. */
	void (*status)(void *ctx, struct proto_apps *apps);
	/* The next message to send of the apps' own (an AppEvent, an
	 * ApplicationStatus), its msg_id aside; false for none. sent() says
	 * the client has taken it. */
	bool (*next)(void *ctx, struct proto_device_msg *m);
	void (*sent)(void *ctx);
};

/* What DeviceInfo reports, and where heartbeats get their figures. The
 * strings are NUL-terminated; all of it must outlive the client. */
struct client_info {
	const char *board;
	const char *firmware_version;
	const uint8_t *build_id;
	size_t build_id_len;
	uint32_t ram;
	const char *const *capabilities; /* at most PROTO_MAX_CAPABILITIES */
	size_t n_capabilities;
	/* Called for each heartbeat: sets *free_ram and counters (n at most
	 * PROTO_MAX_COUNTERS, in enum proto_counter order). NULL sends 0 and
	 * no counters. */
	void (*sample)(void *ctx, uint64_t *free_ram, struct proto_uints *counters);
	void *sample_ctx;
	/* NULL on a board that runs no apps: a DeployCommit is then answered
	 * with a failed ApplicationDeployAck that says so. */
	const struct client_apps *apps;
	void *apps_ctx;
};

enum client_state {
	CLIENT_IDLE,      /* no session yet */
	CLIENT_ENROLLING, /* EnrollmentRequest sent, waiting for the answer */
	CLIENT_ENROLLED,  /* accepted: heartbeating */
	CLIENT_REJECTED,  /* EnrollmentRejected: reason says why */
	CLIENT_FAILED,    /* the gateway stopped answering: error says what */
};

/* Why client_poll returned false. */
enum client_error {
	CLIENT_OK = 0,
	CLIENT_ERR_REJECTED,       /* EnrollmentRejected */
	CLIENT_ERR_ENROLL_TIMEOUT, /* no enrollment answer within N intervals */
	CLIENT_ERR_ACK_TIMEOUT,    /* no HeartbeatAck within N intervals */
};

/* The fields are for reading (the console's status); only the functions
 * below change them. Everything but uuid starts over with each session. */
struct client {
	struct client_io io;
	const struct client_info *info;

	uint64_t next_heartbeat_us; /* the grid's next slot */
	uint64_t alive_us;          /* latest message once enrolled, or when waiting began */
	uint64_t heartbeat_sent_us; /* when the Heartbeat numbered seq was sent */
	uint32_t provisioned_ms;
	uint32_t heartbeat_ms;      /* the interval in use */
	uint32_t missed_limit;      /* N */
	uint32_t next_msg_id;       /* of our next message of our own */
	uint32_t seq;               /* of the latest Heartbeat sent; 0 for none */
	uint32_t acked_seq;         /* highest seq acknowledged; 0 for none */
	uint32_t acks;              /* HeartbeatAcks received */
	uint32_t last_rtt_us;       /* round trip of the latest Heartbeat acked */
	uint32_t errors;            /* gateway Error messages received */
	uint32_t last_error_code;   /* code of the latest one (capped) */
	uint32_t rx_skip;           /* bytes of a refused message still to skip */
	uint16_t rx_len, tx_len, tx_off;
	uint8_t state;              /* enum client_state */
	uint8_t error;              /* enum client_error */
	bool info_owed;             /* DeviceInfo waits behind EnrollmentRequest */
	bool apps_up;               /* the apps were told the session is up */
	bool has_uuid;
	uint8_t uuid[PROTO_ID_LEN];
	char reason[CLIENT_REASON_MAX]; /* printable ASCII/UTF-8, NUL-terminated */

	uint8_t rx[CLIENT_RX_MAX]; /* length prefix + envelope being received */
	uint8_t tx[CLIENT_TX_MAX]; /* one encoded message, sent from tx_off */
};

/* heartbeat_ms is the provisioned interval (0: CLIENT_HEARTBEAT_MS);
 * missed_limit is N (0: CLIENT_MISSED_LIMIT). The state is IDLE. */
void client_init(struct client *c, const struct client_info *info, uint32_t heartbeat_ms,
		 uint32_t missed_limit);

/* A TLS session just connected: starts over (msg_ids from 1, seq from 0)
 * and sends EnrollmentRequest, then DeviceInfo. */
void client_start(struct client *c, struct client_io io, uint64_t now_us);

/* Sends what is pending, reads and answers what arrived, and sends a
 * Heartbeat when one is due (its uptime_ms is now_us / 1000: the caller's
 * clock counts from boot). Returns false when the session must end
 * (state REJECTED or FAILED, error says why): the caller closes it and
 * reconnects. Does nothing and returns true while IDLE. */
bool client_poll(struct client *c, uint64_t now_us);

/* The stream under the client has ended (TLS closed or failed): the apps
 * hear the session is over. The state stays, to say how it ended. */
void client_end(struct client *c);

/* When client_poll next has timed work (a Heartbeat, the end of a wait for
 * an answer), for a tickless idle; UINT64_MAX for none. Bytes arriving or
 * the transmit buffer freeing are events, not deadlines: a Heartbeat held
 * back by a full transmit buffer is not reported here. */
uint64_t client_deadline(const struct client *c);

const char *client_state_name(enum client_state s);
const char *client_error_name(enum client_error e);

#endif /* CLIENT_H */
