fn main() {
    std::process::exit(f2b::cli::main(std::env::args_os().collect()));
}
