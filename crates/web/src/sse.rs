//! Server-Sent Events for live thread updates, shared by the page stream (HTML fragments) and the
//! API stream (JSON). A new message is a `message` event whose `id` is the message id, so a
//! browser that reconnects sends `Last-Event-ID` and misses nothing; a message edited while the
//! reader watches is an `edit` event (without an id: it does not move the reader's place). A stream ends when the reader loses access, when the
//! server shuts down, or after `concord_app::live::STREAM_LIFETIME` (the client reconnects and is
//! authenticated again).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use concord_app::live::{LiveThread, LiveUpdate, STREAM_LIFETIME};
use concord_domain::MessageId;
use futures_util::stream;

/// How long a browser waits before reconnecting after the stream ends.
const RETRY: Duration = Duration::from_secs(2);

/// The message a reconnecting client saw last (`Last-Event-ID`).
pub fn last_event_id(headers: &HeaderMap) -> Option<MessageId> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

struct State<F> {
    subscription: LiveThread,
    render: F,
    pending: VecDeque<Event>,
    deadline: tokio::time::Instant,
    done: bool,
}

/// Streams `subscription` as `message` and `edit` events whose data `render` produces (`None`
/// skips one).
pub fn stream<F>(subscription: LiveThread, render: F) -> Response
where
    F: FnMut(&LiveUpdate) -> Option<(MessageId, String)> + Send + 'static,
{
    let state = State {
        subscription,
        render,
        pending: VecDeque::from([Event::default().retry(RETRY).comment("live")]),
        deadline: tokio::time::Instant::now() + STREAM_LIFETIME,
        done: false,
    };
    let events = stream::unfold(state, |mut state| async move {
        loop {
            if let Some(event) = state.pending.pop_front() {
                return Some((Ok::<_, Infallible>(event), state));
            }
            if state.done {
                return None;
            }
            match tokio::time::timeout_at(state.deadline, state.subscription.next()).await {
                Ok(Ok(Some(batch))) => {
                    for update in batch {
                        if let Some((id, data)) = (state.render)(&update) {
                            let event = if update.edited {
                                Event::default().event("edit").data(data)
                            } else {
                                Event::default()
                                    .event("message")
                                    .id(id.to_string())
                                    .data(data)
                            };
                            state.pending.push_back(event);
                        }
                    }
                }
                // Shutting down, access lost, or the stream's time is up: end it; the browser
                // reconnects (and is refused if it may no longer read).
                Ok(Ok(None)) | Ok(Err(_)) | Err(_) => state.done = true,
            }
        }
    });
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}
