;; Spins for ever in its own code, calling nothing: WasmHost's stop() must still end it (Chicory checks the thread's
;; interrupt in loops).
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $spin (br $spin))))
