/*
 * appslot: the board's one app as the protocol reaches it (docs/protocol.md,
 * "Deploys"). It receives a module chunk by chunk into the app's buffer,
 * checks its size and SHA-256 at the commit, starts it and answers with
 * ApplicationDeployAck; it stops it on StopApplication; it reports the
 * app's state in heartbeats and in an ApplicationStatus when the app ends;
 * it queues what the app logs and publishes for the client to send as
 * AppEvents; and it keeps the AppMessages the app takes with receive (a
 * message that finds the inbox full is answered with Error unexpected).
 *
 * A deploy replaces the app in the slot at its first message, so a board
 * needs room for one module only; one that fails leaves the slot Failed,
 * and the gateway's reconciliation deploys again.
 *
 * The event queue keeps published messages across sessions; log lines go
 * to the console always, and to the queue only while a session is up. The
 * app waits while the queue lacks room for the largest event (app.h), so
 * nothing it publishes is dropped while the board runs.
 */
#ifndef APPSLOT_H
#define APPSLOT_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "client.h"
#include "sha2.h"

#ifndef APPSLOT_QUEUE
#define APPSLOT_QUEUE 1024u /* bytes of queued events */
#endif
#ifndef APPSLOT_INBOX
#define APPSLOT_INBOX (2u * (2u + PROTO_MAX_EVENT_DATA)) /* two messages of the most bytes wait for the app */
#endif
#define APPSLOT_NAME_MAX 24u
/* The longest message the slot has the client send, length prefix
 * included: an AppEvent with the longest topic and data (about 330 bytes).
 * CLIENT_TX_MAX must hold it. */
#define APPSLOT_MSG_MAX 340u

struct appslot {
	struct app app;
	bool has_id;                  /* an app is in the slot, or arriving */
	bool session_up;
	uint8_t id[PROTO_ID_LEN];
	char name[APPSLOT_NAME_MAX];  /* as deployed, for the console */
	/* The deploy in progress. */
	uint64_t size, received;
	uint8_t sha256[PROTO_KEY_LEN];
	struct sha256_ctx hash;
	bool deploy_failed; /* app.detail says why, for the commit's answer */
	/* What the latest ApplicationStatus said: a change is sent. */
	uint8_t reported;
	/* Events, one after the other: kind, topic length, data length (2 bytes,
	 * little-endian), topic, data. */
	uint8_t queue[APPSLOT_QUEUE];
	size_t queued;
	uint32_t logs_dropped; /* log lines that met no session */
	/* AppMessages for the app: 2-byte little-endian length, then data. */
	uint8_t inbox[APPSLOT_INBOX];
	size_t inboxed;
	/* Where console lines go (the shell), NULL for none. */
	void (*console)(const char *line);
};

/* buf are the app's buffers; host's emit, room and ctx are the slot's own. */
void appslot_init(struct appslot *s, const struct app_buffers *buf, struct app_host host,
		  void (*console)(const char *line));

/* The client's view of the slot (client.h); ctx is the slot. */
extern const struct client_apps appslot_client;

/* Runs the app (app_poll); returns when it wants to run again. */
uint64_t appslot_poll(struct appslot *s, uint64_t now_us);

#endif
