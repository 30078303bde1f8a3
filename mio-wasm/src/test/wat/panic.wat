;; What a Rust panic leaves of a wasm32-wasi guest: it prints its message to stderr, then executes `unreachable`
;; (panic = abort), which traps. For the CLI's "the guest trapped" report.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "thread 'main' panicked at 'boom'\n")
  (func (export "_start")
    ;; iovec at 0: {64, 33}; nwritten at 8
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 33))
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
    unreachable))
