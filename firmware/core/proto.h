/*
 * proto: the messages between the device and the gateway, carried inside
 * their TLS session (normative description: docs/protocol.md). The Go side
 * is package lab/proto; both are checked against the shared vectors in
 * testdata/proto/vectors.txt.
 *
 * Wire format
 *   4-byte big-endian length, then a CBOR envelope of that many bytes:
 *     [version (0), msg_id (uint), [tag (uint), fields...]]
 *   Each direction has its own tags (enum proto_device_tag, enum
 *   proto_gateway_tag). Definite lengths only; fields after the known ones
 *   are ignored; a missing field or a field of the wrong type is an error.
 *
 * Decoding checks, in this order (the error returned):
 *   1. the length prefix: at most PROTO_MAX_ENVELOPE (TOO_LARGE), not 0,
 *      and exactly the bytes given (MALFORMED);
 *   2. the envelope is one well-formed item filling the length: no
 *      indefinite lengths, no tags, limits of cbor.h (MALFORMED);
 *   3. it is a non-empty array whose item 0 is a uint (MALFORMED) equal to
 *      PROTO_VERSION (UNSUPPORTED_VERSION);
 *   4. it has 3 items, msg_id is a uint, the body a non-empty array, the
 *      tag a uint (MALFORMED); the tag is known (UNKNOWN_TAG);
 *   5. every field is present, of its type, fixed-size byte strings of
 *      their size, text strings valid UTF-8, DeployChunk data at most
 *      PROTO_MAX_CHUNK bytes, AppMessage data at most PROTO_MAX_EVENT_DATA
 *      (BAD_FIELD); arrays fit the PROTO_MAX_*
 *      capacities below (TOO_LARGE; a limit of this side only).
 *
 * No malloc. Decoded strings point into the input buffer, which must
 * outlive the message; text strings are not NUL-terminated.
 */
#ifndef PROTO_H
#define PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 0u
#define PROTO_MAX_ENVELOPE 4096u
#define PROTO_PREFIX 4u
#define PROTO_MAX_MESSAGE (PROTO_PREFIX + PROTO_MAX_ENVELOPE)
#define PROTO_MAX_CHUNK 1024u
#define PROTO_MAX_EVENT_DATA 256u /* an AppEvent's or AppMessage's data */
#define PROTO_ID_LEN 16u  /* app_id, uuid */
#define PROTO_KEY_LEN 32u /* public key, sha256 */

/* Capacities of decoded arrays (this side's limits, not the protocol's). */
#define PROTO_MAX_COUNTERS 8u
#define PROTO_MAX_APPS 4u
#define PROTO_MAX_CAPABILITIES 8u

/* Error codes: the decoder's result and an Error message's code. */
enum proto_err {
	PROTO_OK = 0,
	PROTO_ERR_MALFORMED = 1,           /* not one well-formed envelope */
	PROTO_ERR_UNKNOWN_TAG = 2,         /* tag not defined for the direction */
	PROTO_ERR_NOT_ENROLLED = 3,        /* message needs an enrolled device */
	PROTO_ERR_TOO_LARGE = 4,           /* length or a field over its limit */
	PROTO_ERR_UNSUPPORTED_VERSION = 5, /* envelope version is not 0 */
	PROTO_ERR_BAD_FIELD = 6,           /* field missing or of the wrong type */
	PROTO_ERR_UNEXPECTED = 7,          /* valid but not in this state */
	PROTO_ERR_INTERNAL = 8,            /* the sender failed */
};

enum proto_device_tag {
	PROTO_HEARTBEAT = 0,
	PROTO_ENROLLMENT_REQUEST = 1,
	PROTO_PUBLIC_KEY = 2,
	PROTO_APPLICATION_STATUS = 3,
	PROTO_APPLICATION_DEPLOY_ACK = 4,
	PROTO_APPLICATION_STOP_ACK = 5,
	PROTO_DEVICE_INFO = 6,
	PROTO_DEVICE_ERROR = 7,
	PROTO_APP_EVENT = 8,
	PROTO_DEVICE_TAGS
};

enum proto_gateway_tag {
	PROTO_HEARTBEAT_ACK = 0,
	PROTO_ENROLLMENT_ACCEPTED = 1,
	PROTO_ENROLLMENT_REJECTED = 2,
	PROTO_DEVICE_UUID = 3,
	PROTO_DEPLOY_APPLICATION = 4,
	PROTO_STOP_APPLICATION = 5,
	PROTO_REQUEST_DEVICE_INFO = 6,
	PROTO_REQUEST_APPLICATION_STATUS = 7,
	PROTO_DEPLOY_CHUNK = 8,
	PROTO_DEPLOY_COMMIT = 9,
	PROTO_GATEWAY_ERROR = 10,
	PROTO_APP_MESSAGE = 11,
	PROTO_GATEWAY_TAGS
};

/* Heartbeat counters, in this order. */
enum proto_counter {
	PROTO_COUNTER_LINK_FRAMES_IN = 0,
	PROTO_COUNTER_LINK_FRAMES_DROPPED = 1,
	PROTO_COUNTER_TLS_RECORDS_IN = 2,
	PROTO_COUNTER_TLS_RECORDS_OUT = 3,
	PROTO_COUNTER_HEARTBEAT_RTT_US = 4, /* the latest heartbeat's round trip */
	PROTO_COUNTERS = 5
};

/* AppEvent kinds. */
enum proto_event {
	PROTO_EVENT_LOG = 0,     /* data is a line the app logged */
	PROTO_EVENT_PUBLISH = 1, /* data was published on topic */
};

/* A byte or text string. */
struct proto_str {
	const uint8_t *p;
	size_t len;
};

struct proto_uints {
	size_t n;
	uint64_t v[PROTO_MAX_COUNTERS];
};

struct proto_strs {
	size_t n;
	struct proto_str v[PROTO_MAX_CAPABILITIES];
};

struct proto_app_status {
	const uint8_t *app_id; /* PROTO_ID_LEN bytes */
	uint64_t state;
	struct proto_str detail;
	uint64_t fuel; /* spent since the app started: calls and loop back-edges */
};

struct proto_apps {
	size_t n;
	struct proto_app_status v[PROTO_MAX_APPS];
};

/* Device → gateway. Fixed-size byte strings are pointers to their bytes. */
struct proto_heartbeat {
	uint64_t seq, uptime_ms, free_ram;
	struct proto_uints counters; /* indexed by enum proto_counter */
	struct proto_apps apps;
};
struct proto_public_key {
	const uint8_t *key; /* PROTO_KEY_LEN */
};
struct proto_application_status {
	const uint8_t *app_id;
	uint64_t state;
	struct proto_str detail;
	uint64_t fuel;
};
struct proto_application_deploy_ack {
	const uint8_t *app_id;
	bool ok;
	struct proto_str error;
};
struct proto_application_stop_ack {
	const uint8_t *app_id;
	bool ok;
};
struct proto_device_info {
	struct proto_str board, firmware_version, build_id;
	uint64_t ram;
	struct proto_strs capabilities;
};
struct proto_error {
	uint64_t code; /* enum proto_err */
	struct proto_str message;
};
struct proto_app_event {
	const uint8_t *app_id;
	uint64_t kind; /* enum proto_event */
	struct proto_str topic, data;
};

/* Gateway → device. */
struct proto_heartbeat_ack {
	uint64_t seq;
};
struct proto_enrollment_accepted {
	uint64_t heartbeat_ms;
};
struct proto_enrollment_rejected {
	struct proto_str reason;
};
struct proto_device_uuid {
	const uint8_t *uuid; /* PROTO_ID_LEN */
};
struct proto_deploy_application {
	const uint8_t *app_id;
	struct proto_str name;
	uint64_t size;
	const uint8_t *sha256; /* PROTO_KEY_LEN */
};
struct proto_app_ref { /* StopApplication, RequestApplicationStatus, DeployCommit */
	const uint8_t *app_id;
};
struct proto_app_message {
	const uint8_t *app_id;
	struct proto_str data; /* at most PROTO_MAX_EVENT_DATA bytes */
};
struct proto_deploy_chunk {
	const uint8_t *app_id;
	uint64_t offset;
	struct proto_str data; /* at most PROTO_MAX_CHUNK bytes */
};

struct proto_device_msg {
	uint64_t msg_id;
	uint8_t tag; /* enum proto_device_tag */
	union {
		struct proto_heartbeat heartbeat;
		struct proto_public_key public_key;
		struct proto_application_status application_status;
		struct proto_application_deploy_ack deploy_ack;
		struct proto_application_stop_ack stop_ack;
		struct proto_device_info device_info;
		struct proto_error error;
		struct proto_app_event app_event;
	} u;
};

struct proto_gateway_msg {
	uint64_t msg_id;
	uint8_t tag; /* enum proto_gateway_tag */
	union {
		struct proto_heartbeat_ack heartbeat_ack;
		struct proto_enrollment_accepted enrollment_accepted;
		struct proto_enrollment_rejected enrollment_rejected;
		struct proto_device_uuid device_uuid;
		struct proto_deploy_application deploy_application;
		struct proto_app_ref stop_application;
		struct proto_app_ref request_application_status;
		struct proto_deploy_chunk deploy_chunk;
		struct proto_app_ref deploy_commit;
		struct proto_error error;
		struct proto_app_message app_message;
	} u;
};

/* Decodes buf[0..len), exactly one length-prefixed message. On an error,
 * out holds garbage. */
enum proto_err proto_decode_from_gateway(const uint8_t *buf, size_t len, struct proto_gateway_msg *out);
enum proto_err proto_decode_from_device(const uint8_t *buf, size_t len, struct proto_device_msg *out);

/* Writes m's length-prefixed envelope, in canonical form, to out. Returns
 * its length, or 0 if the tag is unknown, a string is invalid (not UTF-8,
 * a NULL pointer, a chunk over PROTO_MAX_CHUNK), an array count is over its
 * capacity, or it does not fit in cap bytes or PROTO_MAX_MESSAGE. */
size_t proto_encode_from_device(const struct proto_device_msg *m, uint8_t *out, size_t cap);
size_t proto_encode_from_gateway(const struct proto_gateway_msg *m, uint8_t *out, size_t cap);

/* The schema both directions are coded from, for tests and tools: a
 * message's fields in wire order, each a kind and its offset in the
 * message's struct (the union member). */
enum proto_kind {
	PROTO_K_UINT,   /* uint64_t */
	PROTO_K_BOOL,   /* bool */
	PROTO_K_TSTR,   /* struct proto_str */
	PROTO_K_BSTR,   /* struct proto_str */
	PROTO_K_CHUNK,  /* struct proto_str, at most PROTO_MAX_CHUNK bytes */
	PROTO_K_DATA,   /* struct proto_str, at most PROTO_MAX_EVENT_DATA bytes */
	PROTO_K_ID,     /* const uint8_t *, PROTO_ID_LEN bytes */
	PROTO_K_KEY,    /* const uint8_t *, PROTO_KEY_LEN bytes */
	PROTO_K_UINTS,  /* struct proto_uints */
	PROTO_K_TSTRS,  /* struct proto_strs */
	PROTO_K_APPS,   /* struct proto_apps */
};

struct proto_field {
	uint8_t kind;
	uint8_t offset;
};

enum proto_dir {
	PROTO_FROM_DEVICE = 0,
	PROTO_FROM_GATEWAY = 1,
};

/* The fields of tag's message from dir (NULL with *n = 0 for an unknown
 * tag), and of an AppStatus. */
const struct proto_field *proto_fields(enum proto_dir dir, unsigned tag, size_t *n);
const struct proto_field *proto_app_status_fields(size_t *n);

#endif /* PROTO_H */
