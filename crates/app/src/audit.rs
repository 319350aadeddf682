//! Verifying the audit chain end to end (`concord audit verify`).

use concord_domain::audit::{ChainError, ChainVerifier};

use crate::{App, AppError};

/// The outcome of a verification: the head hash and how many events were checked, or the first
/// sequence number that does not hold.
#[derive(Debug)]
pub enum Verification {
    Intact { events: i64, head_hash: String },
    Broken(ChainError),
}

/// Recomputes the whole chain in batches, in constant memory.
pub async fn verify(app: &App) -> Result<Verification, AppError> {
    const BATCH: i64 = 2000;
    let mut h = app.db.read().await?;
    let (head_seq, head_hash) = concord_store::audit::head(&mut h).await?;
    let mut verifier = ChainVerifier::default();
    let mut last = 0;
    loop {
        let batch = concord_store::audit::events_after(&mut h, last, BATCH).await?;
        let Some(tail) = batch.last() else { break };
        last = tail.seq;
        for event in &batch {
            if let Err(error) = verifier.check(event) {
                return Ok(Verification::Broken(error));
            }
        }
    }
    match verifier.finish(head_seq, &head_hash) {
        Ok(head_hash) => Ok(Verification::Intact {
            events: last,
            head_hash,
        }),
        Err(error) => Ok(Verification::Broken(error)),
    }
}
