//! Output that never panics. `println!` panics when stdout is a closed pipe
//! (`refute claims | head -1`); these return the error instead, and `main`
//! ends the command quietly with exit 0 when the error is a closed pipe, as
//! ripgrep does. Messages for stderr are best effort: when stderr itself is
//! closed there is nobody left to tell.

use std::fmt;
use std::io::{self, Write};

/// Writes `args` to stdout, as `print!` would, returning any error.
pub fn print(args: fmt::Arguments) -> io::Result<()> {
    let mut o = io::stdout().lock();
    o.write_fmt(args)?;
    o.flush()
}

/// Writes `args` and a newline to stdout, returning any error.
pub fn println(args: fmt::Arguments) -> io::Result<()> {
    let mut o = io::stdout().lock();
    o.write_fmt(args)?;
    o.write_all(b"\n")?;
    o.flush()
}

/// Writes raw bytes to stdout, returning any error.
pub fn bytes(b: &[u8]) -> io::Result<()> {
    let mut o = io::stdout().lock();
    o.write_all(b)?;
    o.flush()
}

/// Writes `args` and a newline to stderr; a failure is ignored.
pub fn eprintln(args: fmt::Arguments) {
    let mut e = io::stderr().lock();
    let _ = e.write_fmt(args).and_then(|()| e.write_all(b"\n"));
}

/// Writes raw bytes to stderr; a failure is ignored.
pub fn ebytes(b: &[u8]) {
    let _ = io::stderr().lock().write_all(b);
}

/// Whether `e` is, or was caused by, writing to a closed pipe.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
}

/// `println!` that returns `io::Result<()>` instead of panicking.
#[macro_export]
macro_rules! outln {
    () => { $crate::out::println(format_args!("")) };
    ($($t:tt)*) => { $crate::out::println(format_args!($($t)*)) };
}

/// `print!` that returns `io::Result<()>` instead of panicking.
#[macro_export]
macro_rules! out {
    ($($t:tt)*) => { $crate::out::print(format_args!($($t)*)) };
}

/// `eprintln!` that ignores a closed stderr instead of panicking.
#[macro_export]
macro_rules! errln {
    ($($t:tt)*) => { $crate::out::eprintln(format_args!($($t)*)) };
}
