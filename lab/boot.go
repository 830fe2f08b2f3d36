package lab

import (
	"context"
	"fmt"
	"time"
)

// BootReport is what a boot check saw.
type BootReport struct {
	Banner      Banner
	BannerAfter time.Duration // from start to the banner line
	LinkRTT     time.Duration // PING/PONG through the firmware
	Hellos      uint64        // hellos the device sent before the ack
}

// BootCheck boots a board, waits for its banner and its link hello, measures
// one link round trip, and stops it.
func BootCheck(ctx context.Context, opts BoardOptions) (BootReport, error) {
	b, err := StartBoard(ctx, opts)
	if err != nil {
		return BootReport{}, err
	}
	defer b.Stop(context.WithoutCancel(ctx))

	var r BootReport
	r.Banner, _, err = b.WaitBanner(ctx, 0)
	if err != nil {
		return r, err
	}
	r.BannerAfter = time.Since(b.started)
	if err := b.link.waitUp(ctx); err != nil {
		return r, b.Explain("link", err)
	}
	r.Hellos = b.Link().Hellos
	if r.LinkRTT, err = b.link.Ping(ctx); err != nil {
		return r, b.Explain("link round trip", err)
	}
	if err := b.Stop(ctx); err != nil {
		return r, fmt.Errorf("lab: %s: stop: %w", b.Spec.Name, err)
	}
	return r, nil
}
