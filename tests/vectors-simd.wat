;; Golden vectors for the SIMD instructions (tests/vectors.rs): one step of
;; each SIMD opcode (`specs/state.md` §4.1), v128 locals, globals, `select`
;; and `drop` included.
(module
  (memory 1)
  (global $g (mut v128) (v128.const i64x2 1 2))
  (func (export "main") (param $n i32) (result i32) (local $v v128)
    v128.const i32x4 1 2 3 4 local.set $v
    global.get $g local.get $v
    i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 local.tee $v global.set $g
    i32.const 0 local.get $v v128.store
    i32.const 8 v128.load
    i32.const 4 local.get $v v128.load32_lane 1
    local.get $n i32x4.splat
    v128.bitselect
    local.get $v local.get $n select (result v128)
    i32.const 3 i16x8.shl
    i32x4.abs
    local.get $v i32x4.add
    f32.const 2.5 f32x4.replace_lane 2
    local.tee $v i32x4.extract_lane 2
    local.get $v i8x16.bitmask i32.add
    i32.const 40 local.get $v v128.store16_lane 3
    global.get $g drop))
