/*
 * The native port: the firmware as a Linux process (like Zephyr's
 * native_sim). The console is stdin/stdout (a pty under the lab), the link
 * a TCP connection to the lab, time CLOCK_MONOTONIC and idle poll(2).
 * SIGUSR1 is the reset button: the process re-executes itself, keeping its
 * pid and console, as a board keeps its serial port across a reset.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "board.h"
#include "fmt.h"
#include "fw.h"
#include "hal.h"

#define RECONNECT_US 500000u

static struct {
	char **argv;
	const char *link_addr;
	int link_fd;
	uint64_t next_connect_us;
	uint64_t boot_us; /* CLOCK_MONOTONIC at hal_init: uptime starts at 0 */
	uint8_t provision[BOARD_PROVISION_SIZE];
	uint8_t build_id[20];
	size_t build_id_len;
	struct hal_counters counters;
} native = {.link_fd = -1};

static volatile sig_atomic_t reset_requested;

static uint64_t monotonic_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void on_reset_signal(int sig)
{
	(void)sig;
	reset_requested = 1;
}

static void on_fault_signal(int sig)
{
	char line[96];
	struct fmt f = fmt_init(line, sizeof line);
	fmt_str(&f, "\r\n*** HARDFAULT ***\r\nsignal=");
	fmt_u64(&f, (uint64_t)sig);
	fmt_str(&f, "\r\n*** board halted ***\r\n");
	hal_console_write_polled(line, fmt_len(&f));
	while (!reset_requested) { /* halted, as a board is, until reset */
		pause();
	}
	hal_reset(); /* execv is async-signal-safe */
}

static void usage(void)
{
	fprintf(stderr, "usage: wasmbed-fw [--link HOST:PORT] [--provision FILE]\n");
	exit(2);
}

static void load_provision(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, "wasmbed-fw: provisioning blob %s: %s\n", path, strerror(errno));
		exit(1);
	}
	size_t n = fread(native.provision, 1, sizeof native.provision, fp);
	(void)n; /* a short blob leaves the rest zero, as erased memory would */
	fclose(fp);
}

static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE) {
			continue;
		}
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		const uint8_t *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const uint8_t *name = p + sizeof *nh;
			const uint8_t *desc = name + ((nh->n_namesz + 3u) & ~3u);
			if (desc + nh->n_descsz > end) {
				break;
			}
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
				native.build_id_len = nh->n_descsz < sizeof native.build_id ? nh->n_descsz : sizeof native.build_id;
				memcpy(native.build_id, desc, native.build_id_len);
				return 1;
			}
			p = desc + ((nh->n_descsz + 3u) & ~3u);
		}
	}
	return 1; /* the first object is the executable itself */
}

int main(int argc, char **argv)
{
	native.argv = argv;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--link") == 0 && i + 1 < argc) {
			native.link_addr = argv[++i];
		} else if (strcmp(argv[i], "--provision") == 0 && i + 1 < argc) {
			load_provision(argv[++i]);
		} else {
			usage();
		}
	}
	fw_main();
}

static void link_connect(void)
{
	char host[64];
	const char *colon = strrchr(native.link_addr, ':');
	size_t host_len = colon ? (size_t)(colon - native.link_addr) : 0;
	if (colon == NULL || host_len >= sizeof host) {
		fprintf(stderr, "wasmbed-fw: --link wants HOST:PORT, got %s\n", native.link_addr);
		exit(2);
	}
	memcpy(host, native.link_addr, host_len);
	host[host_len] = '\0';
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res;
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0) {
		return;
	}
	int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		native.link_fd = fd;
	} else if (fd >= 0) {
		close(fd);
	}
	freeaddrinfo(res);
}

static void link_lost(void)
{
	close(native.link_fd);
	native.link_fd = -1;
	native.next_connect_us = hal_now_us() + RECONNECT_US;
}

void hal_init(void)
{
	/* A reset from the fault handler execs with the fault signal blocked. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	struct sigaction sa = {.sa_handler = on_reset_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART: poll returns EINTR */
	struct sigaction fault = {.sa_handler = on_fault_signal};
	sigemptyset(&fault.sa_mask);
	sigaction(SIGILL, &fault, NULL);
	sigaction(SIGSEGV, &fault, NULL);
	sigaction(SIGBUS, &fault, NULL);
	signal(SIGPIPE, SIG_IGN);
	native.boot_us = monotonic_us();
	fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	dl_iterate_phdr(find_build_id, NULL);
	if (native.link_addr != NULL) {
		link_connect();
	}
}

uint64_t hal_now_us(void)
{
	return monotonic_us() - native.boot_us;
}

void hal_idle_until(uint64_t deadline_us)
{
	uint64_t now = hal_now_us();
	if (native.link_addr != NULL && native.link_fd < 0 && now >= native.next_connect_us) {
		link_connect();
		if (native.link_fd < 0) {
			native.next_connect_us = now + RECONNECT_US;
		}
	}
	struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = native.link_fd, .events = POLLIN}};
	uint64_t wait_us = deadline_us > now ? deadline_us - now : 0;
	if (wait_us > 1000000u) {
		wait_us = 1000000u;
	}
	poll(fds, native.link_fd >= 0 ? 2 : 1, (int)((wait_us + 999u) / 1000u));
	native.counters.sleeps++;
	if (reset_requested) {
		hal_reset();
	}
}

void hal_console_write(const void *buf, size_t len)
{
	hal_console_write_polled(buf, len);
}

void hal_console_write_polled(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = write(1, p, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = {.fd = 1, .events = POLLOUT};
			poll(&pfd, 1, 100);
			continue;
		}
		if (n <= 0) {
			return; /* console gone: nothing to tell */
		}
		p += n;
		len -= (size_t)n;
	}
}

size_t hal_console_read(uint8_t *buf, size_t cap)
{
	ssize_t n = read(0, buf, cap);
	return n > 0 ? (size_t)n : 0;
}

size_t hal_link_write(const void *buf, size_t len)
{
	if (native.link_fd < 0) {
		return len; /* no link: bytes fall on the floor, as on an unplugged UART */
	}
	ssize_t n = send(native.link_fd, buf, len, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return 0;
	}
	if (n < 0) {
		link_lost();
		return len;
	}
	return (size_t)n;
}

size_t hal_link_read(uint8_t *buf, size_t cap)
{
	if (native.link_fd < 0) {
		return 0;
	}
	ssize_t n = recv(native.link_fd, buf, cap, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		link_lost();
		return 0;
	}
	return n > 0 ? (size_t)n : 0;
}

void hal_counters(struct hal_counters *out)
{
	*out = native.counters;
}

size_t hal_stack_peak(void)
{
	return 0; /* the host's stack is not the board's */
}

size_t hal_entropy(uint8_t *out, size_t cap)
{
	/* A reset re-execs with the same blob and no RAM survives exec: the
	 * host's generator makes each boot differ. */
	ssize_t n = getrandom(out, cap, 0);
	return n > 0 ? (size_t)n : 0;
}

/* A Linux process has no LEDs, buttons, I2C, SPI or sensors (its
 * devicetree lists none). */
int hal_led_set(unsigned led, int on)
{
	(void)led;
	(void)on;
	return HAL_NOT_AVAILABLE;
}

int hal_led_get(unsigned led)
{
	(void)led;
	return HAL_NOT_AVAILABLE;
}

int hal_button_get(unsigned button)
{
	(void)button;
	return HAL_NOT_AVAILABLE;
}

int hal_i2c_transfer(unsigned bus, unsigned addr, const uint8_t *wr, size_t wlen, uint8_t *rd, size_t rlen)
{
	(void)bus;
	(void)addr;
	(void)wr;
	(void)wlen;
	(void)rd;
	(void)rlen;
	return HAL_NOT_AVAILABLE;
}

int hal_spi_transfer(unsigned bus, const uint8_t *tx, uint8_t *rx, size_t len)
{
	(void)bus;
	(void)tx;
	(void)rx;
	(void)len;
	return HAL_NOT_AVAILABLE;
}

int hal_sensor_read(unsigned sensor, int32_t *value)
{
	(void)sensor;
	(void)value;
	return HAL_NOT_AVAILABLE;
}

size_t hal_ram_free(void)
{
	return BOARD_RAM_SIZE; /* a process has no fixed RAM: report the board's */
}

const uint8_t *hal_build_id(size_t *len)
{
	*len = native.build_id_len;
	return native.build_id;
}

const uint8_t *hal_provision(size_t *len)
{
	*len = sizeof native.provision;
	return native.provision;
}

_Noreturn void hal_reset(void)
{
	execv("/proc/self/exe", native.argv);
	fprintf(stderr, "wasmbed-fw: reset: exec: %s\n", strerror(errno));
	exit(1);
}

_Noreturn void hal_trigger_fault(void)
{
	__builtin_trap();
}
