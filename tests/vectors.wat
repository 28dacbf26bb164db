(module
  (type $ii (func (param i32) (result i32)))
  (memory 1 3)
  (table 4 8 funcref)
  (global $g (mut i64) (i64.const 5))
  (data $d "hello, proofs! this is a passive data segment of some length")
  (elem $e func $sq $inc)
  (elem (i32.const 0) func $sq $inc)
  (func $sq (type $ii) local.get 0 local.get 0 i32.mul)
  (func $inc (type $ii) local.get 0 i32.const 1 i32.add)
  (func $many (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 f64)
    local.get 0 i64.extend_i32_u local.set 9 local.get 0)
  (func (export "main") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    ;; memory: store, load, bulk ops, grow
    i32.const 100 i32.const 0x01020304 i32.store
    i32.const 130 i32.const 7 i32.store16
    i32.const 200 i32.const 0 i32.const 60 memory.init $d
    i32.const 300 i32.const 200 i32.const 150 memory.copy
    i32.const 250 i32.const 199 i32.const 100 memory.copy
    i32.const 1000 i32.const 0xab i32.const 130 memory.fill
    data.drop $d
    i32.const 1 memory.grow drop
    i32.const 70000 i32.const 9 i32.store8
    ;; globals
    global.get $g i64.const 3 i64.mul global.set $g
    ;; tables: set, get, grow, fill, copy, init, indirect calls
    i32.const 2 ref.func $sq table.set
    ref.null func i32.const 2 table.grow drop
    i32.const 4 ref.func $inc i32.const 2 table.fill
    i32.const 1 i32.const 3 i32.const 3 table.copy
    i32.const 0 i32.const 0 i32.const 2 table.init $e
    elem.drop $e
    ;; a loop with calls and a branch table
    block $out
      loop $l
        local.get $i local.get $n i32.ge_u br_if $out
        local.get $acc
        local.get $i local.get $i i32.const 2 i32.rem_u call_indirect (type $ii)
        i32.add local.set $acc
        block $a block $b block $c
          local.get $i i32.const 3 i32.rem_u br_table $a $b $c
        end local.get $acc i32.const 1 i32.add local.set $acc
        end local.get $acc call $many local.set $acc
        end
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    local.get $acc
    i32.const 100 i32.load i32.add
    i32.const 70000 i32.load8_u i32.add
    global.get $g i32.wrap_i64 i32.add
    memory.size i32.add
    table.size i32.add
    local.get $n call $regs i32.add local.get $n call $long i32.add)
  (func (export "trap") (param i32) (result i32) local.get 0 call $floats drop i32.const 1 local.get 0 i32.div_s)
  (func $floats (param i32) (result f64) (local f32)
    local.get 0 f64.convert_i32_s f64.const 1.5 f64.mul f64.sqrt f64.const -2 f64.min
    f32.const 3.25 f32.const 2 f32.div local.tee 1 f32.ceil f64.promote_f32 f64.add
    local.get 1 i32.trunc_sat_f32_s i64.extend_i32_s i64.const 7 i64.rem_s i64.const 3 i64.shl
    i64.popcnt f64.convert_i64_u f64.add
    i32.const 5 i32.const 3 local.get 0 select i32.clz i32.const 2 i32.rotl f32.convert_i32_u f32.neg
    f64.promote_f32 f64.add)
  (func (export "oob") (result i32) i32.const 65535 i32.load)
  (func (export "deep") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 0 else
      local.get 0 i32.const 1 i32.sub call 7 i32.const 1 i32.add end)
  ;; register forms (specs/execution.md 2.1); last, as `deep` calls itself by index
  (func $regs (param $p i32) (result i32) (local $x i32) (local $y i32) (local $f f32)
    local.get $p local.set $x
    i32.const 40 local.set $y
    f32.const 1.5 local.set $f
    local.get $x local.get $y i32.store offset=4
    local.get $y i32.load offset=4 local.set $x
    local.get $f local.get $f f32.add local.set $f
    local.get $x i32.popcnt local.set $y
    block $b
      local.get $x br_if $b
      local.get $y i32.const 3 i32.lt_u br_if $b
    end
    block $c
      local.get $x i32.const 4 i32.and br_if $c
      local.get $x local.get $y i32.eq br_if $c
    end
    ;; an array element's address: I32ShlAddImmReg (version 8)
    local.get $x i32.const 2 i32.shl i32.const 100 i32.add local.set $y
    ;; a branch table on a local: BrTableReg (version 8)
    block $d block $e local.get $x br_table $d $e end end
    ;; a store and a load at a constant address, loads from a slot plus a constant (version 9)
    i32.const 64 local.get $x i32.store offset=8
    i32.const 64 i32.load offset=8 local.set $x
    local.get $y i32.const -56 i32.add f64.load offset=8 i32.trunc_sat_f64_s local.get $y i32.add local.set $y
    local.get $y i32.const -52 i32.add i32.load offset=4 local.set $y
    ;; indexed loads (version 11): an element's address and its load at offset 0, of each kind
    i32.const 3 local.set $y
    local.get $y i32.const 2 i32.shl i32.const 64 i32.add i32.load local.set $x
    local.get $y i32.const 3 i32.shl i32.const 64 i32.add i64.load i32.wrap_i64 local.get $x i32.add local.set $x
    local.get $y i32.const 60 i32.add i32.load8_s local.get $x i32.add local.set $x
    local.get $y i32.const 61 i32.add i32.load8_u local.get $x i32.add local.set $x
    local.get $y i32.const 1 i32.shl i32.const 60 i32.add i32.load16_s local.get $x i32.add local.set $x
    local.get $y i32.const 1 i32.shl i32.const 62 i32.add i32.load16_u local.get $x i32.add local.set $x
    local.get $y i32.const 2 i32.shl i32.const 56 i32.add i64.load32_s i32.wrap_i64 local.get $x i32.add local.set $x
    local.get $y i32.const 2 i32.shl i32.const 52 i32.add i64.load32_u i32.wrap_i64 local.get $x i32.add local.set $x
    ;; divisions and remainders by a constant (version 11)
    local.get $x i32.const 7 i32.div_s local.get $x i32.const 24 i32.div_u i32.add
    local.get $x i32.const -5 i32.rem_s i32.add local.get $x i32.const 10 i32.rem_u i32.add local.set $x
    ;; by a local: the stack form, its operands made real (LocalGet2)
    local.get $x local.get $y i32.rem_u local.get $x i32.add local.set $x
    ;; the stack forms, of an address computed on the stack
    local.get $x local.get $x i32.add i32.load local.get $x local.get $y i32.add i32.load8_u i32.add local.set $x
    local.get $x local.get $y i32.sub i32.const 7 i32.xor)
  ;; a branch keeping 70 slots over one: StackMove, then BrAdjust (specs/execution.md 2, long copies)
  (func $long (param $p i32) (result i32)
    i32.const 9
    block (result i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
      local.get $p
      i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1 i32.const 1
      br 0
    end
    drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop drop
    i32.add)
)
