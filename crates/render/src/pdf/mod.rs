//! PDF documents in the form of official papers: A4, the margins and Times-metric serif face of
//! Decree 30/2020, text that wraps, tables that break across pages with their header repeated,
//! QR codes. [`layout`] places things on pages; [`write`] makes the file.

mod font;
mod layout;
mod write;

pub use font::Style;
pub use layout::{Align, Block, Cell, Column, Doc, MM, PageSetup, Para, Table};
