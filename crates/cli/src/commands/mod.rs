//! One module per subcommand.

pub mod admin;
pub mod agreement;
pub mod analyse;
pub mod bench;
pub mod bench_analysis;
pub mod bench_journey;
pub mod content;
pub mod crosstab;
pub mod demo_data;
pub mod export;
pub mod framework;
pub mod instrument;
pub mod links;
pub mod mcnemar;
pub mod report;
pub mod retention;
pub mod serve;
pub mod settings;
pub mod study;
pub mod transcript;
pub mod ztest;
