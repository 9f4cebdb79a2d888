//! Integration tests of the respondent journey, each run against SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod cases;
mod certificates;
mod content;
mod dashboard;
mod export;
mod follow_up;
mod group;
mod helpers;
mod instances;
mod intruder;
mod journey;
mod linking;
mod manage;
mod modules;
mod participant;
mod safety;
mod signin;
mod survey;
mod training;
