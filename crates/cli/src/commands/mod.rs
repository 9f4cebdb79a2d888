//! One module per subcommand.

pub mod instrument;
