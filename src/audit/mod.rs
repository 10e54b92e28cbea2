//! Audit events, one path for every call (see [`pipeline`]): the call ([`call`]) is built
//! into an event ([`build`]), prepared ([`prepare`]), validated ([`validate`]), chained and
//! written as the line ([`pipeline`]); the native logger ([`logger`]) delivers it.

pub mod agent;
pub(crate) mod build;
pub mod call;
pub mod config;
pub mod event;
pub mod logger;
pub mod pipeline;
pub(crate) mod prepare;
pub mod time;
pub(crate) mod validate;
