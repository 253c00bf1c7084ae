//! Golden tests of the lowering: the IR dump of small functions shows that operands are
//! folded, `local.set` retargets producers, compares fuse into branches, and blocks nobody
//! branches to cost nothing.

use engine::{Config, Engine, Module};

fn lower(wat: &str) -> String {
    lower_func(wat, 0)
}

fn lower_func(wat: &str, func: u32) -> String {
    let mut config = Config::default();
    config.keep_ir(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    module.function_ir(func).unwrap()
}

fn assert_lowers_to(wat: &str, expected: &str) {
    let got = lower(wat);
    let norm = |s: &str| s.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
    assert_eq!(norm(&got), norm(expected), "\n--- got ---\n{got}");
}

#[test]
fn increment_is_one_instruction() {
    // local.get 0; i32.const 1; i32.add; local.set 0 -> one closure writing the local.
    assert_lowers_to(
        "(module (func (param i32) (result i32)
            local.get 0 i32.const 1 i32.add local.set 0 local.get 0))",
        "params 1 locals 0 frame 3
         b0:
           s0 = i32.add s0 #1
           return",
    );
}

#[test]
fn counter_loop_fuses_compare_into_branch() {
    assert_lowers_to(
        "(module (func (param i32) (result i32) (local i32)
            block loop
              local.get 1 i32.const 1 i32.add local.tee 1
              local.get 0 i32.lt_s br_if 0
            end end
            local.get 1))",
        "params 1 locals 1 frame 4
         b0:
           jump b1
         b1:
           s1 = i32.add s1 #1
           if i32.lt_s s1 s0 then b1 else b2
         b2:
           s0 = s1
           return",
    );
}

#[test]
fn constants_fold_and_eqz_fuses() {
    assert_lowers_to(
        "(module (func (param i32) (result i32)
            local.get 0 i32.eqz if (result i32) i32.const 2 i32.const 3 i32.mul else i32.const 7 end))",
        "params 1 locals 0 frame 3
         b0:
           if s0 == 0 then b1 else b2
         b1:
           s0 = #6
           return
         b2:
           s0 = #7
           return",
    );
}

#[test]
fn recursive_fib_returns_without_join_copies() {
    // The if/else join block (`s0 = s1; return`) is duplicated into both arms and the copies
    // coalesce: the base case returns its argument in place, the sum is written to slot 0.
    assert_lowers_to(
        "(module (func $fib (param i32) (result i32)
            local.get 0 i32.const 2 i32.lt_s
            if (result i32) local.get 0
            else local.get 0 i32.const 1 i32.sub call $fib
                 local.get 0 i32.const 2 i32.sub call $fib i32.add end))",
        "params 1 locals 0 frame 4
         b0:
           if i32.lt_s s0 #2 then b1 else b2
         b1:
           return
         b2:
           s1 = i32.sub s0 #1
           call 0 @s1
           s2 = i32.sub s0 #2
           call 0 @s2
           s0 = i32.add s1 s2
           return",
    );
}

#[test]
fn branches_on_known_constants_go_straight_to_their_target() {
    // Each arm sets the "label" local the br_table then dispatches on (relooped C does this):
    // both arms jump to their case directly, and the dispatch block is gone.
    assert_lowers_to(
        "(module (func (param i32) (result i32) (local i32)
            local.get 0
            if i32.const 1 local.set 1 else i32.const 0 local.set 1 end
            block block block
              local.get 1 br_table 0 1 2
            end i32.const 10 return
            end i32.const 20 return
            end i32.const 30))",
        "params 1 locals 1 frame 3
         b0:
           if s0 != 0 then b1 else b2
         b1:
           s1 = #1
           jump b4
         b2:
           s1 = #0
           jump b3
         b3:
           s0 = #10
           return
         b4:
           s0 = #20
           return",
    );
}

#[test]
fn known_branches_see_through_copies_and_not_past_other_writes() {
    // The label reaches the branch through a copy; a later call may change the other one.
    let ir = lower_func(
        "(module (func $f (result i32) i32.const 5) (func (param i32) (result i32) (local i32 i32)
            i32.const 7 local.set 1
            local.get 1 local.set 2
            local.get 2 i32.const 7 i32.eq
            if (result i32) i32.const 1 else i32.const 2 end
            drop
            i32.const 3 local.set 1
            call $f local.set 1
            local.get 1 i32.const 3 i32.eq
            if (result i32) i32.const 4 else i32.const 6 end))",
        1,
    );
    assert_eq!(ir.matches("if ").count(), 1, "only the compare after the call remains:\n{ir}");
}

#[test]
fn jumps_to_a_copy_latch_do_its_copies_and_jump_on() {
    // An interpreter loop: each case ends at the latch `pc = next; goto top`, which every
    // case does itself instead of jumping to it (one block dispatch less per iteration).
    assert_lowers_to(
        "(module (func (param i32) (result i32) (local i32 i32)
            block $exit
              loop $top
                local.get 0 i32.const 1 i32.add local.set 1
                block $latch
                  block $b
                    block $a
                      local.get 0 i32.const 3 i32.and br_table $a $b $exit
                    end
                    local.get 2 i32.const 5 i32.add local.set 2
                    br $latch
                  end
                  local.get 2 i32.const 7 i32.xor local.set 2
                end
                local.get 1 local.set 0
                br $top
              end
            end
            local.get 2))",
        "params 1 locals 2 frame 5
         b0:
           jump b1
         b1:
           s1 = i32.add s0 #1
           s3 = i32.and s0 #3
           br_table s3 [b2 b3] default b4
         b2:
           s2 = i32.add s2 #5
           s0 = s1
           jump b1
         b3:
           s2 = i32.xor s2 #7
           s0 = s1
           jump b1
         b4:
           s0 = s2
           return",
    );
}
