//! One module per subcommand.

pub mod instrument;
pub mod links;
pub mod serve;
