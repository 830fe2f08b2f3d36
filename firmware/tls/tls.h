/*
 * TLS 1.3 client (RFC 8446), mutual authentication, one suite:
 * TLS_CHACHA20_POLY1305_SHA256 with X25519 and Ed25519 certificates.
 *
 * The engine does no I/O (BearSSL's model): the caller feeds received bytes
 * with tls_feed, sends what tls_output holds, and moves application data
 * with tls_read and tls_write. No malloc: every buffer is in struct
 * tls_client, sized by the TLS_*_MAX macros below.
 *
 * Handshake messages are handled where they were decrypted, in the receive
 * buffer. One split across records (crypto/tls never splits one; other
 * servers may) is reassembled there too: its first part stays at the start
 * of the buffer and the next record lands behind it.
 *
 * Limits, by design: the server certificate must be an Ed25519 leaf signed
 * directly by the provisioned CA key (the lab's gateway CA); validity dates
 * are not checked (a board has no trusted clock); HelloRetryRequest, PSK
 * and 0-RTT are not supported; a received record may not exceed
 * TLS_IN_MAX, and a handshake message split across records, with the
 * header and tag of the record that ends it, may not either.
 */
#ifndef TLS_H
#define TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha2.h"

/* Firmware builds set both per board (the Makefile passes the generated
 * BOARD_TLS_IN_MAX and BOARD_TLS_OUT_MAX of gen/<board>/board.h to every
 * source, so all agree on this struct); host builds take these. */
#ifndef TLS_IN_MAX
#define TLS_IN_MAX 2048u /* largest record we accept, header included */
#endif
#ifndef TLS_OUT_MAX
#define TLS_OUT_MAX 1024u /* bytes of records waiting to be sent */
#endif
#define TLS_NAME_MAX 64u

/* Where the handshake is, for the lab to show. */
enum tls_stage {
	TLS_STAGE_IDLE,
	TLS_STAGE_WAIT_SERVER_HELLO,
	TLS_STAGE_WAIT_ENCRYPTED_EXTENSIONS,
	TLS_STAGE_WAIT_CERT_OR_REQUEST,
	TLS_STAGE_WAIT_CERT,
	TLS_STAGE_WAIT_CERT_VERIFY,
	TLS_STAGE_WAIT_FINISHED,
	TLS_STAGE_CONNECTED,
	TLS_STAGE_CLOSED, /* close_notify received */
	TLS_STAGE_FAILED,
};

enum tls_error {
	TLS_OK = 0,
	TLS_ERR_DECODE,         /* malformed message */
	TLS_ERR_UNEXPECTED,     /* message not allowed now */
	TLS_ERR_BAD_RECORD_MAC, /* a record failed to decrypt */
	TLS_ERR_RECORD_OVERFLOW,
	TLS_ERR_PARAMETER,      /* server chose something we did not offer */
	TLS_ERR_UNSUPPORTED,    /* HelloRetryRequest, no Ed25519 for us */
	TLS_ERR_VERSION,        /* the server did not choose TLS 1.3 */
	TLS_ERR_BAD_CERT,       /* certificate malformed */
	TLS_ERR_CERT_ALGORITHM, /* certificate not Ed25519 */
	TLS_ERR_UNKNOWN_CA,     /* not signed by the provisioned CA */
	TLS_ERR_BAD_SIGNATURE,  /* CertificateVerify did not verify */
	TLS_ERR_BAD_FINISHED,
	TLS_ERR_PEER_ALERT,     /* the server sent a fatal alert */
	TLS_ERR_NO_SPACE,       /* output buffer too small for our flight */
	TLS_ERR_STATE,          /* API misuse */
	TLS_ERR_TIMEOUT,        /* the caller gave up waiting */
	TLS_ERR_TOO_LARGE,      /* a split handshake message does not fit TLS_IN_MAX */
};

/* Alert descriptions (RFC 8446 section 6). */
enum tls_alert {
	TLS_ALERT_CLOSE_NOTIFY = 0,
	TLS_ALERT_UNEXPECTED_MESSAGE = 10,
	TLS_ALERT_BAD_RECORD_MAC = 20,
	TLS_ALERT_RECORD_OVERFLOW = 22,
	TLS_ALERT_HANDSHAKE_FAILURE = 40,
	TLS_ALERT_BAD_CERTIFICATE = 42,
	TLS_ALERT_UNSUPPORTED_CERTIFICATE = 43,
	TLS_ALERT_ILLEGAL_PARAMETER = 47,
	TLS_ALERT_UNKNOWN_CA = 48,
	TLS_ALERT_DECODE_ERROR = 50,
	TLS_ALERT_DECRYPT_ERROR = 51,
	TLS_ALERT_PROTOCOL_VERSION = 70,
	TLS_ALERT_INTERNAL_ERROR = 80,
};

struct tls_config {
	const uint8_t *ca_key;      /* 32-byte Ed25519 public key of the CA */
	const uint8_t *cert;        /* our certificate, DER; NULL for none */
	size_t cert_len;
	const uint8_t *key_seed;    /* our Ed25519 private key (seed) */
	const uint8_t *key_pub;     /* and its public key */
	const char *server_name;    /* SNI, or NULL */
	/* Fills out with len unpredictable bytes. */
	void (*random)(void *ctx, uint8_t *out, size_t len);
	void *random_ctx;
};

struct tls_traffic {
	uint8_t secret[32];
	uint8_t key[32];
	uint8_t iv[12];
	uint64_t seq;
	uint32_t epoch; /* counts key changes */
	bool on;
};

struct tls_client {
	const struct tls_config *cfg;
	enum tls_stage stage;
	enum tls_error error;
	int alert_sent;     /* -1 when none */
	int alert_received; /* -1 when none */

	uint8_t x25519_key[32];
	uint8_t session_id[32];
	struct sha256_ctx transcript;
	uint8_t handshake_secret[32];
	struct tls_traffic rx, tx;
	uint8_t next_tx_secret[32]; /* client application secret, set at Finished */

	uint8_t peer_key[32];
	char peer_name[TLS_NAME_MAX]; /* server certificate subject CN */
	uint8_t request_context[32];
	uint8_t request_context_len;
	bool cert_requested;
	bool send_key_update;
	bool close_sent;
	uint32_t records_in, records_out; /* this session's, for the heartbeat */

	/* in holds hs_len bytes of a handshake message that a record left
	 * unfinished, then in_len bytes of the record being received. */
	uint8_t in[TLS_IN_MAX];
	size_t hs_len, in_len;
	size_t app_off, app_len; /* unread application data inside in */

	uint8_t out[TLS_OUT_MAX];
	size_t out_len;
};

/* Starts a handshake: the ClientHello is then in tls_output. */
enum tls_error tls_start(struct tls_client *c, const struct tls_config *cfg);

/* Takes received bytes; returns how many it consumed. It stops early while
 * application data waits to be read, and consumes nothing once failed. */
size_t tls_feed(struct tls_client *c, const uint8_t *data, size_t len);

/* Bytes to send, and how many of them were sent. */
const uint8_t *tls_output(const struct tls_client *c, size_t *len);
void tls_output_done(struct tls_client *c, size_t n);

/* Application data in and out; tls_write returns bytes accepted (0 while
 * the output buffer is full or the session is not connected). */
size_t tls_read(struct tls_client *c, uint8_t *buf, size_t cap);
size_t tls_write(struct tls_client *c, const uint8_t *buf, size_t len);

/* Sends close_notify; data still arrives until the server closes too. */
void tls_close(struct tls_client *c);

/* Gives up on the session without an alert (the peer stopped answering):
 * the stage becomes FAILED with TLS_ERR_TIMEOUT. */
void tls_abort(struct tls_client *c);

/* Wipes every secret. */
void tls_wipe(struct tls_client *c);

const char *tls_stage_name(enum tls_stage s);
const char *tls_error_name(enum tls_error e);
const char *tls_alert_name(int alert);

#define TLS_SUITE_NAME "TLS_CHACHA20_POLY1305_SHA256"

#endif
