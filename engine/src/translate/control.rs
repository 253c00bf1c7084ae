//! Control frames of the translator: one per enclosing `block`/`loop`/`if` (and the function).
//!
//! A frame remembers where its values live (the operand-stack height at entry, so its
//! parameters and results occupy fixed slots) and which basic block a branch to it goes to.
//! A block's end label is allocated lazily: a `block` nobody branches to costs no basic block.

use super::ir::BlockId;

/// What kind of construct a frame is; decides the meaning of a branch to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameKind {
    /// The function body: a branch to it is a return.
    Func,
    /// `block`: a branch goes to the end.
    Block,
    /// `loop`: a branch goes back to the header with the loop's parameters.
    Loop,
    /// `if`: `els` is the block that runs when the condition is false; `seen_else` once the
    /// `else` arm started.
    If { els: BlockId, seen_else: bool },
}

/// One enclosing structured-control construct.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub kind: FrameKind,
    /// Operand-stack height below the construct's parameters.
    pub height: u32,
    pub params: u32,
    pub results: u32,
    /// For `loop`: the header block. For the others: the end block, once something branches
    /// to it (or an `if` arm needs a join point).
    pub label: Option<BlockId>,
}

impl Frame {
    /// How many values a branch to this frame carries.
    pub fn branch_arity(&self) -> u32 {
        match self.kind {
            FrameKind::Loop => self.params,
            _ => self.results,
        }
    }
}
