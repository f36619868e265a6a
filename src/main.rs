fn main() {
    std::process::exit(tenure::cli::main());
}
