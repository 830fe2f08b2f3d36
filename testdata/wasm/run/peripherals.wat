;; The bus host functions, for firmware/test/app_test.c: run() writes "ab"
;; to 0x48 on I2C bus 0, reads two bytes back, tries a bus and an address
;; that do not answer, a transfer over the limit and an address out of
;; range; then an SPI transfer of "xyz" on bus 0 into 0x210, one on a bus
;; that does not exist, and a GPIO write. It keeps the results at 0x100
;; (i32s) and the bytes read at 0x200 (I2C) and 0x210 (SPI).
(module
  (import "wasmbed" "i2c_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasmbed" "i2c_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasmbed" "spi_transfer" (func $spi (param i32 i32 i32 i32) (result i32)))
  (import "wasmbed" "gpio_write" (func $gpio (param i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "ab")
  (data (i32.const 0x20) "xyz")
  (func (export "run")
    (i32.store (i32.const 0x100) (call $write (i32.const 0) (i32.const 0x48) (i32.const 0) (i32.const 2)))
    (i32.store (i32.const 0x104) (call $read (i32.const 0) (i32.const 0x48) (i32.const 0x200) (i32.const 2)))
    (i32.store (i32.const 0x108) (call $read (i32.const 1) (i32.const 0x48) (i32.const 0x200) (i32.const 2)))
    (i32.store (i32.const 0x10c) (call $read (i32.const 0) (i32.const 0x49) (i32.const 0x200) (i32.const 2)))
    (i32.store (i32.const 0x110) (call $write (i32.const 0) (i32.const 0x48) (i32.const 0) (i32.const 65)))
    (i32.store (i32.const 0x114) (call $write (i32.const 0) (i32.const 0x80) (i32.const 0) (i32.const 1)))
    (i32.store (i32.const 0x118) (call $spi (i32.const 0) (i32.const 0x20) (i32.const 0x210) (i32.const 3)))
    (i32.store (i32.const 0x11c) (call $spi (i32.const 7) (i32.const 0x20) (i32.const 0x210) (i32.const 3)))
    (i32.store (i32.const 0x120) (call $gpio (i32.const 0) (i32.const 1)))))
