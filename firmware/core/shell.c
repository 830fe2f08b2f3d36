#include "shell.h"

#include <string.h>

#include "fmt.h"
#include "fw.h"
#include "hal.h"

#define LINE_MAX 64

static struct {
	const struct uplink *uplink;
	void (*describe)(const void *ctx, struct fmt *f);
	const void *describe_ctx;
	char line[LINE_MAX];
	size_t len;
} sh;

static void prompt(void)
{
	fw_say("> ");
}

static void cmd_info(void)
{
	struct hal_counters hc;
	hal_counters(&hc);
	const struct uplink_counters *uc = &sh.uplink->counters;
	char out[192];
	struct fmt f = fmt_init(out, sizeof out);
	fmt_str(&f, "uptime_ms=");
	fmt_u64(&f, hal_now_us() / 1000u);
	fmt_str(&f, " link=");
	fmt_str(&f, uplink_state_name(sh.uplink->state));
	fmt_str(&f, " hellos=");
	fmt_u64(&f, uc->hellos_sent);
	fmt_str(&f, " frames_in=");
	fmt_u64(&f, uc->frames_in);
	fmt_str(&f, " pings=");
	fmt_u64(&f, uc->pings);
	fmt_str(&f, " link_rx_dropped=");
	fmt_u64(&f, hc.link_rx_dropped);
	fmt_str(&f, " sleeps=");
	fmt_u64(&f, hc.sleeps);
	fmt_str(&f, " retransmits=");
	fmt_u64(&f, uc->retransmits);
	fmt_str(&f, " data_dropped=");
	fmt_u64(&f, uc->data_dropped);
	fmt_str(&f, "\r\n");
	hal_console_write(out, fmt_len(&f));
	if (sh.describe != NULL) {
		f = fmt_init(out, sizeof out);
		sh.describe(sh.describe_ctx, &f);
		fmt_str(&f, "\r\n");
		hal_console_write(out, fmt_len(&f));
	}
}

void shell_set_status(void (*describe)(const void *ctx, struct fmt *f), const void *ctx)
{
	sh.describe = describe;
	sh.describe_ctx = ctx;
}

static void run(const char *cmd)
{
	if (strcmp(cmd, "") == 0) {
		return;
	}
	if (strcmp(cmd, "help") == 0) {
		fw_say("commands: help, info, version, reset, fault\r\n");
	} else if (strcmp(cmd, "info") == 0) {
		cmd_info();
	} else if (strcmp(cmd, "version") == 0) {
		fw_print_banner();
	} else if (strcmp(cmd, "reset") == 0) {
		fw_say("resetting\r\n");
		hal_reset();
	} else if (strcmp(cmd, "fault") == 0) {
		hal_trigger_fault();
	} else {
		fw_say("unknown command: ");
		fw_say(cmd);
		fw_say(" (try help)\r\n");
	}
}

void shell_notice(const char *text)
{
	if (sh.uplink != NULL) {
		fw_say("\r\n");
	}
	fw_say(text);
	fw_say("\r\n");
	if (sh.uplink != NULL) {
		prompt();
		hal_console_write(sh.line, sh.len);
	}
}

void shell_init(const struct uplink *uplink)
{
	memset(&sh, 0, sizeof sh);
	sh.uplink = uplink;
	fw_say("type 'help' for commands\r\n");
	prompt();
}

void shell_poll(void)
{
	uint8_t buf[16];
	size_t n;
	while ((n = hal_console_read(buf, sizeof buf)) > 0) {
		for (size_t i = 0; i < n; i++) {
			uint8_t c = buf[i];
			if (c == '\r' || c == '\n') {
				fw_say("\r\n");
				sh.line[sh.len] = '\0';
				run(sh.line);
				sh.len = 0;
				prompt();
			} else if ((c == 0x7f || c == 0x08) && sh.len > 0) {
				sh.len--;
				fw_say("\b \b");
			} else if (c >= 0x20 && c < 0x7f && sh.len < LINE_MAX - 1) {
				sh.line[sh.len++] = (char)c;
				hal_console_write(&c, 1);
			}
		}
	}
}
