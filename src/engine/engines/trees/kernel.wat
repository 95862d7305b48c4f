;; Walks 4 rows in lockstep through every tree; see layout.ts for the memory it reads.
;; Node record, 16 bytes: f32 threshold (a leaf: its value), i32 feature byte offset (general
;; kernel: | 4-bit mask << 28), i32 true child address, i32 false child address. A leaf points
;; to itself, so each tree takes a fixed number of steps (its depth) with no branch per node.
;; The general kernel maps a comparison to idx = (x<t)*2 + (x==t) + (x!=x)*3 and takes the
;; true child when bit idx of the node's mask is set, which covers every mode and NaN rule.
;; Tree record, 8 bytes: i32 root address, i32 depth.
;; flags: 1 = general comparison (else x <= t), 2 = write leaf addresses (else sum leaf values).
(module
  (memory (export "memory") 1)
  (func (export "run") (param $trees i32) (param $nTrees i32) (param $x i32) (param $stride i32)
    (param $rows i32) (param $out i32) (param $flags i32)
    (local $row i32) (local $t i32) (local $tp i32) (local $d i32) (local $f i32) (local $v f32) (local $w f32)
    (local $r0 i32) (local $n0 i32) (local $a0 f32)
    (local $r1 i32) (local $n1 i32) (local $a1 f32)
    (local $r2 i32) (local $n2 i32) (local $a2 f32)
    (local $r3 i32) (local $n3 i32) (local $a3 f32)
    (block $end
      (br_if $end (i32.eqz (local.get $rows)))
      (loop $rowGroup
        (local.set $r0 (i32.add (local.get $x) (i32.mul (local.get $row) (local.get $stride))))
        (local.set $r1 (i32.add (local.get $r0) (local.get $stride)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $stride)))
        (local.set $r3 (i32.add (local.get $r2) (local.get $stride)))
        (local.set $a0 (f32.const 0))
        (local.set $a1 (f32.const 0))
        (local.set $a2 (f32.const 0))
        (local.set $a3 (f32.const 0))
        (local.set $tp (local.get $trees))
        (local.set $t (i32.const 0))
        (loop $tree
          (local.set $d (i32.load offset=4 (local.get $tp)))
          (local.set $n0 (i32.load (local.get $tp)))
          (local.set $n1 (local.get $n0))
          (local.set $n2 (local.get $n0))
          (local.set $n3 (local.get $n0))
          (if (i32.and (local.get $flags) (i32.const 1))
            (then
              (block $done
                (br_if $done (i32.eqz (local.get $d)))
                (loop $step
                  (local.set $f (i32.load offset=4 (local.get $n0)))
                  (local.set $v (f32.load (i32.add (local.get $r0) (i32.and (local.get $f) (i32.const 0x0fffffff)))))
                  (local.set $w (f32.load (local.get $n0)))
                  (local.set $n0 (select (i32.load offset=8 (local.get $n0)) (i32.load offset=12 (local.get $n0))
                    (i32.and (i32.const 1) (i32.shr_u (local.get $f) (i32.add (i32.const 28)
                      (i32.add (i32.shl (f32.lt (local.get $v) (local.get $w)) (i32.const 1))
                        (i32.add (f32.eq (local.get $v) (local.get $w)) (i32.mul (f32.ne (local.get $v) (local.get $v)) (i32.const 3)))))))))
                  (local.set $f (i32.load offset=4 (local.get $n1)))
                  (local.set $v (f32.load (i32.add (local.get $r1) (i32.and (local.get $f) (i32.const 0x0fffffff)))))
                  (local.set $w (f32.load (local.get $n1)))
                  (local.set $n1 (select (i32.load offset=8 (local.get $n1)) (i32.load offset=12 (local.get $n1))
                    (i32.and (i32.const 1) (i32.shr_u (local.get $f) (i32.add (i32.const 28)
                      (i32.add (i32.shl (f32.lt (local.get $v) (local.get $w)) (i32.const 1))
                        (i32.add (f32.eq (local.get $v) (local.get $w)) (i32.mul (f32.ne (local.get $v) (local.get $v)) (i32.const 3)))))))))
                  (local.set $f (i32.load offset=4 (local.get $n2)))
                  (local.set $v (f32.load (i32.add (local.get $r2) (i32.and (local.get $f) (i32.const 0x0fffffff)))))
                  (local.set $w (f32.load (local.get $n2)))
                  (local.set $n2 (select (i32.load offset=8 (local.get $n2)) (i32.load offset=12 (local.get $n2))
                    (i32.and (i32.const 1) (i32.shr_u (local.get $f) (i32.add (i32.const 28)
                      (i32.add (i32.shl (f32.lt (local.get $v) (local.get $w)) (i32.const 1))
                        (i32.add (f32.eq (local.get $v) (local.get $w)) (i32.mul (f32.ne (local.get $v) (local.get $v)) (i32.const 3)))))))))
                  (local.set $f (i32.load offset=4 (local.get $n3)))
                  (local.set $v (f32.load (i32.add (local.get $r3) (i32.and (local.get $f) (i32.const 0x0fffffff)))))
                  (local.set $w (f32.load (local.get $n3)))
                  (local.set $n3 (select (i32.load offset=8 (local.get $n3)) (i32.load offset=12 (local.get $n3))
                    (i32.and (i32.const 1) (i32.shr_u (local.get $f) (i32.add (i32.const 28)
                      (i32.add (i32.shl (f32.lt (local.get $v) (local.get $w)) (i32.const 1))
                        (i32.add (f32.eq (local.get $v) (local.get $w)) (i32.mul (f32.ne (local.get $v) (local.get $v)) (i32.const 3)))))))))
                  (br_if $step (local.tee $d (i32.sub (local.get $d) (i32.const 1)))))))
            (else
              (block $done
                (br_if $done (i32.eqz (local.get $d)))
                (loop $step
                  (local.set $n0 (select (i32.load offset=8 (local.get $n0)) (i32.load offset=12 (local.get $n0))
                    (f32.le (f32.load (i32.add (local.get $r0) (i32.load offset=4 (local.get $n0)))) (f32.load (local.get $n0)))))
                  (local.set $n1 (select (i32.load offset=8 (local.get $n1)) (i32.load offset=12 (local.get $n1))
                    (f32.le (f32.load (i32.add (local.get $r1) (i32.load offset=4 (local.get $n1)))) (f32.load (local.get $n1)))))
                  (local.set $n2 (select (i32.load offset=8 (local.get $n2)) (i32.load offset=12 (local.get $n2))
                    (f32.le (f32.load (i32.add (local.get $r2) (i32.load offset=4 (local.get $n2)))) (f32.load (local.get $n2)))))
                  (local.set $n3 (select (i32.load offset=8 (local.get $n3)) (i32.load offset=12 (local.get $n3))
                    (f32.le (f32.load (i32.add (local.get $r3) (i32.load offset=4 (local.get $n3)))) (f32.load (local.get $n3)))))
                  (br_if $step (local.tee $d (i32.sub (local.get $d) (i32.const 1))))))))
          (if (i32.and (local.get $flags) (i32.const 2))
            (then
              (local.set $f (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $row) (local.get $nTrees)) (local.get $t)) (i32.const 2))))
              (i32.store (i32.add (local.get $f) (i32.shl (i32.mul (local.get $nTrees) (i32.const 0)) (i32.const 2))) (local.get $n0))
              (i32.store (i32.add (local.get $f) (i32.shl (i32.mul (local.get $nTrees) (i32.const 1)) (i32.const 2))) (local.get $n1))
              (i32.store (i32.add (local.get $f) (i32.shl (i32.mul (local.get $nTrees) (i32.const 2)) (i32.const 2))) (local.get $n2))
              (i32.store (i32.add (local.get $f) (i32.shl (i32.mul (local.get $nTrees) (i32.const 3)) (i32.const 2))) (local.get $n3)))
            (else
              (local.set $a0 (f32.add (local.get $a0) (f32.load (local.get $n0))))
              (local.set $a1 (f32.add (local.get $a1) (f32.load (local.get $n1))))
              (local.set $a2 (f32.add (local.get $a2) (f32.load (local.get $n2))))
              (local.set $a3 (f32.add (local.get $a3) (f32.load (local.get $n3))))))
          (local.set $tp (i32.add (local.get $tp) (i32.const 8)))
          (br_if $tree (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $nTrees))))
        (if (i32.eqz (i32.and (local.get $flags) (i32.const 2)))
          (then
            (local.set $f (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2))))
            (f32.store offset=0 (local.get $f) (local.get $a0))
            (f32.store offset=4 (local.get $f) (local.get $a1))
            (f32.store offset=8 (local.get $f) (local.get $a2))
            (f32.store offset=12 (local.get $f) (local.get $a3))))
        (br_if $rowGroup (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 4))) (local.get $rows)))))))
