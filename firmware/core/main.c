/*
 * The firmware's main loop: one thread, no malloc. Each pass serves the
 * console and the link, then sleeps until the next deadline or the next
 * received byte.
 */
#include "board.h"
#include "fmt.h"
#include "fw.h"
#include "hal.h"
#include "shell.h"
#include "uplink.h"

static struct uplink uplink;

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

_Noreturn void fw_main(void)
{
	hal_init();
	fw_print_banner();
	uplink_init(&uplink, hal_now_us());
	shell_init(&uplink);
	for (;;) {
		uint64_t now = hal_now_us();
		shell_poll();
		uplink_poll(&uplink, now);
		hal_idle_until(uplink_deadline(&uplink));
	}
}
