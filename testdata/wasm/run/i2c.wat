;; The I2C host functions, for firmware/test/app_test.c: run() writes
;; "ab" to 0x48 on bus 0, reads two bytes back, then tries a bus and an
;; address that do not answer and a transfer over the limit; it keeps the
;; results at 0x100 (i32s) and the bytes read at 0x200.
(module
  (import "wasmbed" "i2c_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasmbed" "i2c_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "ab")
  (func (export "run")
    (i32.store (i32.const 0x100) (call $write (i32.const 0) (i32.const 0x48) (i32.const 0) (i32.const 2)))
    (i32.store (i32.const 0x104) (call $read (i32.const 0) (i32.const 0x48) (i32.const 0x200) (i32.const 2)))
    (i32.store (i32.const 0x108) (call $read (i32.const 1) (i32.const 0x48) (i32.const 0x200) (i32.const 2)))
    (i32.store (i32.const 0x10c) (call $read (i32.const 0) (i32.const 0x49) (i32.const 0x200) (i32.const 2)))
    (i32.store (i32.const 0x110) (call $write (i32.const 0) (i32.const 0x48) (i32.const 0) (i32.const 65)))
    (i32.store (i32.const 0x114) (call $write (i32.const 0) (i32.const 0x80) (i32.const 0) (i32.const 1)))))
