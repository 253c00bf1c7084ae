//! Where a program's stdout and stderr go, and where its stdin comes from.
//!
//! The conventions are those of the reference host (`corpus/node/host.js`): stdout carries
//! exactly the bytes the program passed to `fd_write` (no line buffering), buffered in the host
//! and written out in 64 KiB batches; stdout is flushed before anything goes to stderr, so the
//! two streams interleave in program order. Write errors (e.g. a closed pipe) are ignored.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

/// Flush the stdout buffer once it holds this many bytes (as host.js does).
const FLUSH_AT: usize = 1 << 16;

/// An in-memory byte buffer shared between a [`Sink`] and the code that reads it (tests,
/// the [`Sandbox`](crate::Sandbox)'s captured output). Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// A new, empty capture buffer.
    pub fn new() -> Capture {
        Capture::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of everything captured so far.
    pub fn contents(&self) -> Vec<u8> {
        self.lock().clone()
    }

    /// Everything captured so far, as (lossy) UTF-8.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.lock()).into_owned()
    }

    /// Takes everything captured so far, leaving the buffer empty.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.lock())
    }

    /// Appends bytes.
    pub fn push(&self, bytes: &[u8]) {
        self.lock().extend_from_slice(bytes);
    }
}

/// A destination for a program's output stream.
#[derive(Default)]
pub enum Sink {
    /// The process's standard output.
    Stdout,
    /// The process's standard error.
    Stderr,
    /// An in-memory buffer.
    Capture(Capture),
    /// Discard everything.
    #[default]
    Null,
    /// Any writer.
    Writer(Box<dyn Write + Send>),
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sink::Stdout => f.write_str("Stdout"),
            Sink::Stderr => f.write_str("Stderr"),
            Sink::Capture(_) => f.write_str("Capture"),
            Sink::Null => f.write_str("Null"),
            Sink::Writer(_) => f.write_str("Writer"),
        }
    }
}

impl Sink {
    fn write(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        // Errors (EPIPE, a full disk, ...) are ignored, as host.js ignores EPIPE.
        let _ = match self {
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(bytes).and_then(|()| out.flush())
            }
            Sink::Stderr => {
                let mut err = std::io::stderr().lock();
                err.write_all(bytes).and_then(|()| err.flush())
            }
            Sink::Capture(c) => {
                c.push(bytes);
                Ok(())
            }
            Sink::Null => Ok(()),
            Sink::Writer(w) => w.write_all(bytes).and_then(|()| w.flush()),
        };
    }
}

/// A source for a program's standard input (`fd_read` on fd 0).
#[derive(Default)]
pub enum Input {
    /// The process's standard input.
    Stdin,
    /// Always at end of file.
    #[default]
    Empty,
    /// These bytes, then end of file.
    Bytes(std::io::Cursor<Vec<u8>>),
    /// Any reader.
    Reader(Box<dyn Read + Send>),
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::Stdin => f.write_str("Stdin"),
            Input::Empty => f.write_str("Empty"),
            Input::Bytes(_) => f.write_str("Bytes"),
            Input::Reader(_) => f.write_str("Reader"),
        }
    }
}

impl Input {
    /// Input from a byte buffer.
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Input {
        Input::Bytes(std::io::Cursor::new(bytes.into()))
    }

    /// One read (which may return fewer bytes than asked, 0 at end of file or on error).
    fn read(&mut self, buf: &mut [u8]) -> usize {
        let r = match self {
            Input::Stdin => std::io::stdin().lock().read(buf),
            Input::Empty => Ok(0),
            Input::Bytes(c) => c.read(buf),
            Input::Reader(r) => r.read(buf),
        };
        r.unwrap_or(0)
    }
}

/// The standard streams of one program: sinks for stdout and stderr (stdout buffered), and
/// stdin.
#[derive(Debug, Default)]
pub struct Io {
    stdout: Sink,
    stderr: Sink,
    stdin: Input,
    buf: Vec<u8>,
}

impl Io {
    /// Streams with these sinks and input.
    pub fn new(stdout: Sink, stderr: Sink, stdin: Input) -> Io {
        Io { stdout, stderr, stdin, buf: Vec::new() }
    }

    /// Appends to stdout (buffered; written out at 64 KiB, before stderr output, on
    /// [`flush`](Io::flush) and when dropped).
    pub fn write_stdout(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= FLUSH_AT {
            self.flush();
        }
    }

    /// Writes to stderr, after flushing stdout.
    pub fn write_stderr(&mut self, bytes: &[u8]) {
        self.flush();
        self.stderr.write(bytes);
    }

    /// Writes out the buffered stdout bytes.
    pub fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.stdout.write(&self.buf);
            self.buf.clear();
        }
    }

    /// Reads from stdin (flushing stdout first, so prompts appear); returns the byte count.
    pub fn read_stdin(&mut self, buf: &mut [u8]) -> usize {
        self.flush();
        self.stdin.read(buf)
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        self.flush();
    }
}
