//! Block execution counts, for profiling tools: which lowered blocks a workload runs, and how
//! often. Off unless [`Config::profile_blocks`](crate::Config::profile_blocks) is given a
//! [`BlockProfile`]; then every compiled block starts with a record that counts its entries
//! (so profiled code runs slower, and the counts say nothing about time per block).

use crate::translate::ir::FuncIr;
use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Collects the block counts of every function compiled by the engines configured with it.
#[derive(Default)]
pub struct BlockProfile {
    funcs: Mutex<Vec<Arc<FunctionCounts>>>,
}

/// One function's counters, shared by its compiled blocks and the profile.
pub(crate) struct FunctionCounts {
    func_index: u32,
    /// Each block's IR as text, one instruction per line.
    blocks: Vec<String>,
    counts: Box<[AtomicU64]>,
    /// Each block's number of records (set when it is compiled; the counting record not
    /// included).
    records: Box<[AtomicU32]>,
}

impl FunctionCounts {
    /// Counts one entry into `block`.
    #[inline(always)]
    pub(crate) fn hit(&self, block: usize) {
        self.counts[block].fetch_add(1, Ordering::Relaxed);
    }

    /// Notes how many records `block` compiled to.
    pub(crate) fn set_records(&self, block: usize, records: u32) {
        self.records[block].store(records, Ordering::Relaxed);
    }
}

/// How often one block ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockCount {
    /// The function's index in the module's function index space.
    pub func_index: u32,
    /// The block's index in the function's lowered IR.
    pub block: u32,
    /// How many times the block was entered.
    pub count: u64,
    /// How many records (handlers run one after the other) the block compiled to, after
    /// fusion: each entry runs this many.
    pub records: u32,
    /// The block's lowered IR, one instruction per line, the terminator last.
    pub ir: String,
}

impl BlockProfile {
    /// An empty profile, to pass to [`Config::profile_blocks`](crate::Config::profile_blocks).
    pub fn new() -> Arc<BlockProfile> {
        Arc::new(BlockProfile::default())
    }

    /// Registers a function being compiled.
    pub(crate) fn register(&self, func_index: u32, ir: &FuncIr) -> Arc<FunctionCounts> {
        let text = ir.to_string();
        let mut blocks: Vec<String> = Vec::with_capacity(ir.blocks.len());
        for line in text.lines().skip(1) {
            match line.strip_prefix("  ") {
                Some(inst) => {
                    let b = blocks.last_mut().expect("instructions follow a block label");
                    b.push_str(inst);
                    b.push('\n');
                }
                None => blocks.push(String::new()),
            }
        }
        let counts = (0..ir.blocks.len()).map(|_| AtomicU64::new(0)).collect();
        let records = (0..ir.blocks.len()).map(|_| AtomicU32::new(0)).collect();
        let f = Arc::new(FunctionCounts { func_index, blocks, counts, records });
        self.funcs.lock().unwrap_or_else(|e| e.into_inner()).push(f.clone());
        f
    }

    /// Every block that ran, most frequent first.
    pub fn counts(&self) -> Vec<BlockCount> {
        let funcs = self.funcs.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<BlockCount> = funcs
            .iter()
            .flat_map(|f| {
                f.counts.iter().enumerate().filter_map(|(b, c)| {
                    let count = c.load(Ordering::Relaxed);
                    (count > 0).then(|| BlockCount {
                        func_index: f.func_index,
                        block: b as u32,
                        count,
                        records: f.records[b].load(Ordering::Relaxed),
                        ir: f.blocks[b].clone(),
                    })
                })
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then((a.func_index, a.block).cmp(&(b.func_index, b.block))));
        out
    }
}

impl fmt::Debug for BlockProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.funcs.lock().map_or(0, |v| v.len());
        f.debug_struct("BlockProfile").field("functions", &n).finish()
    }
}
