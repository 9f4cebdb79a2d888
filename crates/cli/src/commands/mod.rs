//! One module per subcommand.

pub mod analyse;
pub mod instrument;
pub mod links;
pub mod serve;
