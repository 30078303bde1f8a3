;; Reliability guest: opens TCP sockets (sock_open, WasmEdge's socket API) until the host refuses one, never
;; closing any. It then writes how many it opened to stdout (4 bytes, little-endian) and exits with the
;; refusing errno as its exit code (the host's socket limit gives MFILE = 33).
;; Built with wat2wasm (wabt) into ../resources/guests/socket_hog.wasm; the .wasm is committed.
(module
  (import "wasi_snapshot_preview1" "sock_open" (func $open (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  ;; 16: stdout iovec {buf = 8 (the count), len = 4}; 0: fd out; 8: count; 32: nwritten
  (data (i32.const 16) "\08\00\00\00\04\00\00\00")
  (func (export "_start")
    (local $err i32)
    (block $done
      (loop $more
        (local.set $err (call $open (i32.const 1) (i32.const 2) (i32.const 0)))
        (br_if $done (local.get $err))
        (i32.store (i32.const 8) (i32.add (i32.load (i32.const 8)) (i32.const 1)))
        ;; bounded: stop after 100000 sockets whatever happens
        (br_if $more (i32.lt_u (i32.load (i32.const 8)) (i32.const 100000)))))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32)))
    (call $exit (local.get $err)))
)
