;; spin: loops forever and never sleeps. The interpreter runs it in fuel
;; slices, so the board's heartbeats keep their interval.
(module
  (memory (export "memory") 1)
  (global $count (mut i32) (i32.const 0))
  (func (export "run")
    (loop $forever
      (global.set $count (i32.add (global.get $count) (i32.const 1)))
      (br $forever))))
