//! Emit a few real audit events to standard output as JSON lines (the native quickstart).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bh_audit_logger::{AuditError, AuditLogger, AuditRequest, Config, Event, FnSink};
use serde_json::json;

fn main() -> Result<(), bh_audit_logger::Error> {
    let config = Config::new("bh-notes-api")
        .with_service_environment("dev")
        .with_metadata_allowlist(["record_count", "export_format"]);
    let sink = FnSink(|ev: &Event| {
        println!("{}", ev.line());
        Ok(())
    });
    let mut logger = AuditLogger::new(config, sink)?;
    logger.audit(
        "READ",
        AuditRequest {
            actor: Some(
                json!({"subject_id": "user_789", "subject_type": "human", "roles": ["therapist"]}),
            ),
            resource: Some(json!({"type": "Patient", "id": "pat_456", "patient_id": "pat_456"})),
            phi_touched: Some(json!(true)),
            data_classification: Some(json!("PHI")),
            correlation: Some(json!({"request_id": "req_01HT7X9KQZ"})),
            ..Default::default()
        },
    )?;
    logger.audit(
        "UPDATE",
        AuditRequest {
            resource: Some(json!({"type": "Note", "id": "note_999"})),
            error: Some(AuditError::Message(
                "write failed for jane.doe@example.com (SSN 123-45-6789)".into(),
            )),
            ..Default::default()
        },
    )?;
    logger.audit_access_denied(
        "READ",
        Some("CrossOrgDenied"),
        None,
        AuditRequest::default(),
    )?;
    logger.audit(
        "EXPORT",
        AuditRequest {
            metadata: Some(
                json!({"record_count": 12, "export_format": "pdf", "patient_name": "Jane"}),
            ),
            ..Default::default()
        },
    )?;
    eprintln!("stats: {:?}", logger.stats());
    Ok(())
}
