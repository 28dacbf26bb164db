;; The program of the small-* example transcripts (a loop with arithmetic, a
;; store and a branch), shared by traces/tests/examples.rs, arbiter/tests/common and
;; challenger/tests/common/rules.rs.
(module
  (memory 1)
  (func (export "main") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    block $out
      loop $l
        local.get $i local.get $n i32.ge_u br_if $out
        local.get $acc local.get $i i32.mul i32.const 7 i32.add local.set $acc
        i32.const 64 local.get $acc i32.store
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    local.get $acc))
