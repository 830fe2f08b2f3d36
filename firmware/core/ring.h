/*
 * Single-producer, single-consumer byte ring. One side may run in an
 * interrupt handler: head is written only by the producer, tail only by
 * the consumer, and the capacity is a power of two so indices wrap freely.
 */
#ifndef RING_H
#define RING_H

#include <stddef.h>
#include <stdint.h>

struct ring {
	uint8_t *buf;
	uint32_t mask; /* capacity - 1 */
	volatile uint32_t head;
	volatile uint32_t tail;
};

static inline void ring_init(struct ring *r, uint8_t *buf, uint32_t cap)
{
	r->buf = buf;
	r->mask = cap - 1;
	r->head = 0;
	r->tail = 0;
}

static inline uint32_t ring_used(const struct ring *r)
{
	return r->head - r->tail;
}

static inline uint32_t ring_free(const struct ring *r)
{
	return r->mask + 1 - ring_used(r);
}

/* Returns 0 when full. */
static inline int ring_put(struct ring *r, uint8_t b)
{
	if (ring_free(r) == 0) {
		return 0;
	}
	r->buf[r->head & r->mask] = b;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->head++;
	return 1;
}

/* Returns -1 when empty. */
static inline int ring_get(struct ring *r)
{
	if (ring_used(r) == 0) {
		return -1;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	uint8_t b = r->buf[r->tail & r->mask];
	r->tail++;
	return b;
}

static inline size_t ring_read(struct ring *r, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int b;
	while (n < cap && (b = ring_get(r)) >= 0) {
		out[n++] = (uint8_t)b;
	}
	return n;
}

#endif
