;; A small WASI program: prints "Hello from WasmKiln!" through fd_write and exits.
(module
  (type $fd_write_t (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (type $fd_write_t)))
  (memory (export "memory") 1)
  ;; iovec { buf = 16, len = 21 } at offset 0; the text at offset 16
  (data (i32.const 0) "\10\00\00\00\15\00\00\00")
  (data (i32.const 16) "Hello from WasmKiln!\n")
  (func $main (export "_start")
    (drop (call $fd_write
      (i32.const 1)    ;; stdout
      (i32.const 0)    ;; iovs
      (i32.const 1)    ;; iovs_len
      (i32.const 32))) ;; where to store the bytes written
  )
  (func (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))
)
