/*
 * The firmware's main loop: one thread, no malloc. Each pass serves the
 * console and the link, then sleeps until the next deadline or the next
 * received byte.
 */
#include <string.h>

#include "appslot.h"
#include "board.h"
#include "fmt.h"
#include "fw.h"
#include "hal.h"
#include "provision.h"
#include "session.h"
#include "shell.h"
#include "uplink.h"

/* Boards without the "tls" capability (too little RAM) keep the link
 * without a session; boards without room for an app's buffers besides it
 * (no BOARD_WASM_*) run no apps. */
#define FW_TLS BOARD_TLS
#if FW_TLS && defined(BOARD_WASM_MODULE_MAX)
#define FW_APPS 1
#else
#define FW_APPS 0
#endif

static struct uplink uplink;
static struct provision provision;
#if FW_TLS
static struct session session;
#endif
#if FW_APPS
_Static_assert(CLIENT_TX_MAX >= APPSLOT_MSG_MAX, "CLIENT_TX_MAX holds the app slot's longest message");
static struct appslot slot;
static uint8_t app_module[BOARD_WASM_MODULE_MAX];
static uint8_t app_memory[BOARD_WASM_MEMORY] __attribute__((aligned(8)));
static uint8_t app_arena[BOARD_WASM_ARENA] __attribute__((aligned(8)));
static uint64_t app_stack[BOARD_WASM_STACK_SLOTS];
static struct wasm_frame app_frames[BOARD_WASM_FRAMES];

static void start_apps(void)
{
	struct app_buffers buf = {app_module, sizeof app_module, app_memory, sizeof app_memory, app_arena,
				  sizeof app_arena, app_stack, BOARD_WASM_STACK_SLOTS, app_frames, BOARD_WASM_FRAMES};
	struct app_host host = {.rng = &session.rng, .device_name = provision.name,
				.device_name_len = strlen(provision.name)};
	appslot_init(&slot, &buf, host, shell_notice);
	session.info.apps = &appslot_client;
	session.info.apps_ctx = &slot;
}
#endif

void fw_print_banner(void)
{
	size_t id_len;
	const uint8_t *id = hal_build_id(&id_len);
	char line[192];
	struct fmt f = fmt_init(line, sizeof line);
	fmt_str(&f, "\r\nwasmbed-fw " FW_VERSION " build=");
	fmt_hexbytes(&f, id, id_len < 8 ? id_len : 8);
	fmt_str(&f, " board=" BOARD_NAME " cpu=" BOARD_CPU " clock=");
	fmt_u64(&f, BOARD_CPU_CLOCK_HZ);
	fmt_str(&f, "Hz ram=");
	fmt_u64(&f, BOARD_RAM_SIZE / 1024u);
	fmt_str(&f, "KiB\r\n");
	hal_console_write(line, fmt_len(&f));
}

void fw_say(const char *s)
{
	hal_console_write(s, strlen(s));
}

/* Reads the provisioning blob; returns whether a TLS session can start. */
static int load_provision(void)
{
	size_t len;
	const uint8_t *blob = hal_provision(&len);
	const char *why = provision_parse(blob, len, &provision);
	if (why != NULL) {
		fw_say("provision: ");
		fw_say(why);
		fw_say(": no TLS session\r\n");
		return 0;
	}
	fw_say("provision: device ");
	fw_say(provision.name);
	fw_say("\r\n");
	if (!FW_TLS) {
		fw_say("tls: not available on this board (too little RAM)\r\n");
		return 0;
	}
	return 1;
}

_Noreturn void fw_main(void)
{
	hal_init();
	fw_print_banner();
	struct uplink_handler handler = {0};
#if FW_TLS
	if (load_provision()) {
		session_init(&session, &uplink, &provision);
		handler = (struct uplink_handler){session_on_up, session_on_data, &session};
#if FW_APPS
		start_apps();
#endif
	}
#else
	load_provision();
#endif
	uplink_init(&uplink, hal_now_us(), handler);
	shell_init(&uplink);
#if FW_TLS
	if (handler.ctx != NULL) {
		shell_set_status(session_describe, &session);
	}
#endif
	for (;;) {
		uint64_t now = hal_now_us();
		shell_poll();
		uplink_poll(&uplink, now);
		uint64_t deadline = uplink_deadline(&uplink);
#if FW_TLS
		session_poll(&session, now);
		uint64_t d = session_deadline(&session);
		deadline = d < deadline ? d : deadline;
#endif
#if FW_APPS
		if (session.info.apps != NULL) {
			d = appslot_poll(&slot, now);
			deadline = d < deadline ? d : deadline;
		}
#endif
		hal_idle_until(deadline);
	}
}
