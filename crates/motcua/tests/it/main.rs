//! Integration tests of the motcua binary and its HTTP server, on SQLite and (with
//! `MOTCUA_TEST_DATABASE_URL` and `--ignored`) PostgreSQL.

mod support;

mod admin;
mod alerts;
mod applicants;
mod auth;
mod bench;
mod calendar;
mod calendar_admin;
mod catalogue;
mod cli;
mod demo;
mod demo_dossiers;
mod dossiers;
mod evaluations;
mod forms;
mod fragments;
mod http;
mod merge;
mod online;
mod organisation;
mod oversight;
mod phone_notices;
mod portal;
mod reports;
mod tokens;
