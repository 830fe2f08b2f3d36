/* The wasmbed host ABI for the firmware: names, signatures (params ':'
 * result; i i32, I i64) and error codes. Generated from apps/abi.go by `make gen`: do not edit. */
#ifndef WASMBED_ABI_H
#define WASMBED_ABI_H

#define WASMBED_ABI_MODULE "wasmbed"
#define WASMBED_ABI_ENTRY "run"

/* X(name, signature) for every host function, in order. */
#define WASMBED_ABI(X) \
	X(log, "ii:i") \
	X(time_ms, ":I") \
	X(sleep_ms, "i:i") \
	X(led_set, "ii:i") \
	X(led_get, "i:i") \
	X(gpio_write, "ii:i") \
	X(gpio_read, "i:i") \
	X(button_read, "i:i") \
	X(i2c_write, "iiii:i") \
	X(i2c_read, "iiii:i") \
	X(spi_transfer, "iiii:i") \
	X(sensor_read, "ii:i") \
	X(random, "ii:i") \
	X(device_id, "ii:i") \
	X(publish, "iiii:i") \
	X(receive, "ii:i")

enum wasmbed_errno {
	WASMBED_OK = 0,
	WASMBED_EINVAL = -1,
	WASMBED_ENOTAVAIL = -2,
	WASMBED_ENODEV = -3,
	WASMBED_EIO = -4,
	WASMBED_ETOOBIG = -5,
	WASMBED_EEMPTY = -6,
	WASMBED_EBUSY = -7,
};

#define WASMBED_MAX_LOG      256u
#define WASMBED_MAX_TOPIC    32u
#define WASMBED_MAX_PUBLISH  256u
#define WASMBED_MAX_I2C      64u
#define WASMBED_MAX_SPI      256u
#define WASMBED_MAX_RANDOM   256u

#endif
