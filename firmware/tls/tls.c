/*
 * The TLS 1.3 client state machine (RFC 8446 sections 4 and 6): feeding
 * records, reassembling handshake messages, and the alerts that end a
 * session. Message bodies are built and checked in handshake.c.
 */
#include <string.h>

#include "ct.h"
#include "cursor.h"
#include "handshake.h"
#include "internal.h"

_Static_assert(TLS_IN_MAX >= 256u && TLS_IN_MAX <= RECORD_HEADER + MAX_CIPHERTEXT,
	       "TLS_IN_MAX: room for a ServerHello record, at most the largest record there is");
_Static_assert(TLS_OUT_MAX >= 256u, "TLS_OUT_MAX: room for the ClientHello");

static uint8_t alert_for(enum tls_error err)
{
	switch (err) {
	case TLS_ERR_DECODE:
		return TLS_ALERT_DECODE_ERROR;
	case TLS_ERR_UNEXPECTED:
		return TLS_ALERT_UNEXPECTED_MESSAGE;
	case TLS_ERR_BAD_RECORD_MAC:
		return TLS_ALERT_BAD_RECORD_MAC;
	case TLS_ERR_RECORD_OVERFLOW:
	case TLS_ERR_TOO_LARGE:
		return TLS_ALERT_RECORD_OVERFLOW;
	case TLS_ERR_PARAMETER:
		return TLS_ALERT_ILLEGAL_PARAMETER;
	case TLS_ERR_UNSUPPORTED:
		return TLS_ALERT_HANDSHAKE_FAILURE;
	case TLS_ERR_VERSION:
		return TLS_ALERT_PROTOCOL_VERSION;
	case TLS_ERR_BAD_CERT:
		return TLS_ALERT_BAD_CERTIFICATE;
	case TLS_ERR_CERT_ALGORITHM:
		return TLS_ALERT_UNSUPPORTED_CERTIFICATE;
	case TLS_ERR_UNKNOWN_CA:
		return TLS_ALERT_UNKNOWN_CA;
	case TLS_ERR_BAD_SIGNATURE:
	case TLS_ERR_BAD_FINISHED:
		return TLS_ALERT_DECRYPT_ERROR;
	default:
		return TLS_ALERT_INTERNAL_ERROR;
	}
}

/* Ends the session: records why, queues the matching fatal alert (unless
 * the peer's alert ended it) and wipes the secrets. */
enum tls_error tls_fail(struct tls_client *c, enum tls_error err)
{
	if (c->stage == TLS_STAGE_FAILED) {
		return c->error;
	}
	c->error = err;
	if (err != TLS_ERR_PEER_ALERT) {
		uint8_t alert[2] = {2, alert_for(err)}; /* fatal */
		c->alert_sent = alert[1];
		tls_record_append(c, CT_ALERT, alert, sizeof alert);
	}
	c->stage = TLS_STAGE_FAILED;
	ct_wipe(c->x25519_key, sizeof c->x25519_key);
	ct_wipe(c->handshake_secret, sizeof c->handshake_secret);
	ct_wipe(c->next_tx_secret, sizeof c->next_tx_secret);
	ct_wipe(&c->rx, sizeof c->rx);
	c->app_len = 0;
	return err;
}

enum tls_error tls_start(struct tls_client *c, const struct tls_config *cfg)
{
	memset(c, 0, sizeof *c);
	c->cfg = cfg;
	c->alert_sent = -1;
	c->alert_received = -1;
	sha256_init(&c->transcript);
	enum tls_error err = hs_send_client_hello(c);
	if (err != TLS_OK) {
		return tls_fail(c, err);
	}
	c->stage = TLS_STAGE_WAIT_SERVER_HELLO;
	return TLS_OK;
}

static bool in_handshake(const struct tls_client *c)
{
	return c->stage >= TLS_STAGE_WAIT_SERVER_HELLO && c->stage < TLS_STAGE_CONNECTED;
}

static enum tls_error on_alert(struct tls_client *c, const uint8_t *p, size_t len)
{
	if (len != 2) {
		return TLS_ERR_DECODE;
	}
	c->alert_received = p[1];
	if (p[1] == TLS_ALERT_CLOSE_NOTIFY) {
		c->stage = TLS_STAGE_CLOSED;
		return TLS_OK;
	}
	return TLS_ERR_PEER_ALERT;
}

/* The length of the handshake message whose 4-byte header is at p. */
static size_t message_len(const uint8_t *p)
{
	return 4 + (((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3]);
}

/* Handles every complete message in in[0..avail), which is the unfinished
 * message a previous record left (hs_len bytes) and this record's
 * plaintext behind it, then keeps what is left of a message at the start
 * of in for the next record to complete. */
static enum tls_error on_handshake_data(struct tls_client *c, size_t avail)
{
	size_t pos = 0;
	while (avail - pos >= 4 && message_len(c->in + pos) <= avail - pos) {
		size_t len = message_len(c->in + pos);
		uint32_t epoch = c->rx.epoch;
		enum tls_error err = hs_handle(c, c->in[pos], c->in + pos, len);
		if (err != TLS_OK) {
			return err;
		}
		pos += len;
		/* A key change must fall on a record boundary (section 5.1). */
		if (epoch != c->rx.epoch && pos < avail) {
			return TLS_ERR_UNEXPECTED;
		}
	}
	c->hs_len = avail - pos;
	memmove(c->in, c->in + pos, c->hs_len);
	/* The record that ends the message brings at least its header and,
	 * once records are protected, its tag and content type. */
	size_t overhead = RECORD_HEADER + (c->rx.on ? AEAD_OVERHEAD : 0);
	if (c->hs_len >= 4 && message_len(c->in) > sizeof c->in - overhead) {
		return TLS_ERR_TOO_LARGE;
	}
	return TLS_OK;
}

/* Handles the complete record at in + hs_len. */
static enum tls_error on_record(struct tls_client *c)
{
	uint8_t *rec = c->in + c->hs_len;
	uint8_t type;
	size_t len;
	c->records_in++;
	if (rec[0] == CT_CHANGE_CIPHER_SPEC) {
		/* Middlebox compatibility: one byte 0x01, only mid-handshake and
		 * never inside a split message (section 5.1). */
		if (!in_handshake(c) || c->stage == TLS_STAGE_WAIT_SERVER_HELLO || c->hs_len > 0 ||
		    c->in_len != RECORD_HEADER + 1 || rec[RECORD_HEADER] != 1) {
			return TLS_ERR_UNEXPECTED;
		}
		return TLS_OK;
	}
	enum tls_error err = tls_record_open(c, rec, c->in_len, &type, &len);
	if (err != TLS_OK) {
		return err;
	}
	if (c->hs_len > 0 && type != CT_HANDSHAKE) {
		return TLS_ERR_UNEXPECTED; /* a message is half-way */
	}
	switch (type) {
	case CT_ALERT:
		return on_alert(c, rec + RECORD_HEADER, len);
	case CT_HANDSHAKE:
		if (len == 0) {
			return TLS_ERR_UNEXPECTED;
		}
		memmove(rec, rec + RECORD_HEADER, len); /* behind the unfinished message */
		return on_handshake_data(c, c->hs_len + len);
	case CT_APPLICATION_DATA:
		if (c->stage != TLS_STAGE_CONNECTED) {
			return TLS_ERR_UNEXPECTED;
		}
		c->app_off = RECORD_HEADER; /* hs_len is 0 */
		c->app_len = len;
		return TLS_OK;
	default:
		return TLS_ERR_UNEXPECTED;
	}
}

/* Checks the header of the record being received; returns its full size. */
static enum tls_error record_size(const struct tls_client *c, size_t *size)
{
	const uint8_t *rec = c->in + c->hs_len;
	size_t body = ((size_t)rec[3] << 8) | rec[4];
	if (body == 0) {
		return c->rx.on ? TLS_ERR_BAD_RECORD_MAC : TLS_ERR_UNEXPECTED;
	}
	if (body > MAX_CIPHERTEXT) {
		return TLS_ERR_RECORD_OVERFLOW;
	}
	if (RECORD_HEADER + body > sizeof c->in - c->hs_len) {
		/* Larger than we take, or than the room behind a split message. */
		return c->hs_len > 0 ? TLS_ERR_TOO_LARGE : TLS_ERR_RECORD_OVERFLOW;
	}
	*size = RECORD_HEADER + body;
	return TLS_OK;
}

size_t tls_feed(struct tls_client *c, const uint8_t *data, size_t len)
{
	size_t used = 0;
	while (used < len && c->app_len == 0 && (in_handshake(c) || c->stage == TLS_STAGE_CONNECTED)) {
		size_t want = RECORD_HEADER;
		if (c->in_len >= RECORD_HEADER) {
			enum tls_error err = record_size(c, &want);
			if (err != TLS_OK) {
				tls_fail(c, err);
				break;
			}
		}
		size_t n = want - c->in_len;
		if (n > len - used) {
			n = len - used;
		}
		memcpy(c->in + c->hs_len + c->in_len, data + used, n);
		c->in_len += n;
		used += n;
		if (c->in_len == RECORD_HEADER && want == RECORD_HEADER) {
			/* Refused as soon as the header says so. */
			enum tls_error err = record_size(c, &want);
			if (err != TLS_OK) {
				tls_fail(c, err);
			}
		} else if (c->in_len == want) {
			enum tls_error err = on_record(c);
			c->in_len = 0;
			if (err != TLS_OK) {
				tls_fail(c, err);
			}
		}
	}
	return used;
}

const uint8_t *tls_output(const struct tls_client *c, size_t *len)
{
	*len = c->out_len;
	return c->out;
}

void tls_output_done(struct tls_client *c, size_t n)
{
	if (n > c->out_len) {
		n = c->out_len;
	}
	memmove(c->out, c->out + n, c->out_len - n);
	c->out_len -= n;
}

size_t tls_read(struct tls_client *c, uint8_t *buf, size_t cap)
{
	size_t n = c->app_len < cap ? c->app_len : cap;
	memcpy(buf, c->in + c->app_off, n);
	c->app_off += n;
	c->app_len -= n;
	return n;
}

size_t tls_write(struct tls_client *c, const uint8_t *buf, size_t len)
{
	if (c->stage != TLS_STAGE_CONNECTED || c->close_sent) {
		return 0;
	}
	if (c->send_key_update && hs_send_key_update(c) != TLS_OK) {
		return 0;
	}
	size_t room = sizeof c->out - c->out_len;
	if (room <= RECORD_HEADER + AEAD_OVERHEAD) {
		return 0;
	}
	size_t n = room - RECORD_HEADER - AEAD_OVERHEAD;
	if (n > len) {
		n = len;
	}
	if (n == 0 || tls_record_append(c, CT_APPLICATION_DATA, buf, n) != TLS_OK) {
		return 0;
	}
	return n;
}

void tls_close(struct tls_client *c)
{
	if ((c->stage == TLS_STAGE_CONNECTED || in_handshake(c)) && !c->close_sent) {
		uint8_t alert[2] = {1, TLS_ALERT_CLOSE_NOTIFY};
		tls_record_append(c, CT_ALERT, alert, sizeof alert);
		c->alert_sent = TLS_ALERT_CLOSE_NOTIFY;
		c->close_sent = true;
	}
}

void tls_abort(struct tls_client *c)
{
	if (c->stage != TLS_STAGE_FAILED) {
		c->out_len = 0;
		tls_fail(c, TLS_ERR_TIMEOUT);
		c->out_len = 0; /* no alert: nobody is listening */
		c->alert_sent = -1;
	}
}

void tls_wipe(struct tls_client *c)
{
	ct_wipe(c, sizeof *c);
}

const char *tls_stage_name(enum tls_stage s)
{
	static const char *const names[] = {
		"idle", "wait-server-hello", "wait-encrypted-extensions", "wait-certificate-or-request",
		"wait-certificate", "wait-certificate-verify", "wait-finished", "connected", "closed", "failed",
	};
	return (size_t)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

const char *tls_error_name(enum tls_error e)
{
	static const char *const names[] = {
		"ok", "decode error", "unexpected message", "bad record mac", "record overflow",
		"illegal parameter", "unsupported", "not TLS 1.3", "bad certificate", "unsupported certificate algorithm",
		"unknown ca", "bad signature", "bad finished", "peer alert", "no space", "bad state", "timed out",
		"handshake message too large",
	};
	return (size_t)e < sizeof names / sizeof names[0] ? names[e] : "?";
}

const char *tls_alert_name(int alert)
{
	switch (alert) {
	case TLS_ALERT_CLOSE_NOTIFY: return "close_notify";
	case TLS_ALERT_UNEXPECTED_MESSAGE: return "unexpected_message";
	case TLS_ALERT_BAD_RECORD_MAC: return "bad_record_mac";
	case TLS_ALERT_RECORD_OVERFLOW: return "record_overflow";
	case TLS_ALERT_HANDSHAKE_FAILURE: return "handshake_failure";
	case TLS_ALERT_BAD_CERTIFICATE: return "bad_certificate";
	case TLS_ALERT_UNSUPPORTED_CERTIFICATE: return "unsupported_certificate";
	case TLS_ALERT_ILLEGAL_PARAMETER: return "illegal_parameter";
	case TLS_ALERT_UNKNOWN_CA: return "unknown_ca";
	case TLS_ALERT_DECODE_ERROR: return "decode_error";
	case TLS_ALERT_DECRYPT_ERROR: return "decrypt_error";
	case TLS_ALERT_PROTOCOL_VERSION: return "protocol_version";
	case TLS_ALERT_INTERNAL_ERROR: return "internal_error";
	case 44: return "certificate_revoked";
	case 46: return "certificate_unknown";
	case 49: return "access_denied";
	case 116: return "certificate_required";
	default: return "alert";
	}
}
