(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $asz (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $aget (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $eget (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $rand (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $time (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1)
  (func (export "_start")
    i32.const 0 i32.const 4 call $asz drop
    i32.const 16 i32.const 1024 call $aget drop
    i32.const 400 i32.const 3000 call $eget drop
    ;; one iovec (5000, 100) at 200
    i32.const 200 i32.const 5000 i32.store
    i32.const 204 i32.const 100 i32.store
    i32.const 0 i32.const 200 i32.const 1 i32.const 260 call $read drop
    i32.const 7000 i32.const 100 call $rand drop
    ;; write what was read: (5000, nread)
    i32.const 204 i32.const 260 i32.load i32.store
    i32.const 1 i32.const 200 i32.const 1 i32.const 264 call $write drop
    i32.const 0 i64.const 0 i32.const 32 call $time drop
    i32.const 3 call $exit))
