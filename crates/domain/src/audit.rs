//! The hash-chained audit log. Each event's hash covers a canonical, length-prefixed encoding of its
//! fields and the previous event's hash, so altering, deleting or reordering any stored event breaks
//! every hash after it. The encoding is computed here, in Rust, from values both databases round-trip
//! exactly (times are truncated to microseconds, PostgreSQL's precision), so SQLite and PostgreSQL
//! produce the same bytes.
//!
//! Personal data never enters the log in clear: `changes_digest` is a salted SHA-256 of what changed,
//! and `changed_fields` names fields, never their values.

use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};

/// The names of the fields whose check says they differ (or were set), in the order given: an
/// event's `changed_fields`.
pub fn changed_fields<const N: usize>(checks: [(&'static str, bool); N]) -> Vec<&'static str> {
    checks
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect()
}

/// The hash that precedes the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const DOMAIN_TAG: &[u8] = b"concord-audit-v1";

/// An event as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    /// The acting user's id, or empty for an anonymous or system actor.
    pub actor_id: String,
    /// `object_type.verb`, e.g. `collaboration.updated`.
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// The collaboration this event belongs to, or empty.
    pub collaboration_id: String,
    /// Comma-separated field names.
    pub changed_fields: String,
    /// Hex salt mixed into `changes_digest`.
    pub salt: String,
    /// Hex SHA-256 of the salt and the canonical JSON of the change.
    pub changes_digest: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Truncates a time to the precision every engine stores.
pub fn canonical_time(time: DateTime<Utc>) -> DateTime<Utc> {
    time.trunc_subsecs(6)
}

fn push_field(buffer: &mut Vec<u8>, bytes: &[u8]) {
    let length = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    buffer.extend_from_slice(&length.to_be_bytes());
    buffer.extend_from_slice(bytes);
}

/// The bytes that are hashed: every field but `hash`, length-prefixed, in a fixed order.
pub fn canonical_bytes(event: &AuditEvent) -> Vec<u8> {
    let mut buffer = Vec::with_capacity(512);
    push_field(&mut buffer, DOMAIN_TAG);
    push_field(&mut buffer, event.seq.to_string().as_bytes());
    push_field(
        &mut buffer,
        canonical_time(event.occurred_at)
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string()
            .as_bytes(),
    );
    for field in [
        &event.actor_id,
        &event.action,
        &event.object_type,
        &event.object_id,
        &event.collaboration_id,
        &event.changed_fields,
        &event.salt,
        &event.changes_digest,
        &event.prev_hash,
    ] {
        push_field(&mut buffer, field.as_bytes());
    }
    buffer
}

pub fn compute_hash(event: &AuditEvent) -> String {
    hex::encode(Sha256::digest(canonical_bytes(event)))
}

/// Salted digest of a change's details (which may hold personal data).
pub fn digest_changes(salt_hex: &str, details: &serde_json::Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt_hex.as_bytes());
    hasher.update(b"\0");
    // serde_json's map is ordered by key (no `preserve_order` feature), so this is canonical.
    hasher.update(details.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

/// Why a chain failed verification, naming the first sequence number that does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("event {seq}: expected sequence number {expected} (an event was deleted or reordered)")]
    Gap { seq: i64, expected: i64 },
    #[error("event {seq}: previous hash does not match event {}", seq - 1)]
    BrokenLink { seq: i64 },
    #[error("event {seq}: stored hash does not match its contents")]
    Tampered { seq: i64 },
    #[error("event {seq}: the chain head records event {seq} but it is missing or differs")]
    HeadMismatch { seq: i64 },
}

impl ChainError {
    /// The first sequence number that does not hold: for a gap, the missing one.
    pub fn seq(&self) -> i64 {
        match self {
            ChainError::Gap { expected, .. } => *expected,
            ChainError::BrokenLink { seq }
            | ChainError::Tampered { seq }
            | ChainError::HeadMismatch { seq } => *seq,
        }
    }
}

/// Checks events one at a time in stored order, so a chain of any length verifies in constant memory.
#[derive(Clone, Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, event: &AuditEvent) -> Result<(), ChainError> {
        if event.seq != self.expected_seq {
            return Err(ChainError::Gap {
                seq: event.seq,
                expected: self.expected_seq,
            });
        }
        if event.prev_hash != self.prev_hash {
            return Err(ChainError::BrokenLink { seq: event.seq });
        }
        if compute_hash(event) != event.hash {
            return Err(ChainError::Tampered { seq: event.seq });
        }
        self.expected_seq += 1;
        self.prev_hash.clone_from(&event.hash);
        Ok(())
    }

    /// After the last event: the stored head must name the last event checked, which catches a
    /// truncated tail. Returns the head hash.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<String, ChainError> {
        let last_seq = self.expected_seq - 1;
        if head_seq != last_seq || head_hash != self.prev_hash {
            let seq = if head_seq == last_seq {
                head_seq
            } else {
                head_seq.min(last_seq) + 1
            };
            return Err(ChainError::HeadMismatch { seq });
        }
        Ok(self.prev_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn changed_fields_names_the_differing_ones_in_the_order_given() {
        let checks = [("title", true), ("place", false), ("ends_at", true)];
        assert_eq!(changed_fields(checks), ["title", "ends_at"]);
        assert!(changed_fields([("title", false)]).is_empty());
    }

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut event = AuditEvent {
                    seq,
                    occurred_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
                        + chrono::Duration::microseconds(seq),
                    actor_id: "u1".into(),
                    action: "collaboration.updated".into(),
                    object_type: "collaboration".into(),
                    object_id: format!("c{seq}"),
                    collaboration_id: "c".into(),
                    changed_fields: "title".into(),
                    salt: "ab".into(),
                    changes_digest: digest_changes("ab", &serde_json::json!({"title": seq})),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                event.hash = compute_hash(&event);
                prev = event.hash.clone();
                event
            })
            .collect()
    }

    fn verify(events: &[AuditEvent], head: (i64, &str)) -> Result<String, ChainError> {
        let mut verifier = ChainVerifier::default();
        for event in events {
            verifier.check(event)?;
        }
        verifier.finish(head.0, head.1)
    }

    #[test]
    fn intact_chain_verifies_to_its_head() {
        let events = chain(5);
        let head = events[4].hash.clone();
        assert_eq!(verify(&events, (5, &head)), Ok(head.clone()));
        assert_eq!(verify(&[], (0, GENESIS_HASH)), Ok(GENESIS_HASH.to_owned()));
    }

    #[test]
    fn any_altered_field_is_caught_at_its_event() {
        let events = chain(5);
        let head = events[4].hash.clone();
        let mut altered = events.clone();
        altered[2].changed_fields = "summary".into();
        assert_eq!(
            verify(&altered, (5, &head)),
            Err(ChainError::Tampered { seq: 3 })
        );
        let mut altered = events.clone();
        altered[1].occurred_at += chrono::Duration::microseconds(1);
        assert_eq!(
            verify(&altered, (5, &head)),
            Err(ChainError::Tampered { seq: 2 })
        );
    }

    #[test]
    fn deletion_and_reordering_are_caught() {
        let events = chain(5);
        let head = events[4].hash.clone();
        let mut deleted = events.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, (5, &head)).unwrap_err().seq(),
            2,
            "names the missing event"
        );
        let mut swapped = events.clone();
        swapped.swap(1, 2);
        assert_eq!(verify(&swapped, (5, &head)).unwrap_err().seq(), 2);
        // Renumbering a swap so the sequence looks right still breaks the links.
        swapped[1].seq = 2;
        swapped[2].seq = 3;
        assert_eq!(verify(&swapped, (5, &head)).unwrap_err().seq(), 2);
    }

    #[test]
    fn truncated_tail_is_caught_by_the_head() {
        let events = chain(5);
        let head = events[4].hash.clone();
        assert_eq!(verify(&events[..4], (5, &head)).unwrap_err().seq(), 5);
    }

    #[test]
    fn encoding_is_unambiguous() {
        // Moving a character between adjacent fields must change the hash.
        let mut a = chain(1).remove(0);
        let mut b = a.clone();
        a.object_type = "collab".into();
        a.object_id = "oration".into();
        b.object_type = "collabo".into();
        b.object_id = "ration".into();
        assert_ne!(compute_hash(&a), compute_hash(&b));
    }

    #[test]
    fn times_hash_at_microsecond_precision() {
        let mut a = chain(1).remove(0);
        let b = a.clone();
        a.occurred_at += chrono::Duration::nanoseconds(10);
        assert_eq!(compute_hash(&a), compute_hash(&b));
    }
}

/// One line of a collaboration's history: who did what, when. Names are resolved at read time, so
/// erasing a person changes the page but not the chain.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<crate::UserId>,
    pub actor_name: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub changed_fields: Vec<String>,
}
