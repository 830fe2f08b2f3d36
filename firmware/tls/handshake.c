/* Handshake messages (RFC 8446 section 4): the client's, built into the
 * output buffer, and the server's, checked through a cursor. */
#include "handshake.h"

#include <string.h>

#include "ct.h"
#include "curve25519.h"
#include "cursor.h"
#include "hmac.h"
#include "internal.h"
#include "x509.h"

#define TLS13 0x0304u
#define TLS12 0x0303u
#define SUITE_CHACHA20_POLY1305_SHA256 0x1303u
#define GROUP_X25519 0x001du
#define SIG_ED25519 0x0807u

enum {
	EXT_SERVER_NAME = 0,
	EXT_SUPPORTED_GROUPS = 10,
	EXT_SIGNATURE_ALGORITHMS = 13,
	EXT_SUPPORTED_VERSIONS = 43,
	EXT_KEY_SHARE = 51,
};

/* SHA-256("HelloRetryRequest"): a ServerHello with this random is an HRR. */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* A bounded writer; a write past cap marks it bad instead. */
struct writer {
	uint8_t *p;
	size_t len, cap;
	bool bad;
};

/* Takes the next n bytes for the caller to fill; NULL when they do not fit. */
static uint8_t *w_room(struct writer *w, size_t n)
{
	if (w->bad || w->cap - w->len < n) {
		w->bad = true;
		return NULL;
	}
	w->len += n;
	return w->p + w->len - n;
}

static void w_bytes(struct writer *w, const void *data, size_t n)
{
	uint8_t *p = w_room(w, n);
	if (p != NULL) {
		memcpy(p, data, n);
	}
}

static void w_uint(struct writer *w, uint32_t v, size_t bytes)
{
	uint8_t b[4];
	for (size_t i = 0; i < bytes; i++) {
		b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	}
	w_bytes(w, b, bytes);
}

/* Opens a vector with a bytes-long length prefix; w_close fills it in. */
static size_t w_open(struct writer *w, size_t bytes)
{
	size_t at = w->len;
	w_uint(w, 0, bytes);
	return at;
}

static void w_close(struct writer *w, size_t at, size_t bytes)
{
	if (w->bad) {
		return;
	}
	size_t n = w->len - at - bytes;
	for (size_t i = 0; i < bytes; i++) {
		w->p[at + i] = (uint8_t)(n >> (8 * (bytes - 1 - i)));
	}
}

/* A writer over the free tail of the output buffer, placed where
 * tls_record_append will put the record body, so no copy is needed. */
static struct writer message_writer(struct tls_client *c, uint8_t type)
{
	struct writer w = {c->out + c->out_len + RECORD_HEADER, 0, 0, false};
	size_t used = c->out_len + RECORD_HEADER + AEAD_OVERHEAD;
	w.cap = used < sizeof c->out ? sizeof c->out - used : 0;
	w_uint(&w, type, 1);
	w_uint(&w, 0, 3);
	return w;
}

/* Finishes the message's length, adds it to the transcript, queues it. */
static enum tls_error send_message(struct tls_client *c, struct writer *w, bool transcript)
{
	w_close(w, 1, 3);
	if (w->bad) {
		return TLS_ERR_NO_SPACE;
	}
	if (transcript) {
		sha256_update(&c->transcript, w->p, w->len);
	}
	return tls_record_append(c, CT_HANDSHAKE, w->p, w->len);
}

enum tls_error hs_send_client_hello(struct tls_client *c)
{
	const struct tls_config *cfg = c->cfg;
	uint8_t random[32], share[32];
	cfg->random(cfg->random_ctx, random, sizeof random);
	cfg->random(cfg->random_ctx, c->session_id, sizeof c->session_id);
	cfg->random(cfg->random_ctx, c->x25519_key, sizeof c->x25519_key);
	x25519_public(share, c->x25519_key);

	struct writer w = message_writer(c, HS_CLIENT_HELLO);
	w_uint(&w, TLS12, 2); /* legacy_version */
	w_bytes(&w, random, sizeof random);
	w_uint(&w, sizeof c->session_id, 1); /* a session id: middlebox compatibility mode */
	w_bytes(&w, c->session_id, sizeof c->session_id);
	w_uint(&w, 2, 2);
	w_uint(&w, SUITE_CHACHA20_POLY1305_SHA256, 2);
	w_uint(&w, 0x0100, 2); /* compression methods: null only */

	size_t exts = w_open(&w, 2);
	w_uint(&w, EXT_SUPPORTED_VERSIONS, 2);
	w_uint(&w, 3, 2);
	w_uint(&w, 2, 1);
	w_uint(&w, TLS13, 2);
	w_uint(&w, EXT_SUPPORTED_GROUPS, 2);
	w_uint(&w, 4, 2);
	w_uint(&w, 2, 2);
	w_uint(&w, GROUP_X25519, 2);
	w_uint(&w, EXT_SIGNATURE_ALGORITHMS, 2);
	w_uint(&w, 4, 2);
	w_uint(&w, 2, 2);
	w_uint(&w, SIG_ED25519, 2);
	w_uint(&w, EXT_KEY_SHARE, 2);
	w_uint(&w, 2 + 4 + sizeof share, 2);
	w_uint(&w, 4 + sizeof share, 2);
	w_uint(&w, GROUP_X25519, 2);
	w_uint(&w, sizeof share, 2);
	w_bytes(&w, share, sizeof share);
	if (cfg->server_name != NULL) {
		size_t name_len = strlen(cfg->server_name);
		w_uint(&w, EXT_SERVER_NAME, 2);
		w_uint(&w, name_len + 5, 2);
		w_uint(&w, name_len + 3, 2);
		w_uint(&w, 0, 1); /* host_name */
		w_uint(&w, name_len, 2);
		w_bytes(&w, cfg->server_name, name_len);
	}
	w_close(&w, exts, 2);
	return send_message(c, &w, true);
}

static TLS_NOINLINE enum tls_error on_server_hello(struct tls_client *c, struct cursor *m)
{
	uint16_t legacy_version = cur_u16(m);
	const uint8_t *random = cur_take(m, 32);
	struct cursor sid = cur_vec(m, 1);
	uint16_t suite = cur_u16(m);
	uint8_t compression = cur_u8(m);
	struct cursor exts = cur_vec(m, 2);
	if (!cur_done(m) || !cur_ok(&sid)) {
		return TLS_ERR_DECODE;
	}
	if (memcmp(random, hrr_random, 32) == 0) {
		return TLS_ERR_UNSUPPORTED; /* we offered our only group: an HRR cannot help */
	}
	if (legacy_version != TLS12 || suite != SUITE_CHACHA20_POLY1305_SHA256 || compression != 0 ||
	    cur_left(&sid) != sizeof c->session_id || memcmp(sid.p, c->session_id, sizeof c->session_id) != 0) {
		return TLS_ERR_PARAMETER;
	}
	uint16_t version = 0;
	const uint8_t *server_share = NULL;
	while (cur_ok(&exts) && cur_left(&exts) > 0) {
		uint16_t type = cur_u16(&exts);
		struct cursor data = cur_vec(&exts, 2);
		if (type == EXT_SUPPORTED_VERSIONS) {
			version = cur_u16(&data);
		} else if (type == EXT_KEY_SHARE) {
			if (cur_u16(&data) != GROUP_X25519) {
				return TLS_ERR_PARAMETER;
			}
			struct cursor key = cur_vec(&data, 2);
			server_share = cur_take(&key, 32);
			if (!cur_done(&key)) {
				return TLS_ERR_PARAMETER;
			}
		} else {
			return TLS_ERR_PARAMETER; /* nothing else was offered */
		}
		if (!cur_done(&data)) {
			return TLS_ERR_DECODE;
		}
	}
	if (!cur_ok(&exts)) {
		return TLS_ERR_DECODE;
	}
	if (version != TLS13) {
		return TLS_ERR_VERSION;
	}
	if (server_share == NULL) {
		return TLS_ERR_PARAMETER;
	}

	uint8_t shared[32], zeros[32] = {0}, secret[32];
	int low_order = x25519(shared, c->x25519_key, server_share);
	ct_wipe(c->x25519_key, sizeof c->x25519_key);
	if (low_order != 0) {
		return TLS_ERR_PARAMETER;
	}
	hkdf_sha256_extract(secret, NULL, 0, zeros, sizeof zeros); /* early secret, no PSK */
	tls_derive_secret(secret, secret, "derived", NULL);
	hkdf_sha256_extract(c->handshake_secret, secret, sizeof secret, shared, sizeof shared);
	ct_wipe(shared, sizeof shared);
	tls_derive_secret(secret, c->handshake_secret, "c hs traffic", &c->transcript);
	tls_set_traffic(&c->tx, secret);
	tls_derive_secret(secret, c->handshake_secret, "s hs traffic", &c->transcript);
	tls_set_traffic(&c->rx, secret);
	ct_wipe(secret, sizeof secret);
	c->stage = TLS_STAGE_WAIT_ENCRYPTED_EXTENSIONS;
	return TLS_OK;
}

/* Checks the shape of an extension list; we act on none of them. */
static enum tls_error skip_extensions(struct cursor *exts)
{
	while (cur_ok(exts) && cur_left(exts) > 0) {
		cur_u16(exts);
		cur_vec(exts, 2);
	}
	return cur_ok(exts) ? TLS_OK : TLS_ERR_DECODE;
}

static TLS_NOINLINE enum tls_error on_encrypted_extensions(struct tls_client *c, struct cursor *m)
{
	struct cursor exts = cur_vec(m, 2);
	if (!cur_done(m) || skip_extensions(&exts) != TLS_OK) {
		return TLS_ERR_DECODE;
	}
	c->stage = TLS_STAGE_WAIT_CERT_OR_REQUEST;
	return TLS_OK;
}

static TLS_NOINLINE enum tls_error on_certificate_request(struct tls_client *c, struct cursor *m)
{
	struct cursor context = cur_vec(m, 1);
	struct cursor exts = cur_vec(m, 2);
	if (!cur_done(m) || !cur_ok(&context) || cur_left(&context) > sizeof c->request_context) {
		return TLS_ERR_DECODE;
	}
	bool ed25519 = false;
	while (cur_ok(&exts) && cur_left(&exts) > 0) {
		uint16_t type = cur_u16(&exts);
		struct cursor data = cur_vec(&exts, 2);
		if (type != EXT_SIGNATURE_ALGORITHMS) {
			continue;
		}
		struct cursor algs = cur_vec(&data, 2);
		while (cur_ok(&algs) && cur_left(&algs) > 0) {
			ed25519 |= cur_u16(&algs) == SIG_ED25519;
		}
		if (!cur_ok(&algs)) {
			return TLS_ERR_DECODE;
		}
	}
	if (!cur_ok(&exts)) {
		return TLS_ERR_DECODE;
	}
	if (!ed25519 && c->cfg->cert != NULL) {
		return TLS_ERR_UNSUPPORTED;
	}
	c->request_context_len = (uint8_t)cur_left(&context);
	memcpy(c->request_context, context.p, c->request_context_len);
	c->cert_requested = true;
	c->stage = TLS_STAGE_WAIT_CERT;
	return TLS_OK;
}

/* Parses the Certificate message, takes the server certificate's key and
 * name, and points at what the CA signed; the parser's state is off the
 * stack by the time the signature is checked. */
static TLS_NOINLINE enum tls_error read_certificate(struct tls_client *c, struct cursor *m, struct cursor *tbs,
						    const uint8_t **signature)
{
	struct cursor context = cur_vec(m, 1);
	struct cursor list = cur_vec(m, 3);
	struct cursor der = cur_vec(&list, 3);
	struct cursor exts = cur_vec(&list, 2);
	if (!cur_done(m) || cur_left(&context) != 0 || !cur_ok(&der) || cur_left(&der) == 0 ||
	    skip_extensions(&exts) != TLS_OK) {
		return TLS_ERR_DECODE;
	}
	/* Further certificates would be intermediates: the leaf must be signed
	 * by the provisioned CA itself, so they are not needed. */
	struct x509_cert cert;
	enum tls_error err = x509_parse(der.p, cur_left(&der), &cert);
	if (err != TLS_OK) {
		return err;
	}
	*tbs = cur_init(cert.tbs, cert.tbs_len);
	*signature = cert.signature;
	memcpy(c->peer_key, cert.public_key, sizeof c->peer_key);
	memcpy(c->peer_name, cert.subject_cn, sizeof c->peer_name);
	return TLS_OK;
}

static TLS_NOINLINE enum tls_error on_certificate(struct tls_client *c, struct cursor *m)
{
	struct cursor tbs;
	const uint8_t *signature;
	enum tls_error err = read_certificate(c, m, &tbs, &signature);
	if (err != TLS_OK) {
		return err;
	}
	if (ed25519_verify(signature, tbs.p, cur_left(&tbs), c->cfg->ca_key) != 0) {
		ct_wipe(c->peer_key, sizeof c->peer_key); /* never trusted */
		memset(c->peer_name, 0, sizeof c->peer_name);
		return TLS_ERR_UNKNOWN_CA;
	}
	c->stage = TLS_STAGE_WAIT_CERT_VERIFY;
	return TLS_OK;
}

/* A CertificateVerify signs (section 4.4.3) 64 spaces, a context string
 * and a zero byte (the string's terminator here), then the transcript
 * hash: the constant part stays in flash. */
#define SPACES_64 "                                                                "
static const char server_verify_prefix[] = SPACES_64 "TLS 1.3, server CertificateVerify";
static const char client_verify_prefix[] = SPACES_64 "TLS 1.3, client CertificateVerify";
_Static_assert(sizeof server_verify_prefix == 98 && sizeof client_verify_prefix == 98, "64 + 33 + 1");

static TLS_NOINLINE enum tls_error on_certificate_verify(struct tls_client *c, struct cursor *m)
{
	uint16_t alg = cur_u16(m);
	struct cursor sig = cur_vec(m, 2);
	if (!cur_done(m) || !cur_ok(&sig)) {
		return TLS_ERR_DECODE;
	}
	if (alg != SIG_ED25519) {
		return TLS_ERR_PARAMETER;
	}
	uint8_t hash[32];
	tls_transcript_hash(&c->transcript, hash);
	if (cur_left(&sig) != 64 || ed25519_verify_prefixed(sig.p, (const uint8_t *)server_verify_prefix,
							      sizeof server_verify_prefix, hash, sizeof hash,
							      c->peer_key) != 0) {
		return TLS_ERR_BAD_SIGNATURE;
	}
	c->stage = TLS_STAGE_WAIT_FINISHED;
	return TLS_OK;
}

static void finished_mac(uint8_t out[32], const uint8_t traffic_secret[32], const struct sha256_ctx *transcript)
{
	uint8_t key[32], hash[32];
	tls_expand_label(key, sizeof key, traffic_secret, "finished", NULL, 0);
	tls_transcript_hash(transcript, hash);
	hmac_sha256(key, sizeof key, hash, sizeof hash, out);
	ct_wipe(key, sizeof key);
}

static TLS_NOINLINE enum tls_error send_client_auth(struct tls_client *c)
{
	const struct tls_config *cfg = c->cfg;
	struct writer w = message_writer(c, HS_CERTIFICATE);
	w_uint(&w, c->request_context_len, 1);
	w_bytes(&w, c->request_context, c->request_context_len);
	size_t list = w_open(&w, 3);
	if (cfg->cert != NULL) {
		w_uint(&w, cfg->cert_len, 3);
		w_bytes(&w, cfg->cert, cfg->cert_len);
		w_uint(&w, 0, 2); /* no extensions */
	}
	w_close(&w, list, 3);
	enum tls_error err = send_message(c, &w, true);
	if (err != TLS_OK || cfg->cert == NULL) {
		return err;
	}
	w = message_writer(c, HS_CERTIFICATE_VERIFY);
	w_uint(&w, SIG_ED25519, 2);
	w_uint(&w, 64, 2);
	uint8_t *sig = w_room(&w, 64); /* signed in place */
	if (sig != NULL) {
		uint8_t hash[32];
		tls_transcript_hash(&c->transcript, hash);
		ed25519_sign_prefixed(sig, (const uint8_t *)client_verify_prefix, sizeof client_verify_prefix, hash,
				      sizeof hash, cfg->key_seed, cfg->key_pub);
	}
	return send_message(c, &w, true);
}

/* The server's Finished, checked before it joins the transcript, then the
 * application secrets, which hash the transcript through it. The server's
 * take effect at once: its next record uses them. */
static TLS_NOINLINE enum tls_error on_finished(struct tls_client *c, struct cursor *m, const uint8_t *msg,
					       size_t len)
{
	uint8_t expected[32], secret[32], zeros[32] = {0};
	if (cur_left(m) != sizeof expected) {
		return TLS_ERR_DECODE;
	}
	finished_mac(expected, c->rx.secret, &c->transcript);
	if (ct_compare(expected, m->p, sizeof expected) != 0) {
		return TLS_ERR_BAD_FINISHED;
	}
	sha256_update(&c->transcript, msg, len);

	tls_derive_secret(secret, c->handshake_secret, "derived", NULL);
	hkdf_sha256_extract(secret, secret, sizeof secret, zeros, sizeof zeros); /* master secret */
	tls_derive_secret(c->next_tx_secret, secret, "c ap traffic", &c->transcript);
	tls_derive_secret(secret, secret, "s ap traffic", &c->transcript);
	ct_wipe(c->handshake_secret, sizeof c->handshake_secret);
	tls_set_traffic(&c->rx, secret);
	ct_wipe(secret, sizeof secret);
	return TLS_OK;
}

/* Our second flight: ChangeCipherSpec (middlebox compatibility), our
 * Certificate and CertificateVerify when asked, Finished; then our
 * application keys. Called after on_finished has returned, so the
 * signature's stack does not add to that frame. */
static TLS_NOINLINE enum tls_error send_client_flight(struct tls_client *c)
{
	static const uint8_t ccs = 1;
	enum tls_error err = tls_record_append(c, CT_CHANGE_CIPHER_SPEC, &ccs, 1);
	if (err == TLS_OK && c->cert_requested) {
		err = send_client_auth(c);
	}
	if (err == TLS_OK) {
		uint8_t mac[32];
		finished_mac(mac, c->tx.secret, &c->transcript);
		struct writer w = message_writer(c, HS_FINISHED);
		w_bytes(&w, mac, sizeof mac);
		err = send_message(c, &w, false);
	}
	if (err != TLS_OK) {
		return err;
	}
	tls_set_traffic(&c->tx, c->next_tx_secret);
	ct_wipe(c->next_tx_secret, sizeof c->next_tx_secret);
	c->stage = TLS_STAGE_CONNECTED;
	return TLS_OK;
}

static void next_traffic(struct tls_traffic *t)
{
	uint8_t secret[32];
	tls_expand_label(secret, sizeof secret, t->secret, "traffic upd", NULL, 0);
	tls_set_traffic(t, secret);
	ct_wipe(secret, sizeof secret);
}

enum tls_error hs_send_key_update(struct tls_client *c)
{
	struct writer w = message_writer(c, HS_KEY_UPDATE);
	w_uint(&w, 0, 1); /* update_not_requested */
	enum tls_error err = send_message(c, &w, false);
	if (err == TLS_OK) {
		next_traffic(&c->tx);
		c->send_key_update = false;
	}
	return err;
}

static enum tls_error on_key_update(struct tls_client *c, struct cursor *m)
{
	uint8_t request = cur_u8(m);
	if (!cur_done(m)) {
		return TLS_ERR_DECODE;
	}
	if (request > 1) {
		return TLS_ERR_PARAMETER;
	}
	next_traffic(&c->rx);
	if (request == 1) {
		c->send_key_update = true;
		if (hs_send_key_update(c) == TLS_ERR_NO_SPACE) {
			return TLS_OK; /* sent by tls_write once the output drains */
		}
	}
	return TLS_OK;
}

enum tls_error hs_handle(struct tls_client *c, uint8_t type, const uint8_t *msg, size_t len)
{
	struct cursor m = cur_init(msg + 4, len - 4);
	enum tls_stage stage = c->stage;
	if (stage == TLS_STAGE_CONNECTED) {
		switch (type) {
		case HS_NEW_SESSION_TICKET:
			return TLS_OK; /* no resumption */
		case HS_KEY_UPDATE:
			return on_key_update(c, &m);
		default:
			return TLS_ERR_UNEXPECTED;
		}
	}
	if (type == HS_FINISHED && stage == TLS_STAGE_WAIT_FINISHED) {
		enum tls_error err = on_finished(c, &m, msg, len);
		return err != TLS_OK ? err : send_client_flight(c);
	}
	if (type == HS_CERTIFICATE_VERIFY && stage == TLS_STAGE_WAIT_CERT_VERIFY) {
		enum tls_error err = on_certificate_verify(c, &m);
		sha256_update(&c->transcript, msg, len);
		return err;
	}
	sha256_update(&c->transcript, msg, len);
	switch (stage) {
	case TLS_STAGE_WAIT_SERVER_HELLO:
		return type == HS_SERVER_HELLO ? on_server_hello(c, &m) : TLS_ERR_UNEXPECTED;
	case TLS_STAGE_WAIT_ENCRYPTED_EXTENSIONS:
		return type == HS_ENCRYPTED_EXTENSIONS ? on_encrypted_extensions(c, &m) : TLS_ERR_UNEXPECTED;
	case TLS_STAGE_WAIT_CERT_OR_REQUEST:
		if (type == HS_CERTIFICATE_REQUEST) {
			return on_certificate_request(c, &m);
		}
		return type == HS_CERTIFICATE ? on_certificate(c, &m) : TLS_ERR_UNEXPECTED;
	case TLS_STAGE_WAIT_CERT:
		return type == HS_CERTIFICATE ? on_certificate(c, &m) : TLS_ERR_UNEXPECTED;
	default:
		return TLS_ERR_UNEXPECTED;
	}
}
