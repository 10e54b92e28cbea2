//! JSON text in and out: the one reader every part uses ([`read`]), the one writer of the
//! emitted line and of the chain's canonical text ([`write`]), Python's number texts
//! ([`num`]) and a small stable sort ([`sort`]).

pub(crate) mod num;
pub(crate) mod read;
pub(crate) mod sort;
pub(crate) mod write;
