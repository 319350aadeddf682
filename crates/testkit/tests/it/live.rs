//! Live thread updates and @mentions (issue 5), end to end on the engine under test: readers with
//! an open event stream receive each new message once, in commit order, and a reconnecting reader
//! (`Last-Event-ID`) misses nothing; a thread's stream exists only for those who may read it; on
//! PostgreSQL a message posted through one server reaches readers of another; mentions are
//! recorded only for people named on the collaboration who may read the thread.

use std::time::Duration;

use crate::support::{collab_id, count, expect, outsider, token_api};
use anyhow::{Context, Result, bail, ensure};
use concord_testkit::{Api, Engine, TestApp, TestServer, engine};
use serde_json::{Value, json};

/// Reads a `text/event-stream` response event by event.
struct EventReader {
    response: reqwest::Response,
    buffer: String,
}

/// One event: (event name, id, data).
type SseEvent = (String, String, String);

impl EventReader {
    async fn open(response: reqwest::Response) -> Result<EventReader> {
        ensure!(
            response.status() == 200,
            "stream answered {}",
            response.status()
        );
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        ensure!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        Ok(EventReader {
            response,
            buffer: String::new(),
        })
    }

    /// The next event with data (comments and keep-alives skipped); `None` when the stream ended.
    async fn next(&mut self) -> Result<Option<SseEvent>> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut name, mut id, mut data) = (String::from("message"), String::new(), vec![]);
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v).to_owned());
                    }
                }
                if !data.is_empty() {
                    return Ok(Some((name, id, data.join("\n"))));
                }
                continue;
            }
            match tokio::time::timeout(Duration::from_secs(15), self.response.chunk()).await {
                Err(_) => bail!("no event within 15 s (buffer: {:?})", self.buffer),
                Ok(chunk) => match chunk? {
                    None => return Ok(None),
                    Some(bytes) => self
                        .buffer
                        .push_str(&String::from_utf8_lossy(&bytes).replace("\r\n", "\n")),
                },
            }
        }
    }

    /// Whether another event arrives within `wait` (it should not).
    async fn quiet_for(&mut self, wait: Duration) -> Result<bool> {
        Ok(tokio::time::timeout(wait, self.next()).await.is_err())
    }
}

async fn start(api: &Api, collab: &str, audience: &[&str], body: &str) -> Result<String> {
    let view = expect(
        api.post(
            &format!("/api/v1/collaborations/{collab}/threads"),
            &json!({"title": "Live test", "audience": audience, "body": body}),
        )
        .await?,
        201,
        "starting a thread",
    )
    .await?;
    Ok(view["thread"]["id"]
        .as_str()
        .context("thread id")?
        .to_owned())
}

async fn post(api: &Api, thread: &str, body: &str) -> Result<Value> {
    expect(
        api.post(
            &format!("/api/v1/threads/{thread}/messages"),
            &json!({"body": body}),
        )
        .await?,
        201,
        "posting",
    )
    .await
}

fn id_of(view: &Value) -> String {
    view["message"]["id"].as_str().unwrap_or("").to_owned()
}

async fn stream(api: &Api, thread: &str, last_event_id: Option<&str>) -> Result<EventReader> {
    let mut request = api.request(
        reqwest::Method::GET,
        &format!("/api/v1/threads/{thread}/events"),
    );
    if let Some(id) = last_event_id {
        request = request.header("Last-Event-ID", id);
    }
    EventReader::open(request.send().await?).await
}

#[tokio::test]
async fn live_readers_get_each_new_message_once_in_order_and_catch_up_after_reconnecting()
-> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let thread = start(&carol, &safe_routes, &[], "Opening message").await?;

    // Two readers: anonymous (a public collaboration) and a signed-in member.
    let mut anonymous = stream(&app.api(None), &thread, None).await?;
    let mut member = stream(&carol, &thread, None).await?;
    let mut posted = Vec::new();
    for n in 1..=3 {
        posted.push(id_of(
            &post(&carol, &thread, &format!("Update **{n}**")).await?,
        ));
    }
    for reader in [&mut anonymous, &mut member] {
        for (n, expected) in posted.iter().enumerate() {
            let (name, id, data) = reader.next().await?.context("stream ended")?;
            assert_eq!(name, "message");
            assert_eq!(&id, expected, "message {n} out of order");
            let data: Value = serde_json::from_str(&data)?;
            assert_eq!(data["message"]["id"], expected.as_str());
            assert_eq!(data["message"]["seq"], n as i64 + 2);
            assert_eq!(
                data["body_html"],
                format!("<p>Update <strong>{}</strong></p>\n", n + 1)
            );
        }
        ensure!(
            reader.quiet_for(Duration::from_millis(300)).await?,
            "no repeats"
        );
    }
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM messages m JOIN threads t ON t.id = m.thread_id WHERE t.title = 'Live test'"
        )
        .await?,
        4
    );

    // A reader who drops out and comes back with Last-Event-ID gets exactly what it missed.
    drop(anonymous);
    let missed = [
        id_of(&post(&carol, &thread, "Missed one").await?),
        id_of(&post(&carol, &thread, "Missed two").await?),
    ];
    let mut back = stream(&app.api(None), &thread, Some(&posted[2])).await?;
    for expected in &missed {
        let (_, id, _) = back.next().await?.context("stream ended")?;
        assert_eq!(&id, expected);
    }
    let later = id_of(&post(&carol, &thread, "Later").await?);
    let (_, id, _) = back.next().await?.context("stream ended")?;
    assert_eq!(id, later);

    // A reader with no (or a foreign) Last-Event-ID starts from now, not from the beginning.
    let mut fresh = stream(&app.api(None), &thread, Some("not-a-message")).await?;
    ensure!(fresh.quiet_for(Duration::from_millis(300)).await?);
    let newest = id_of(&post(&carol, &thread, "Newest").await?);
    let (_, id, _) = fresh.next().await?.context("stream ended")?;
    assert_eq!(id, newest);
    // The member saw everything too, still in order.
    for expected in missed.iter().chain([&later, &newest]) {
        let (_, id, _) = member.next().await?.context("member stream ended")?;
        assert_eq!(&id, expected);
    }
    Ok(())
}

#[tokio::test]
async fn the_page_stream_sends_rendered_messages_and_narrow_threads_stream_only_to_their_audience()
-> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let me = carol.get_json("/api/v1/me").await?;
    let own_org = me["organisation_id"].as_str().context("org")?.to_owned();
    let narrow = start(&carol, &safe_routes, &[&own_org], "Riverton only").await?;

    // The page stream carries the message as the page renders it, and a sentence for screen readers.
    let browser = app.signed_in("carol@riverton.example").await?;
    let response = browser.get(&format!("/threads/{narrow}/live")).await?;
    let mut page = EventReader::open(response).await?;
    let posted = id_of(&post(&carol, &narrow, "Hello *there* <script>alert(1)</script>").await?);
    let (_, id, data) = page.next().await?.context("page stream ended")?;
    assert_eq!(id, posted);
    let data: Value = serde_json::from_str(&data)?;
    let html = data["html"].as_str().context("html")?;
    ensure!(html.contains(&format!("id=\"m-{posted}\"")), "{html}");
    ensure!(html.contains("<em>there</em>"), "{html}");
    ensure!(!html.contains("<script"), "{html}");
    ensure!(
        html.contains(&format!("/messages/{posted}/edit")),
        "the author may edit: {html}"
    );
    ensure!(
        data["announce"]
            .as_str()
            .unwrap_or("")
            .contains("New message from"),
        "{data}"
    );

    // Everyone outside the audience: the stream does not exist.
    let (olga, _) = outsider(&app).await?;
    for (who, api) in [("anonymous", app.api(None)), ("outsider", olga)] {
        let response = api
            .request(
                reqwest::Method::GET,
                &format!("/api/v1/threads/{narrow}/events"),
            )
            .send()
            .await?;
        assert_eq!(response.status(), 404, "{who} on the API stream");
    }
    let other_member = token_api(&app, "dave@trust.example").await?;
    let dave_sees = other_member
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/threads/{narrow}/events"),
        )
        .send()
        .await?
        .status();
    assert_eq!(dave_sees, 404, "a member of another organisation");
    let anonymous_page = app
        .browser()
        .get(&format!("/threads/{narrow}/live"))
        .await?;
    assert_eq!(anonymous_page.status(), 404);
    let missing = app
        .api(None)
        .request(
            reqwest::Method::GET,
            "/api/v1/threads/00000000-0000-7000-8000-000000000000/events",
        )
        .send()
        .await?;
    assert_eq!(missing.status(), 404);
    Ok(())
}

#[tokio::test]
async fn a_message_posted_through_one_server_reaches_readers_of_another() -> Result<()> {
    if engine() != Engine::Postgres {
        // One SQLite file has one server; the in-process path is covered by the tests above.
        return Ok(());
    }
    let app = TestApp::spawn_with_demo().await?;
    let second = TestServer::start(&app.db.url).await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let thread = start(&carol, &safe_routes, &[], "Across servers").await?;
    let on_second = Api {
        base_url: second.base_url.clone(),
        token: None,
        client: reqwest::Client::new(),
    };
    let mut reader = stream(&on_second, &thread, None).await?;
    let mut posted = Vec::new();
    for n in 0..5 {
        posted.push(id_of(
            &post(&carol, &thread, &format!("From server one, {n}")).await?,
        ));
    }
    for expected in &posted {
        let (_, id, _) = reader.next().await?.context("stream ended")?;
        assert_eq!(&id, expected);
    }
    drop(reader);
    second.stop().await;
    Ok(())
}

/// (user id, display name) of the people named on a collaboration.
async fn named_people(api: &Api, collab: &str) -> Result<Vec<(String, String, String)>> {
    let view = api
        .get_json(&format!("/api/v1/collaborations/{collab}"))
        .await?;
    Ok(view["people"]
        .as_array()
        .context("people")?
        .iter()
        .map(|p| {
            (
                p["user_id"].as_str().unwrap_or("").to_owned(),
                p["display_name"].as_str().unwrap_or("").to_owned(),
                p["organisation_id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect())
}

#[tokio::test]
async fn mentions_are_recorded_for_people_who_may_read_the_thread_and_highlighted() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let me = carol.get_json("/api/v1/me").await?;
    let carol_id = me["id"].as_str().context("id")?.to_owned();
    let own_org = me["organisation_id"].as_str().context("org")?.to_owned();
    let people = named_people(&carol, &safe_routes).await?;
    let other = people
        .iter()
        .find(|(id, _, org)| id != &carol_id && org != &own_org)
        .context("a named person of another organisation")?
        .clone();
    let colleague = people
        .iter()
        .find(|(id, _, org)| id != &carol_id && org == &own_org);

    let thread = start(&carol, &safe_routes, &[], "Mentions").await?;
    let before = count(&app, "SELECT count(*) FROM message_mentions").await?;
    let body = format!(
        "Thanks @{} — and `@{}` in code, and @Nobody Atall, and mail x@{}",
        other.1.to_uppercase(),
        other.1,
        other.1
    );
    let posted = post(&carol, &thread, &body).await?;
    let mentions = posted["message"]["mentions"]
        .as_array()
        .context("mentions")?;
    assert_eq!(mentions.len(), 1, "{posted}");
    assert_eq!(mentions[0]["user_id"], other.0.as_str());
    let html = posted["body_html"].as_str().context("html")?;
    assert_eq!(html.matches("class=\"mention\"").count(), 1, "{html}");
    ensure!(
        html.contains(&format!(
            "<span class=\"mention\">@{}</span>",
            other.1.to_uppercase()
        )),
        "{html}"
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM message_mentions").await?,
        before + 1
    );
    // The thread page highlights it too.
    let page = app.browser().page(&format!("/threads/{thread}")).await?.1;
    ensure!(
        page.contains("class=\"mention\""),
        "page highlights the mention"
    );

    // Editing the mention away removes it; editing it back records it again.
    let id = id_of(&posted);
    let edited = expect(
        carol
            .put(
                &format!("/api/v1/messages/{id}"),
                &json!({"body": "No mention now"}),
            )
            .await?,
        200,
        "editing",
    )
    .await?;
    assert_eq!(edited["message"]["mentions"], json!([]));
    assert_eq!(
        count(&app, "SELECT count(*) FROM message_mentions").await?,
        before
    );

    // In a thread narrowed to Carol's organisation, a person of another organisation cannot be
    // mentioned (they may not read it); a colleague can.
    let narrow = start(&carol, &safe_routes, &[&own_org], "Narrow mentions").await?;
    let narrow_post = post(
        &carol,
        &narrow,
        &format!("@{} should not see this", other.1),
    )
    .await?;
    assert_eq!(narrow_post["message"]["mentions"], json!([]));
    if let Some((colleague_id, colleague_name, _)) = colleague {
        let ok = post(&carol, &narrow, &format!("@{colleague_name} please check")).await?;
        assert_eq!(
            ok["message"]["mentions"][0]["user_id"],
            colleague_id.as_str()
        );
    }
    Ok(())
}

#[tokio::test]
async fn an_edit_made_while_readers_watch_reaches_them_once_as_an_edit() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = token_api(&app, "carol@riverton.example").await?;
    let safe_routes = collab_id(&carol, "Safe Routes to School").await?;
    let thread = start(&carol, &safe_routes, &[], "Opening message").await?;
    let draft = id_of(&post(&carol, &thread, "Draft text").await?);

    let mut api_reader = stream(&app.api(None), &thread, None).await?;
    let browser = app.signed_in("carol@riverton.example").await?;
    let mut page_reader =
        EventReader::open(browser.get(&format!("/threads/{thread}/live")).await?).await?;
    let edit = carol
        .put(
            &format!("/api/v1/messages/{draft}"),
            &json!({"body": "Final **text**"}),
        )
        .await?;
    ensure!(edit.status() == 200, "editing: {}", edit.status());

    // The API stream: an `edit` event without an id (the reader's place does not move).
    let (name, id, data) = api_reader.next().await?.context("stream ended")?;
    assert_eq!((name.as_str(), id.as_str()), ("edit", ""));
    let data: Value = serde_json::from_str(&data)?;
    assert_eq!(data["message"]["id"], draft.as_str());
    assert_eq!(data["message"]["version"], 2);
    assert_eq!(data["body_html"], "<p>Final <strong>text</strong></p>\n");
    // The page stream: the message rendered again, announced as edited.
    let (name, _, data) = page_reader.next().await?.context("page stream ended")?;
    assert_eq!(name, "edit");
    let data: Value = serde_json::from_str(&data)?;
    let html = data["html"].as_str().context("html")?;
    ensure!(html.contains(&format!("id=\"m-{draft}\"")), "{html}");
    ensure!(html.contains("<strong>text</strong>"), "{html}");
    ensure!(
        data["announce"]
            .as_str()
            .is_some_and(|a| a.contains("edited")),
        "{data}"
    );

    // Sent once: the next event is the next new message, not the edit again.
    let after = id_of(&post(&carol, &thread, "After the edit").await?);
    let (name, id, _) = api_reader.next().await?.context("stream ended")?;
    assert_eq!((name.as_str(), id.as_str()), ("message", after.as_str()));
    ensure!(
        api_reader.quiet_for(Duration::from_millis(300)).await?,
        "no repeats"
    );
    // A reader who arrives after the edit has it on the page already: nothing is sent. (The test
    // clock stands still unless moved; edits at the very instant of subscribing are sent.)
    app.clock.advance(chrono::Duration::seconds(1));
    let mut late = stream(&app.api(None), &thread, None).await?;
    ensure!(
        late.quiet_for(Duration::from_millis(300)).await?,
        "nothing old"
    );
    Ok(())
}
