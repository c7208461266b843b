// Configuration resolution allocates many small strings; mimalloc is
// markedly faster at that than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(f2b::cli::main(std::env::args_os().collect()));
}
