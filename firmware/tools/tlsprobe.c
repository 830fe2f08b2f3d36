/*
 * tlsprobe: the firmware's TLS client over a plain TCP socket, like
 * `openssl s_client` for our firmware. It completes the handshake, prints
 * what was negotiated, sends stdin lines, prints what comes back, and
 * exits non-zero with the TLS error and alert on failure.
 *
 *   tlsprobe [-n COUNT] HOST:PORT CA DEVICE-CERT DEVICE-KEY [SERVER-NAME]
 *
 * With -n, it makes COUNT connections in a row, each sending one line and
 * waiting for its echo, and prints handshake times.
 *
 * CA is the CA certificate (its Ed25519 key is the trust anchor); keys and
 * certificates are PEM or DER. Host tool only: it may use libc freely.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "curve25519.h"
#include "pem.h"
#include "tls.h"
#include "x509.h"

static void system_random(void *ctx, uint8_t *out, size_t len)
{
	(void)ctx;
	while (len > 0) {
		ssize_t n = getrandom(out, len, 0);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			perror("tlsprobe: getrandom");
			exit(3);
		}
		out += n;
		len -= (size_t)n;
	}
}

static int dial(const char *addr)
{
	char host[256];
	const char *colon = strrchr(addr, ':');
	if (colon == NULL || (size_t)(colon - addr) >= sizeof host) {
		fprintf(stderr, "tlsprobe: address %s: want HOST:PORT\n", addr);
		exit(2);
	}
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	int rc = getaddrinfo(host, colon + 1, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "tlsprobe: %s: %s\n", addr, gai_strerror(rc));
		exit(3);
	}
	int fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
		fprintf(stderr, "tlsprobe: connect %s: %s\n", addr, strerror(errno));
		exit(3);
	}
	freeaddrinfo(res);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static void send_all(int fd, struct tls_client *c)
{
	size_t len;
	const uint8_t *p = tls_output(c, &len);
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return; /* the peer is gone; the read side reports it */
		}
		tls_output_done(c, (size_t)n);
		p = tls_output(c, &len);
	}
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int report_failure(const struct tls_client *c)
{
	fprintf(stderr, "tlsprobe: failed in %s: %s", tls_stage_name(c->stage), tls_error_name(c->error));
	if (c->alert_sent >= 0) {
		fprintf(stderr, " (sent alert %s)", tls_alert_name(c->alert_sent));
	}
	if (c->alert_received >= 0) {
		fprintf(stderr, " (received alert %s)", tls_alert_name(c->alert_received));
	}
	fprintf(stderr, "\n");
	return 1;
}

/* One connection. Interactive: stdin lines go out, replies are printed.
 * Otherwise (repeat mode) it sends one line and waits for its echo. */
static int session(const char *addr, const struct tls_config *cfg, bool interactive, double *handshake_ms)
{
	static struct tls_client c;
	int fd = dial(addr);
	double start = now_ms();
	tls_start(&c, cfg);
	send_all(fd, &c);

	static const char probe[] = "probe\n";
	size_t echoed = 0;
	bool announced = false, stdin_open = interactive;
	uint8_t buf[4096];
	int rc = 1;
	for (;;) {
		if (c.stage == TLS_STAGE_CONNECTED && !announced) {
			announced = true;
			*handshake_ms = now_ms() - start;
			if (interactive) {
				printf("connected: TLS 1.3 %s peer=%s handshake=%.1fms\n", TLS_SUITE_NAME, c.peer_name,
				       *handshake_ms);
				fflush(stdout);
			} else {
				tls_write(&c, (const uint8_t *)probe, sizeof probe - 1);
				send_all(fd, &c);
			}
		}
		if (c.stage == TLS_STAGE_FAILED) {
			send_all(fd, &c);
			rc = report_failure(&c);
			break;
		}
		if (c.stage == TLS_STAGE_CLOSED || (!interactive && echoed == sizeof probe - 1 && c.close_sent)) {
			send_all(fd, &c);
			rc = 0;
			break;
		}
		struct pollfd fds[2] = {{.fd = fd, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
		nfds_t nfds = announced && stdin_open ? 2 : 1;
		if (poll(fds, nfds, -1) < 0 && errno != EINTR) {
			perror("tlsprobe: poll");
			rc = 3;
			break;
		}
		if (fds[0].revents) {
			ssize_t got = recv(fd, buf, sizeof buf, 0);
			if (got <= 0) {
				fprintf(stderr, "tlsprobe: connection closed in %s\n", tls_stage_name(c.stage));
				rc = c.stage == TLS_STAGE_CONNECTED && c.close_sent ? 0 : 1;
				break;
			}
			size_t used = 0;
			while (used < (size_t)got && (c.stage < TLS_STAGE_CLOSED)) {
				used += tls_feed(&c, buf + used, (size_t)got - used);
				uint8_t app[2048];
				size_t n;
				while ((n = tls_read(&c, app, sizeof app)) > 0) {
					if (interactive) {
						fwrite(app, 1, n, stdout);
						fflush(stdout);
					} else {
						echoed += n;
					}
				}
			}
			if (!interactive && echoed >= sizeof probe - 1) {
				tls_close(&c);
			}
			send_all(fd, &c);
		}
		if (nfds == 2 && fds[1].revents) {
			ssize_t got = read(0, buf, sizeof buf);
			if (got <= 0) { /* half-close: replies still arrive until the server closes */
				stdin_open = false;
				tls_close(&c);
				send_all(fd, &c);
				continue;
			}
			size_t off = 0;
			while (off < (size_t)got && c.stage == TLS_STAGE_CONNECTED) {
				off += tls_write(&c, buf + off, (size_t)got - off);
				send_all(fd, &c);
			}
		}
	}
	close(fd);
	tls_wipe(&c);
	return rc;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long repeat = 0;
	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		repeat = strtol(argv[2], NULL, 10);
		argc -= 2;
		argv += 2;
	}
	if (argc < 5 || argc > 6 || repeat < 0) {
		fprintf(stderr, "usage: tlsprobe [-n COUNT] HOST:PORT CA-CERT DEVICE-CERT DEVICE-KEY [SERVER-NAME]\n");
		return 2;
	}
	static uint8_t ca_der[4096], cert[4096];
	uint8_t seed[32], pub[32];
	size_t ca_len = pem_load(argv[2], "CERTIFICATE", ca_der, sizeof ca_der);
	size_t cert_len = pem_load(argv[3], "CERTIFICATE", cert, sizeof cert);
	if (!pem_load_ed25519_key(argv[4], seed)) {
		fprintf(stderr, "tlsprobe: %s: not an Ed25519 private key (PKCS#8, PEM or DER)\n", argv[4]);
		return 2;
	}
	struct x509_cert ca;
	if (x509_parse(ca_der, ca_len, &ca) != TLS_OK) {
		fprintf(stderr, "tlsprobe: %s: not an Ed25519 certificate\n", argv[2]);
		return 2;
	}
	ed25519_public(pub, seed);
	struct tls_config cfg = {
		.ca_key = ca.public_key, .cert = cert, .cert_len = cert_len, .key_seed = seed,
		.key_pub = pub, .server_name = argc == 6 ? argv[5] : NULL, .random = system_random,
	};
	double ms = 0;
	if (repeat == 0) {
		return session(argv[1], &cfg, true, &ms);
	}
	double *times = calloc((size_t)repeat, sizeof *times);
	for (long i = 0; i < repeat; i++) {
		if (session(argv[1], &cfg, false, &times[i]) != 0) {
			fprintf(stderr, "tlsprobe: handshake %ld of %ld failed\n", i + 1, repeat);
			free(times);
			return 1;
		}
	}
	qsort(times, (size_t)repeat, sizeof *times, compare_double);
	printf("handshakes=%ld ok, handshake ms: min=%.2f median=%.2f max=%.2f\n", repeat, times[0],
	       times[repeat / 2], times[repeat - 1]);
	free(times);
	return 0;
}
