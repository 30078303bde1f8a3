;; HostCallAllocationTest's guest: n rounds of sock_send (client) + epoll_oneoff + sock_recv (server), the echo
;; guest's three hot host calls, with the memory layout the test writes (from 40960 on, above HostFixture's).
;; Returns 0, the first errno a call returned, or 1000 when a recv did not get the 64 bytes sent.
(module
  (import "wasi_snapshot_preview1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "epoll_oneoff" (func $epoll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  ;; 40960: send iovec {41984, 64}; 40968: recv iovec {43008, 128}; 40976: bytes moved; 40980: roflags;
  ;; 40984: nevents; 41024: one subscription (48 bytes); 41088: events (32 bytes each)
  (func (export "rounds") (param $n i32) (param $client i32) (param $server i32) (result i32)
    (local $e i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $e (call $send (local.get $client) (i32.const 40960) (i32.const 1) (i32.const 0) (i32.const 40976)))
        (br_if $done (local.get $e))
        (local.set $e (call $epoll (i32.const 41024) (i32.const 41088) (i32.const 1) (i32.const 40984)))
        (br_if $done (local.get $e))
        (local.set $e (call $recv (local.get $server) (i32.const 40968) (i32.const 1) (i32.const 0) (i32.const 40976)
                                  (i32.const 40980)))
        (br_if $done (local.get $e))
        (local.set $e (i32.const 1000))
        (br_if $done (i32.ne (i32.load (i32.const 40976)) (i32.const 64)))
        (local.set $e (i32.const 0))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $e)))
