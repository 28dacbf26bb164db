(module
  (memory 1)
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  (global $c v128 (v128.const f32x4 1.5 -2.25 0.0 -0.0))
  (data (i32.const 16) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\ff\fe\fd\fc\fb\fa\f9\f8\80\7f\81\7e")
  (func $mix (param $a v128) (param $k i32) (param $b v128) (result v128)
    local.get $a local.get $b i32x4.add
    local.get $k i32x4.splat i32x4.mul)
  (func (export "main") (param $n i32) (result v128 i32)
    (local $v v128) (local $i i32) (local $w v128) (local $f v128) (local $x i32)
    ;; loads of every kind
    i32.const 16 v128.load local.set $v
    i32.const 16 v128.load8x8_s local.get $v i16x8.add local.set $v
    i32.const 17 v128.load8x8_u local.get $v i16x8.sub local.set $v
    i32.const 18 v128.load16x4_s local.get $v i32x4.add local.set $v
    i32.const 19 v128.load16x4_u local.get $v i32x4.sub local.set $v
    i32.const 20 v128.load32x2_s local.get $v i64x2.add local.set $v
    i32.const 21 v128.load32x2_u local.get $v i64x2.sub local.set $v
    i32.const 22 v128.load8_splat local.get $v v128.xor local.set $v
    i32.const 23 v128.load16_splat local.get $v v128.or local.set $v
    i32.const 24 v128.load32_splat local.get $v v128.and local.set $v
    i32.const 25 v128.load64_splat local.get $v v128.andnot local.set $v
    i32.const 26 v128.load32_zero local.get $v i8x16.add local.set $v
    i32.const 27 v128.load64_zero local.get $v i8x16.sub local.set $v
    i32.const 28 local.get $v v128.load8_lane 3 local.set $v
    i32.const 29 local.get $v v128.load16_lane 7 local.set $v
    i32.const 31 local.get $v v128.load32_lane 2 local.set $v
    i32.const 33 local.get $v v128.load64_lane 1 local.set $v
    ;; stores, read back
    i32.const 100 local.get $v v128.store
    i32.const 130 local.get $v v128.store8_lane 5
    i32.const 131 local.get $v v128.store16_lane 6
    i32.const 133 local.get $v v128.store32_lane 3
    i32.const 137 local.get $v v128.store64_lane 0
    i32.const 123 v128.load local.get $v i8x16.add_sat_u local.set $v
    ;; globals, a v128 select and drop
    global.get $g local.get $v i8x16.add_sat_s global.set $g
    global.get $g local.get $v local.get $n select (result v128) local.set $w
    global.get $c drop
    v128.const i64x2 0x0102030405060708 -1 local.get $v i8x16.add local.set $v
    ;; a loop with a call, a block carrying a v128 out through br_if
    block $out
      loop $l
        local.get $i local.get $n i32.ge_u br_if $out
        local.get $v local.get $i global.get $g call $mix local.set $v
        (block (result v128)
          local.get $v local.get $i i32.const 1 i32.and br_if 0
          i8x16.popcnt)
        local.get $v local.get $i i32x4.splat v128.bitselect local.set $v
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    ;; integer lane arithmetic
    local.get $v local.get $w i8x16.sub_sat_s local.get $w i8x16.min_u
    local.get $v i8x16.max_s local.get $w i8x16.avgr_u i8x16.abs i8x16.neg local.set $w
    local.get $w local.get $v i16x8.q15mulr_sat_s local.get $v i16x8.extmul_high_i8x16_s
    local.get $w i16x8.mul i16x8.extadd_pairwise_i8x16_u local.set $w
    local.get $w local.get $v i32x4.dot_i16x8_s local.get $v local.get $w i32x4.extmul_low_i16x8_u
    i32x4.max_s local.get $w i32x4.min_u local.set $w
    local.get $w local.get $v i64x2.extmul_high_i32x4_s local.get $w i64x2.mul i64x2.neg i64x2.abs local.set $w
    local.get $w local.get $v i8x16.narrow_i16x8_s local.get $v i16x8.narrow_i32x4_u
    i16x8.extend_high_i8x16_s i32x4.extend_low_i16x8_u i64x2.extend_high_i32x4_s local.set $w
    local.get $w i32.const 3 i8x16.shl i32.const 9 i16x8.shr_s i32.const 33 i32x4.shr_u
    i32.const 65 i64x2.shl local.set $w
    ;; shuffles and lanes
    local.get $w local.get $v i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31
    local.get $v i8x16.swizzle local.set $w
    local.get $w i32.const -5 i8x16.replace_lane 15 i32.const 300 i16x8.replace_lane 2
    i64.const -9 i64x2.replace_lane 1 f32.const 2.5 f32x4.replace_lane 1
    f64.const -0.125 f64x2.replace_lane 0 i32.const 77 i32x4.replace_lane 3 local.set $w
    local.get $w i8x16.extract_lane_s 15 local.get $w i8x16.extract_lane_u 14 i32.add
    local.get $w i16x8.extract_lane_s 2 i32.add local.get $w i16x8.extract_lane_u 7 i32.add
    local.get $w i32x4.extract_lane 3 i32.add local.get $w i64x2.extract_lane 1 i32.wrap_i64 i32.add
    local.get $w f32x4.extract_lane 1 i32.trunc_sat_f32_s i32.add
    local.get $w f64x2.extract_lane 0 f64.const 1000 f64.mul i32.trunc_sat_f64_s i32.add local.set $x
    ;; floats: arithmetic, rounding, comparisons, conversions; NaN lanes tested, never returned
    local.get $v f32x4.convert_i32x4_s global.get $c f32x4.add global.get $c f32x4.mul
    global.get $c f32x4.div local.set $f
    local.get $f local.get $f f32x4.eq i8x16.bitmask local.get $x i32.add local.set $x
    local.get $f f32x4.sqrt f32x4.ceil f32x4.floor f32x4.nearest f32x4.trunc f32x4.abs f32x4.neg local.set $f
    local.get $f local.get $f f32x4.ne local.get $f global.get $c f32x4.lt v128.or
    local.get $f global.get $c f32x4.min local.get $f f32x4.max local.get $f f32x4.pmin
    global.get $c f32x4.pmax local.get $f f32x4.ge v128.and local.set $f
    local.get $v f64x2.convert_low_i32x4_u f64x2.sqrt f64x2.nearest f64x2.ceil f64x2.floor
    f64x2.trunc f64x2.neg f64x2.abs f32x4.demote_f64x2_zero f64x2.promote_low_f32x4
    local.get $v f64x2.convert_low_i32x4_s f64x2.sub
    local.get $v f64x2.convert_low_i32x4_s f64x2.pmax
    local.get $v f64x2.convert_low_i32x4_s f64x2.pmin
    local.get $v f64x2.convert_low_i32x4_s f64x2.max
    local.get $v f64x2.convert_low_i32x4_s f64x2.min
    local.get $v f64x2.convert_low_i32x4_s f64x2.div
    local.get $v f64x2.convert_low_i32x4_s f64x2.mul
    local.get $v f64x2.convert_low_i32x4_s f64x2.add local.tee $w
    local.get $w f64x2.eq local.get $w local.get $w f64x2.le v128.and local.get $w
    i32x4.trunc_sat_f64x2_s_zero v128.xor local.get $w i32x4.trunc_sat_f64x2_u_zero v128.xor
    local.get $f v128.xor local.get $f f32x4.convert_i32x4_u i32x4.trunc_sat_f32x4_u v128.xor
    local.get $f i32x4.trunc_sat_f32x4_s v128.xor local.set $w
    ;; tests
    local.get $w v128.not
    local.get $w i8x16.all_true local.get $w i16x8.all_true i32.add local.get $w i32x4.all_true i32.add
    local.get $w i64x2.all_true i32.add local.get $w i16x8.bitmask i32.add local.get $w i32x4.bitmask i32.add
    local.get $w i64x2.bitmask i32.add local.get $x i32.add
    local.get $w local.get $v i8x16.eq local.get $w local.get $v i16x8.gt_u v128.or
    local.get $w local.get $v i32x4.le_s v128.or local.get $w local.get $v i64x2.ge_s v128.or
    i8x16.bitmask i32.add))
