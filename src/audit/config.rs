//! Logger configuration: every option of the reference's `AuditLoggerConfig`, validated once.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::json::read::{Lite, Members};

use crate::error::ConfigErrorKind::{Range, Type};
use crate::integrity::HashAlgorithm;
use crate::{Error, SchemaVersion};

/// Who the default actor is when a call names none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorType {
    /// A person.
    Human,
    /// A service principal.
    Service,
    /// An AI agent acting under a human's delegated authority (schema 2.x only; a plain
    /// `audit()` then needs a `delegation` block, or on 2.1 an `unattributed` attribution).
    Agent,
}

/// What a 1.x target does with agent data (an agent actor, a `delegation` or an
/// `attribution` block), which 1.x cannot represent (the reference 2.0.0's
/// `agent_event_downgrade_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DowngradeMode {
    /// Refuse the call with [`Error::Agent`] (default).
    Raise,
    /// Collapse the actor to the authorizing human and drop the agent blocks.
    Strip,
}

impl ActorType {
    /// `"human"`, `"service"` or `"agent"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorType::Human => "human",
            ActorType::Service => "service",
            ActorType::Agent => "agent",
        }
    }
}

/// What to do when the sink fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmitFailureMode {
    /// Count it and report it at debug level.
    Silent,
    /// Count it and report it at warn level (default).
    Log,
    /// Count it and return the error to the caller.
    Raise,
}

/// What to do with an event that fails the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidationFailureMode {
    /// Count it as a validation failure and a drop, report it, emit nothing (default).
    Drop,
    /// Count and report it, then emit it anyway, without any property the schema forbids.
    LogAndEmit,
    /// Count it and return [`Error::Validation`] to the caller.
    Raise,
}

/// Which redaction profile sanitizes error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redaction {
    /// Exactly the reference's patterns (default).
    Reference,
    /// The strict profile (every identifier kind, whatever surrounds it).
    Strict,
}

/// Validated, immutable logger configuration. Build it with [`Config::new`] and the
/// `with_*` methods, or from a JSON object of camelCase options with [`Config::from_options`].
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub(crate) service_name: String,
    pub(crate) service_environment: String,
    pub(crate) service_version: Option<String>,
    pub(crate) default_actor_id: String,
    pub(crate) default_actor_type: ActorType,
    pub(crate) metadata_allowlist: BTreeSet<String>,
    pub(crate) sanitize_errors: bool,
    pub(crate) error_message_max_len: usize,
    pub(crate) max_metadata_value_length: usize,
    pub(crate) emit_failure_mode: EmitFailureMode,
    pub(crate) validation_failure_mode: ValidationFailureMode,
    pub(crate) schema_version: SchemaVersion,
    pub(crate) downgrade_mode: DowngradeMode,
    pub(crate) redaction: Redaction,
    pub(crate) max_pending: usize,
    pub(crate) enable_integrity: bool,
    pub(crate) hash_algorithm: HashAlgorithm,
    pub(crate) chain_head: Option<String>,
}

/// The options [`Config::from_options`] accepts (camelCase, as in the JS API). Function-valued
/// options (`timeSource`, `idFactory`, `sink`, `onDiagnostic`) belong to the host and are skipped.
pub const OPTION_NAMES: &[&str] = &[
    "serviceName",
    "serviceEnvironment",
    "serviceVersion",
    "defaultActorId",
    "defaultActorType",
    "metadataAllowlist",
    "sanitizeErrors",
    "errorMessageMaxLen",
    "maxMetadataValueLength",
    "emitFailureMode",
    "validationFailureMode",
    "schemaVersion",
    "agentEventDowngradeMode",
    "redaction",
    "maxPending",
    "failureLoggerName",
    "enableIntegrity",
    "hashAlgorithm",
    "chainHead",
    "timeSource",
    "idFactory",
    "sink",
    "onDiagnostic",
];

impl Config {
    /// Defaults for everything but the service name. Call [`Config::validate`] (or let
    /// `AuditLogger::new` do it) before use.
    pub fn new(service_name: impl Into<String>) -> Config {
        Config {
            service_name: service_name.into(),
            service_environment: "unknown".into(),
            service_version: None,
            default_actor_id: "unknown".into(),
            default_actor_type: ActorType::Service,
            metadata_allowlist: BTreeSet::new(),
            sanitize_errors: true,
            error_message_max_len: 200,
            max_metadata_value_length: 200,
            emit_failure_mode: EmitFailureMode::Log,
            validation_failure_mode: ValidationFailureMode::Drop,
            schema_version: SchemaVersion::V1_1,
            downgrade_mode: DowngradeMode::Raise,
            redaction: Redaction::Reference,
            max_pending: 10_000,
            enable_integrity: false,
            hash_algorithm: HashAlgorithm::Sha256,
            chain_head: None,
        }
    }

    /// Set what a 1.x target does with agent data (`agentEventDowngradeMode`).
    pub fn with_downgrade_mode(mut self, v: DowngradeMode) -> Self {
        self.downgrade_mode = v;
        self
    }

    /// What a 1.x target does with agent data.
    pub fn downgrade_mode(&self) -> DowngradeMode {
        self.downgrade_mode
    }

    /// Set `service.environment`.
    pub fn with_service_environment(mut self, v: impl Into<String>) -> Self {
        self.service_environment = v.into();
        self
    }
    /// Set `service.version` (omitted from events when `None` or empty).
    pub fn with_service_version(mut self, v: Option<String>) -> Self {
        self.service_version = v;
        self
    }
    /// Set the default actor id.
    pub fn with_default_actor_id(mut self, v: impl Into<String>) -> Self {
        self.default_actor_id = v.into();
        self
    }
    /// Set the default actor type.
    pub fn with_default_actor_type(mut self, v: ActorType) -> Self {
        self.default_actor_type = v;
        self
    }
    /// Set the metadata keys that may pass (empty: all metadata is dropped).
    pub fn with_metadata_allowlist<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        keys: I,
    ) -> Self {
        self.metadata_allowlist = keys.into_iter().map(Into::into).collect();
        self
    }
    /// Turn error-message sanitization on or off.
    pub fn with_sanitize_errors(mut self, v: bool) -> Self {
        self.sanitize_errors = v;
        self
    }
    /// Cap for error messages in code points (>= 10).
    pub fn with_error_message_max_len(mut self, v: usize) -> Self {
        self.error_message_max_len = v;
        self
    }
    /// Cap for metadata string values in code points (>= 1).
    pub fn with_max_metadata_value_length(mut self, v: usize) -> Self {
        self.max_metadata_value_length = v;
        self
    }
    /// What to do when the sink fails.
    pub fn with_emit_failure_mode(mut self, v: EmitFailureMode) -> Self {
        self.emit_failure_mode = v;
        self
    }
    /// What to do with an event that fails the schema.
    pub fn with_validation_failure_mode(mut self, v: ValidationFailureMode) -> Self {
        self.validation_failure_mode = v;
        self
    }
    /// Target schema version (1.0 or 1.1).
    pub fn with_schema_version(mut self, v: SchemaVersion) -> Self {
        self.schema_version = v;
        self
    }
    /// Redaction profile for error messages.
    pub fn with_redaction(mut self, v: Redaction) -> Self {
        self.redaction = v;
        self
    }

    /// Chain every emitted event with an `integrity` block (hashes as bh-audit-logger 1.1.1).
    pub fn with_integrity(mut self, algorithm: HashAlgorithm, chain_head: Option<String>) -> Self {
        self.enable_integrity = true;
        self.hash_algorithm = algorithm;
        self.chain_head = chain_head;
        self
    }

    /// Whether events are chained, with which algorithm, resuming from which head.
    pub fn integrity(&self) -> Option<(HashAlgorithm, Option<&str>)> {
        self.enable_integrity
            .then_some((self.hash_algorithm, self.chain_head.as_deref()))
    }

    /// The service name.
    pub fn service_name(&self) -> &str {
        &self.service_name
    }
    /// The target schema version.
    pub fn schema_version(&self) -> SchemaVersion {
        self.schema_version
    }
    /// The metadata allowlist.
    pub fn metadata_allowlist(&self) -> &BTreeSet<String> {
        &self.metadata_allowlist
    }
    /// The emit failure mode.
    pub fn emit_failure_mode(&self) -> EmitFailureMode {
        self.emit_failure_mode
    }
    /// The validation failure mode.
    pub fn validation_failure_mode(&self) -> ValidationFailureMode {
        self.validation_failure_mode
    }
    /// Maximum async sink calls in flight (used by hosts with async sinks).
    pub fn max_pending(&self) -> usize {
        self.max_pending
    }

    /// Check every constraint, naming the first option at fault.
    ///
    /// ```
    /// use bh_audit_logger::Config;
    /// let err = Config::new("  ").validate().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid option `serviceName`: must be a non-empty string");
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if self
            .service_name
            .trim_matches(crate::sanitize::is_py_space)
            .is_empty()
        {
            return Err(Error::config(
                "serviceName",
                Range,
                "must be a non-empty string",
            ));
        }
        if self.default_actor_type == ActorType::Agent
            && matches!(
                self.schema_version,
                SchemaVersion::V1_0 | SchemaVersion::V1_1
            )
        {
            return Err(Error::config(
                "defaultActorType",
                Range,
                "\"agent\" needs schemaVersion \"2.0\" or \"2.1\"",
            ));
        }
        if self.error_message_max_len < 10 {
            return Err(Error::config(
                "errorMessageMaxLen",
                Range,
                "must be an integer >= 10",
            ));
        }
        if self.max_metadata_value_length < 1 {
            return Err(Error::config(
                "maxMetadataValueLength",
                Range,
                "must be an integer >= 1",
            ));
        }
        if self.max_pending < 1 {
            return Err(Error::config(
                "maxPending",
                Range,
                "must be an integer >= 1",
            ));
        }
        self.validate_lengths()
    }

    /// Options that would make every event invalid are refused: the schema's `minLength` /
    /// `maxLength` for the fields they fill (code points; schema 1.0 has only the minimums).
    fn validate_lengths(&self) -> Result<(), Error> {
        let limited = self.schema_version != SchemaVersion::V1_0;
        let check = |option: &'static str, value: &str, min: usize, max: usize| {
            let n = value.chars().count();
            if n < min {
                return Err(Error::config(option, Range, "must not be empty"));
            }
            if limited && n > max {
                return Err(Error::config(
                    option,
                    Range,
                    format!("must be at most {max} characters (the schema's limit)"),
                ));
            }
            Ok(())
        };
        check("serviceName", &self.service_name, 1, 128)?;
        check("serviceEnvironment", &self.service_environment, 0, 64)?;
        if let Some(v) = &self.service_version {
            check("serviceVersion", v, 0, 64)?;
        }
        check("defaultActorId", &self.default_actor_id, 1, 256)
    }

    /// Build from a JSON object of camelCase options (the JS API's names), validating types
    /// (`ConfigErrorKind::Type`) and values (`ConfigErrorKind::Range`). Unknown option names
    /// are rejected so a typo cannot silently fall back to a default.
    ///
    /// ```
    /// use bh_audit_logger::{Config, ConfigErrorKind, Error};
    /// let opts = serde_json::json!({"serviceName": "notes-api", "errorMessageMaxLen": 5});
    /// let err = Config::from_options(opts.as_object().unwrap()).unwrap_err();
    /// assert!(matches!(err, Error::Config { option: "errorMessageMaxLen", kind: ConfigErrorKind::Range, .. }));
    /// ```
    pub fn from_options(opts: &Map<String, Value>) -> Result<Config, Error> {
        let opts: Vec<(&str, &Value)> = opts.iter().map(|(k, v)| (k.as_str(), v)).collect();
        Config::from_pairs(&opts)
    }

    /// [`Config::from_options`] on the one reader's document (an object's members): the
    /// options as the facade sends them, without a `serde_json::Value`.
    pub(crate) fn from_members(members: &Members<'_>) -> Result<Config, Error> {
        let opts: Vec<(&str, &Lite<'_>)> = members.iter().map(|(k, v)| (&**k, v)).collect();
        Config::from_pairs(&opts)
    }

    /// [`Config::from_options`] on the options' `(name, value)` pairs, names unique.
    fn from_pairs<V: OptValue>(opts: &[(&str, &V)]) -> Result<Config, Error> {
        for (key, _) in opts {
            if !OPTION_NAMES.contains(key) {
                return Err(Error::UnknownOption {
                    name: crate::sanitize::redact_name(key, 64).into_owned(),
                });
            }
        }
        let get = |k: &str| opts.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        let name = match get("serviceName") {
            None => None,
            Some(v) if v.is_null() => None,
            Some(v) => match v.str() {
                Some(s) => Some(s.to_owned()),
                None => return Err(Error::config("serviceName", Type, "must be a string")),
            },
        };
        let Some(name) = name else {
            return Err(Error::config(
                "serviceName",
                Type,
                "is required (a non-empty string)",
            ));
        };
        let mut c = Config::new(name);
        let present = |k: &str| get(k).filter(|v| !v.is_null());
        if let Some(v) = present("serviceEnvironment") {
            c.service_environment = string_opt("serviceEnvironment", v)?;
        }
        if let Some(v) = present("serviceVersion") {
            c.service_version = Some(string_opt("serviceVersion", v)?);
        }
        if let Some(v) = present("defaultActorId") {
            c.default_actor_id = string_opt("defaultActorId", v)?;
        }
        if let Some(v) = present("defaultActorType") {
            c.default_actor_type = match string_opt("defaultActorType", v)?.as_str() {
                "human" => ActorType::Human,
                "service" => ActorType::Service,
                "agent" => ActorType::Agent,
                _ => {
                    return Err(Error::config(
                        "defaultActorType",
                        Range,
                        "must be \"human\", \"service\" or \"agent\"",
                    ))
                }
            };
        }
        if let Some(v) = present("metadataAllowlist") {
            let Some(items) = v.strs() else {
                return Err(Error::config(
                    "metadataAllowlist",
                    Type,
                    "must be an iterable of strings",
                ));
            };
            let mut set = BTreeSet::new();
            for item in items {
                match item {
                    Some(s) => {
                        set.insert(s.to_owned());
                    }
                    None => {
                        return Err(Error::config(
                            "metadataAllowlist",
                            Type,
                            "must contain only strings",
                        ))
                    }
                }
            }
            c.metadata_allowlist = set;
        }
        if let Some(v) = present("sanitizeErrors") {
            c.sanitize_errors = v
                .bool()
                .ok_or_else(|| Error::config("sanitizeErrors", Type, "must be a boolean"))?;
        }
        if let Some(v) = present("errorMessageMaxLen") {
            c.error_message_max_len = int_opt("errorMessageMaxLen", v, 10)?;
        }
        if let Some(v) = present("maxMetadataValueLength") {
            c.max_metadata_value_length = int_opt("maxMetadataValueLength", v, 1)?;
        }
        if let Some(v) = present("maxPending") {
            c.max_pending = int_opt("maxPending", v, 1)?;
        }
        if let Some(v) = present("emitFailureMode") {
            c.emit_failure_mode = match string_opt("emitFailureMode", v)?.as_str() {
                "silent" => EmitFailureMode::Silent,
                "log" => EmitFailureMode::Log,
                "raise" => EmitFailureMode::Raise,
                _ => {
                    return Err(Error::config(
                        "emitFailureMode",
                        Range,
                        "must be \"silent\", \"log\" or \"raise\"",
                    ))
                }
            };
        }
        if let Some(v) = present("validationFailureMode") {
            c.validation_failure_mode = match string_opt("validationFailureMode", v)?.as_str() {
                "drop" => ValidationFailureMode::Drop,
                "log_and_emit" => ValidationFailureMode::LogAndEmit,
                "raise" => ValidationFailureMode::Raise,
                _ => {
                    return Err(Error::config(
                        "validationFailureMode",
                        Range,
                        "must be \"drop\", \"log_and_emit\" or \"raise\"",
                    ))
                }
            };
        }
        if let Some(v) = present("schemaVersion") {
            c.schema_version = match string_opt("schemaVersion", v)?.as_str() {
                "1.0" => SchemaVersion::V1_0,
                "1.1" => SchemaVersion::V1_1,
                "2.0" => SchemaVersion::V2_0,
                "2.1" => SchemaVersion::V2_1,
                _ => {
                    return Err(Error::config(
                        "schemaVersion",
                        Range,
                        "must be \"1.0\", \"1.1\", \"2.0\" or \"2.1\"",
                    ))
                }
            };
        }
        if let Some(v) = present("agentEventDowngradeMode") {
            c.downgrade_mode = match string_opt("agentEventDowngradeMode", v)?.as_str() {
                "raise" => DowngradeMode::Raise,
                "strip" => DowngradeMode::Strip,
                _ => {
                    return Err(Error::config(
                        "agentEventDowngradeMode",
                        Range,
                        "must be \"raise\" or \"strip\"",
                    ))
                }
            };
        }
        if let Some(v) = present("redaction") {
            c.redaction = match string_opt("redaction", v)?.as_str() {
                "reference" => Redaction::Reference,
                "strict" => Redaction::Strict,
                _ => {
                    return Err(Error::config(
                        "redaction",
                        Range,
                        "must be \"reference\" or \"strict\"",
                    ))
                }
            };
        }
        if let Some(v) = present("enableIntegrity") {
            c.enable_integrity = v
                .bool()
                .ok_or_else(|| Error::config("enableIntegrity", Type, "must be a boolean"))?;
        }
        if let Some(v) = present("hashAlgorithm") {
            c.hash_algorithm =
                HashAlgorithm::parse(&string_opt("hashAlgorithm", v)?).ok_or_else(|| {
                    Error::config(
                        "hashAlgorithm",
                        Range,
                        "must be \"sha256\", \"sha384\" or \"sha512\"",
                    )
                })?;
        }
        if let Some(v) = present("chainHead") {
            let head = string_opt("chainHead", v)?;
            if head.is_empty() || head.len() > 256 {
                return Err(Error::config(
                    "chainHead",
                    Range,
                    "must be a non-empty hash of at most 256 characters",
                ));
            }
            c.chain_head = Some(head);
        }
        if let Some(v) = present("failureLoggerName") {
            string_opt("failureLoggerName", v)?;
        }
        c.validate()?;
        Ok(c)
    }
}

/// An option's value: a `serde_json::Value` (native callers) or the one reader's document
/// (the facade's options text), read alike.
trait OptValue {
    fn is_null(&self) -> bool;
    fn str(&self) -> Option<&str>;
    fn bool(&self) -> Option<bool>;
    /// An array's items as strings (`None` for an item that is not one); `None` when not
    /// an array.
    fn strs(&self) -> Option<Vec<Option<&str>>>;
    /// A number as serde_json reads it: `(as_u64, as_f64)`; `None` when not a number.
    fn num(&self) -> Option<(Option<u64>, Option<f64>)>;
}

impl OptValue for Value {
    fn is_null(&self) -> bool {
        Value::is_null(self)
    }
    fn str(&self) -> Option<&str> {
        self.as_str()
    }
    fn bool(&self) -> Option<bool> {
        self.as_bool()
    }
    fn strs(&self) -> Option<Vec<Option<&str>>> {
        self.as_array()
            .map(|a| a.iter().map(Value::as_str).collect())
    }
    fn num(&self) -> Option<(Option<u64>, Option<f64>)> {
        self.as_number().map(|n| (n.as_u64(), n.as_f64()))
    }
}

impl OptValue for Lite<'_> {
    fn is_null(&self) -> bool {
        matches!(self, Lite::Null)
    }
    fn str(&self) -> Option<&str> {
        match self {
            Lite::Str(s) => Some(s),
            _ => None,
        }
    }
    fn bool(&self) -> Option<bool> {
        match self {
            Lite::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn strs(&self) -> Option<Vec<Option<&str>>> {
        match self {
            Lite::Arr(a) => Some(a.iter().map(OptValue::str).collect()),
            _ => None,
        }
    }
    fn num(&self) -> Option<(Option<u64>, Option<f64>)> {
        let Lite::Num(t) = self else { return None };
        // As `read::num_value` makes it a serde_json number: an integer that fits i64 or
        // u64 as that integer, anything else as the nearest f64.
        if &**t != "-0" && !t.contains(['.', 'e', 'E']) {
            if let Ok(i) = t.parse::<i64>() {
                return Some((u64::try_from(i).ok(), Some(i as f64)));
            }
            if let Ok(u) = t.parse::<u64>() {
                return Some((Some(u), Some(u as f64)));
            }
        }
        Some((None, crate::json::num::parse_json_f64(t)))
    }
}

fn string_opt<V: OptValue>(option: &'static str, v: &V) -> Result<String, Error> {
    v.str()
        .map(str::to_owned)
        .ok_or_else(|| Error::config(option, Type, "must be a string"))
}

fn int_opt<V: OptValue>(option: &'static str, v: &V, min: u64) -> Result<usize, Error> {
    let Some(n) = v.num() else {
        return Err(Error::config(option, Type, "must be a number"));
    };
    let int = match n {
        (Some(u), _) => Some(u),
        (None, Some(f)) if f.fract() == 0.0 && (0.0..1.8e19).contains(&f) => Some(f as u64),
        _ => None,
    };
    match int {
        Some(u) if u >= min && u <= u64::from(u32::MAX) => {
            Ok(usize::try_from(u).unwrap_or(usize::MAX))
        }
        _ => Err(Error::config(
            option,
            Range,
            format!("must be an integer >= {min} and < 2^32"),
        )),
    }
}
