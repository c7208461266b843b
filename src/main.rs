// Configuration resolution allocates many small strings; mimalloc is
// markedly faster at that than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Like grep and the other Unix filters: when the reader of our output
    // goes away (`f2b lint … | head`), stop quietly instead of failing on
    // every write (Rust ignores SIGPIPE by default, which turns it into a
    // panic in `print!`).
    // SAFETY: setting a signal disposition before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(f2b::cli::main(std::env::args_os().collect()));
}
