;; The runtime test's module (firmware/test/wasm_run_test.c): host
;; bindings, fuel, yields, traps and memory limits. wasm_run_test.c knows
;; the function indices below: keep them in order.
(module
  (import "host" "add" (func $add (param i32 i32) (result i32)))  ;; 0
  (import "host" "yield" (func $yield (result i32)))              ;; 1
  (import "host" "fail" (func $fail))                             ;; 2
  (import "host" "sum" (func $sum (param i32 i32) (result i32)))  ;; 3
  (memory (export "memory") 1)
  (data (i32.const 0) "\01\02\03\04")

  ;; 4: host.add through the binding
  (func (export "add") (param i32 i32) (result i32)
    (call $add (local.get 0) (local.get 1)))

  ;; 5: never returns without fuel running out
  (func (export "spin")
    (loop $l (br $l)))

  ;; 6: yields n times, returns the sum of host.yield's answers
  (func (export "yields") (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $yield)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $acc))

  ;; 7: traps at its third instruction (nop nop unreachable)
  (func (export "trap")
    (nop) (nop) (unreachable))

  ;; 8: recurses forever
  (func $down (export "down") (param i32) (result i32)
    (call $down (i32.add (local.get 0) (i32.const 1))))

  ;; 9, 10: one byte of memory
  (func (export "load8") (param i32) (result i32)
    (i32.load8_u (local.get 0)))
  (func (export "store8") (param i32 i32)
    (i32.store8 (local.get 0) (local.get 1)))

  ;; 11, 12
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))
  (func (export "size") (result i32)
    (memory.size))

  ;; 13: host.sum over memory[p..p+n)
  (func (export "sum") (param i32 i32) (result i32)
    (call $sum (local.get 0) (local.get 1)))

  ;; 14
  (func (export "fail")
    (call $fail))

  ;; 15: n iterations of a loop, for counting fuel
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
)
