//! Marginalia: a workbench for annotating entities and relations in news and reports.
//!
//! The core (everything but `app`) never depends on egui: the GUI reads the model and
//! changes it only through `session::Op`s, each planned into one `edit::Transaction`.

pub mod arcs;
pub mod cli;
pub mod diag;
pub mod edit;
pub mod evaluate;
pub mod export;
pub mod graph;
pub mod import;
pub mod kb;
pub mod model;
pub mod search;
pub mod session;
pub mod store;
pub mod suggest;
pub mod team;
#[doc(hidden)]
pub mod testkit;
pub mod text;

#[cfg(feature = "gui")]
pub mod app;
