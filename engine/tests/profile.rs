//! Block profiling counts exactly how often each lowered block runs.

use engine::{BlockProfile, Config, Engine, Linker, Module, Store};

#[test]
fn block_counts_match_the_iterations_run() {
    let profile = BlockProfile::new();
    let mut config = Config::default();
    config.profile_blocks(Some(profile.clone()));
    let engine = Engine::new(&config);
    // Sums 1..=n in a loop: the loop body runs n times, the entry and exit blocks once each.
    let wasm = wat::parse_str(
        r#"(module (func (export "sum") (param $n i32) (result i32) (local $s i32)
            block $done
              local.get $n i32.eqz br_if $done
              loop $l
                local.get $s local.get $n i32.add local.set $s
                local.get $n i32.const 1 i32.sub local.tee $n
                br_if $l
              end
            end
            local.get $s))"#,
    )
    .unwrap();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let sum = instance.get_typed_func::<i32, i32>(&store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, 10).unwrap(), 55);
    let counts = profile.counts();
    assert!(!counts.is_empty());
    assert!(counts.iter().all(|c| c.func_index == 0 && c.count > 0));
    // The hottest block is the loop body, with its add and its exit test.
    assert_eq!(counts[0].count, 10, "{counts:?}");
    assert!(counts[0].ir.contains("i32.add") && counts[0].ir.lines().last().unwrap().starts_with("if "));
    assert!(counts[1..].iter().all(|c| c.count == 1), "{counts:?}");
    // Fused into two records: the sum, then the counter's step done by the exit test.
    assert_eq!(counts[0].records, 2, "{counts:?}");
    assert!(counts.iter().all(|c| c.records >= 1), "every block has its terminator: {counts:?}");
    // Counts accumulate over calls.
    sum.call(&mut store, 5).unwrap();
    assert_eq!(profile.counts()[0].count, 15);
}
