;; Grows its memory (1 page at start) by 100 pages of 64 KiB (6.4 MB), then exits 0 when memory.grow succeeded and
;; 1 when it returned -1 (refused): for the memory cap of WasmRunner.Builder.maxMemory and --max-memory.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (if (i32.eq (memory.grow (i32.const 100)) (i32.const -1))
      (then (call $proc_exit (i32.const 1))))
    (call $proc_exit (i32.const 0))))
