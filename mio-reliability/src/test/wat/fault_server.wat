;; Reliability guest: a one-connection TCP server on WasmEdge's socket API (V1 shapes) that fails on request.
;; It binds 127.0.0.1:0, listens, writes its port to stdout as 2 bytes (little-endian), accepts one client,
;; receives once and echoes what it got. Then the first byte received picks the ending:
;;   'U' traps on `unreachable`, 'O' traps on an out-of-bounds load, 'X' calls proc_exit(3) with the listener
;;   and the connection still open, anything else closes both and returns (exit 0).
;; A failing socket call ends the guest with proc_exit(100 + errno).
;; Built with wat2wasm (wabt) into ../resources/guests/fault_server.wasm; the .wasm is committed.
(module
  (import "wasi_snapshot_preview1" "sock_open" (func $open (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_bind" (func $bind (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_listen" (func $listen (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_getlocaladdr" (func $local (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  ;; 0: bind address {buf = 16, len = 4}; 16: 127.0.0.1
  (data (i32.const 0) "\10\00\00\00\04\00\00\00")
  (data (i32.const 16) "\7f\00\00\01")
  ;; 64: getlocaladdr address {buf = 80, len = 16}
  (data (i32.const 64) "\50\00\00\00\10\00\00\00")
  ;; 100: stdout iovec {buf = 56 (the port), len = 2}
  (data (i32.const 100) "\38\00\00\00\02\00\00\00")
  ;; 128: data iovec {buf = 256, len = 1024}
  (data (i32.const 128) "\00\01\00\00\00\04\00\00")
  ;; 32: listener fd, 36: connection fd, 40: received, 44: roflags, 48: sent, 52: address type, 56: port,
  ;; 112: stdout nwritten, 256..1280: data
  (func $ok (param $err i32)
    local.get $err
    if
      i32.const 100
      local.get $err
      i32.add
      call $exit
    end)
  (func (export "_start")
    (call $ok (call $open (i32.const 1) (i32.const 2) (i32.const 32)))
    (call $ok (call $bind (i32.load (i32.const 32)) (i32.const 0) (i32.const 0)))
    (call $ok (call $listen (i32.load (i32.const 32)) (i32.const 8)))
    (call $ok (call $local (i32.load (i32.const 32)) (i32.const 64) (i32.const 52) (i32.const 56)))
    (call $ok (call $fd_write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 112)))
    (call $ok (call $accept (i32.load (i32.const 32)) (i32.const 36)))
    (call $ok (call $recv (i32.load (i32.const 36)) (i32.const 128) (i32.const 1) (i32.const 0)
                          (i32.const 40) (i32.const 44)))
    ;; echo exactly what was received
    (i32.store (i32.const 132) (i32.load (i32.const 40)))
    (call $ok (call $send (i32.load (i32.const 36)) (i32.const 128) (i32.const 1) (i32.const 0) (i32.const 48)))
    (if (i32.eq (i32.load8_u (i32.const 256)) (i32.const 85)) ;; 'U'
      (then unreachable))
    (if (i32.eq (i32.load8_u (i32.const 256)) (i32.const 79)) ;; 'O'
      (then (drop (i32.load (i32.const 65534)))))
    (if (i32.eq (i32.load8_u (i32.const 256)) (i32.const 88)) ;; 'X'
      (then (call $exit (i32.const 3))))
    (call $ok (call $close (i32.load (i32.const 36))))
    (call $ok (call $close (i32.load (i32.const 32)))))
)
