//! Who is told of what (issue 5, item 6): the producers of notifications, end to end through the
//! API on the engine under test. A mention tells the person mentioned (once, and never in a thread
//! they may not read); a decision tells the people named on the collaboration who may read it; a
//! meeting tells its invitees when they are invited, when its time or place changes and when it
//! is cancelled; an action item tells its owner when it is assigned and on the day it falls due
//! (once, however often the daily job runs). Nobody is told of their own doing. An edit that lets
//! more people read a decision tells them. Each notification is written in its reader's language:
//! their setting, else the language their browser asked for when they signed in.

use crate::support::{collab_id, expect, token_api};
use anyhow::{Context, Result, ensure};
use chrono::Duration;
use concord_app::demo::DEMO_ACCOUNTS;
use concord_testkit::{Api, Browser, TestApp};
use serde_json::{Value, json};

/// Every notification of the caller whose link starts with `link`, newest first.
async fn told(api: &Api, link: &str) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/notifications?limit=100&cursor={c}"),
            None => "/api/v1/notifications?limit=100".to_owned(),
        };
        let page = api.get_json(&path).await?;
        for n in page["items"].as_array().context("items")? {
            if n["link"].as_str().is_some_and(|l| l.starts_with(link)) {
                out.push(n.clone());
            }
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(out),
        }
    }
}

/// Kinds of the notifications told, newest first.
fn kinds(notes: &[Value]) -> Vec<&str> {
    notes.iter().filter_map(|n| n["kind"].as_str()).collect()
}

/// The people of Safe Routes that the tests need, signed in through the API.
struct Cast {
    carol: Api,
    carol_id: String,
    carol_org: String,
    /// Someone named on the collaboration from another organisation than Carol's.
    other: Api,
    other_id: String,
    other_name: String,
    other_email: &'static str,
    collaboration: String,
}

async fn cast(app: &TestApp) -> Result<Cast> {
    let carol = token_api(app, "carol@riverton.example").await?;
    let collaboration = collab_id(&carol, "Safe Routes to School").await?;
    let me = carol.get_json("/api/v1/me").await?;
    let carol_id = me["id"].as_str().context("id")?.to_owned();
    let carol_org = me["organisation_id"].as_str().context("org")?.to_owned();
    let view = carol
        .get_json(&format!("/api/v1/collaborations/{collaboration}"))
        .await?;
    let other = view["people"]
        .as_array()
        .context("people")?
        .iter()
        .find(|p| p["organisation_id"] != carol_org.as_str() && p["user_id"] != carol_id.as_str())
        .context("a named person of another organisation")?;
    let other_name = other["display_name"].as_str().context("name")?.to_owned();
    let email = DEMO_ACCOUNTS
        .iter()
        .find(|(_, name, ..)| *name == other_name)
        .context("the other person is a demo account")?
        .0;
    Ok(Cast {
        other: token_api(app, email).await?,
        other_id: other["user_id"].as_str().context("id")?.to_owned(),
        other_name,
        other_email: email,
        carol,
        carol_id,
        carol_org,
        collaboration,
    })
}

async fn start_thread(api: &Api, collab: &str, audience: &[&str]) -> Result<String> {
    let view = expect(
        api.post(
            &format!("/api/v1/collaborations/{collab}/threads"),
            &json!({"title": "Who is told", "audience": audience, "body": "Opening the thread."}),
        )
        .await?,
        201,
        "starting a thread",
    )
    .await?;
    Ok(view["thread"]["id"].as_str().context("id")?.to_owned())
}

async fn post(api: &Api, thread: &str, body: &str) -> Result<String> {
    let view = expect(
        api.post(
            &format!("/api/v1/threads/{thread}/messages"),
            &json!({"body": body}),
        )
        .await?,
        201,
        "posting",
    )
    .await?;
    Ok(view["message"]["id"].as_str().context("id")?.to_owned())
}

#[tokio::test]
async fn mentions_and_decisions_tell_exactly_the_people_who_may_read_them() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let c = cast(&app).await?;

    // A mention tells the person mentioned, with a link to the message and its text.
    let thread = start_thread(&c.carol, &c.collaboration, &[]).await?;
    let message = post(
        &c.carol,
        &thread,
        &format!("@{} could you   check the crossing list?", c.other_name),
    )
    .await?;
    let notes = told(&c.other, &format!("/threads/{thread}")).await?;
    assert_eq!(kinds(&notes), ["mention"], "{notes:?}");
    assert_eq!(notes[0]["link"], format!("/threads/{thread}#m-{message}"));
    assert_eq!(notes[0]["actor_id"], c.carol_id.as_str());
    ensure!(
        notes[0]["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Carol Nguyen mentioned you")),
        "{notes:?}"
    );
    assert_eq!(
        notes[0]["excerpt"],
        format!("@{} could you check the crossing list?", c.other_name)
    );
    assert_eq!(notes[0]["read_at"], Value::Null);
    // Editing the message while the person stays mentioned tells nobody again.
    expect(
        c.carol
            .put(
                &format!("/api/v1/messages/{message}"),
                &json!({"body": format!("@{} could you check the crossing list today?", c.other_name)}),
            )
            .await?,
        200,
        "editing",
    )
    .await?;
    assert_eq!(
        told(&c.other, &format!("/threads/{thread}")).await?.len(),
        1
    );
    // The author is not told of their own mention of themself.
    post(&c.carol, &thread, "@Carol Nguyen note to self").await?;
    assert!(
        told(&c.carol, &format!("/threads/{thread}"))
            .await?
            .is_empty()
    );

    // In a thread narrowed to Carol's organisation the other person cannot be mentioned, so is
    // not told (the notification would leak the thread's title).
    let narrow = start_thread(&c.carol, &c.collaboration, &[&c.carol_org]).await?;
    post(
        &c.carol,
        &narrow,
        &format!("@{} must not hear of this", c.other_name),
    )
    .await?;
    assert!(
        told(&c.other, &format!("/threads/{narrow}"))
            .await?
            .is_empty()
    );

    // A decision for Carol's organisation only is not told to the other person; one for the
    // members is, as `decision`; Carol hears of neither (she recorded them).
    let decisions = [
        decide(
            &c,
            &app,
            "Keep the budget split internal",
            "organisations",
            &[&c.carol_org],
        )
        .await?,
        decide(&c, &app, "Adopt the crossing list", "members", &[]).await?,
    ];
    assert!(
        told(&c.other, &format!("/decisions/{}", decisions[0]))
            .await?
            .is_empty()
    );
    let notes = told(&c.other, &format!("/decisions/{}", decisions[1])).await?;
    assert_eq!(kinds(&notes), ["decision"]);
    assert_eq!(
        notes[0]["title"],
        "Decision recorded: \u{201c}Adopt the crossing list\u{201d}"
    );
    assert_eq!(notes[0]["excerpt"], "As discussed.");
    for d in &decisions {
        assert!(told(&c.carol, &format!("/decisions/{d}")).await?.is_empty());
    }
    Ok(())
}

#[tokio::test]
async fn meetings_tell_their_invitees_and_action_items_their_owners() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let c = cast(&app).await?;
    let now = app.server.app.now();
    let local = |days: i64, hour: u32| {
        format!(
            "{}T{hour:02}:00",
            (now + Duration::days(days)).format("%Y-%m-%d")
        )
    };
    let meeting_input = |title: &str, day: i64, place: &str| {
        json!({"title": title, "starts_at": local(day, 10), "ends_at": local(day, 11),
               "time_zone": "UTC", "place": place})
    };

    let meeting = expect(
        c.carol
            .post(
                &format!("/api/v1/collaborations/{}/meetings", c.collaboration),
                &meeting_input("Crossing review", 7, "Room 2"),
            )
            .await?,
        201,
        "scheduling",
    )
    .await?;
    let meeting = meeting["meeting"]["id"].as_str().context("id")?.to_owned();
    let link = format!("/meetings/{meeting}");
    assert!(told(&c.other, &link).await?.is_empty(), "not invited yet");

    expect(
        c.carol
            .post(
                &format!("/api/v1/meetings/{meeting}/attendees"),
                &json!({"user_id": c.other_id}),
            )
            .await?,
        200,
        "inviting",
    )
    .await?;
    let notes = told(&c.other, &link).await?;
    assert_eq!(kinds(&notes), ["meeting"]);
    assert_eq!(
        notes[0]["title"],
        "You are invited to a meeting: \u{201c}Crossing review\u{201d}"
    );
    assert_eq!(
        notes[0]["excerpt"],
        format!(
            "{} 10:00\u{2013}11:00 (UTC), Room 2",
            local(7, 10).replace("T10:00", "")
        )
    );

    // A new title alone is not news; a new time is, and so is the cancellation.
    let update = |input: Value| {
        let api = &c.carol;
        let path = format!("/api/v1/meetings/{meeting}");
        async move { expect(api.put(&path, &input).await?, 200, "changing").await }
    };
    app.server.clock.advance(Duration::minutes(1));
    update(meeting_input("Crossing review (v2)", 7, "Room 2")).await?;
    assert_eq!(told(&c.other, &link).await?.len(), 1);
    app.server.clock.advance(Duration::minutes(1));
    update(meeting_input("Crossing review (v2)", 8, "Room 2")).await?;
    app.server.clock.advance(Duration::minutes(1));
    expect(
        c.carol
            .post(&format!("/api/v1/meetings/{meeting}/cancel"), &json!({}))
            .await?,
        200,
        "cancelling",
    )
    .await?;
    let notes = told(&c.other, &link).await?;
    let titles: Vec<_> = notes.iter().filter_map(|n| n["title"].as_str()).collect();
    assert_eq!(
        titles,
        [
            "Meeting cancelled: \u{201c}Crossing review (v2)\u{201d}",
            "Meeting changed: \u{201c}Crossing review (v2)\u{201d}",
            "You are invited to a meeting: \u{201c}Crossing review\u{201d}",
        ]
    );
    assert!(
        told(&c.carol, &link).await?.is_empty(),
        "the organiser did it all"
    );

    // An action item due today tells its owner at once (assigned) and, through the daily job,
    // that it is due: once, however often the job runs.
    let today = now.date_naive();
    let item = expect(
        c.carol
            .post(
                &format!("/api/v1/collaborations/{}/action-items", c.collaboration),
                &json!({"title": "Send the crossing list", "owner_id": c.other_id,
                        "due_on": today.to_string()}),
            )
            .await?,
        201,
        "creating an action item",
    )
    .await?;
    let item = item["item"]["id"].as_str().context("id")?.to_owned();
    let link = format!(
        "/collaborations/{}/action-items#item-{item}",
        c.collaboration
    );
    assert_eq!(
        kinds(&told(&c.other, &link).await?),
        ["action_item_assigned"]
    );
    app.server.clock.advance(Duration::minutes(1));
    let due = concord_app::action_items::notify_due(&app.server.app, today)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    ensure!(due >= 1, "today's item is due");
    let again = concord_app::action_items::notify_due(&app.server.app, today)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(again, 0, "the day's reminders are sent once");
    assert_eq!(
        kinds(&told(&c.other, &link).await?),
        ["action_item_due", "action_item_assigned"]
    );
    // Handing the item back to Carol, by Carol, tells nobody.
    expect(
        c.carol
            .put(
                &format!("/api/v1/action-items/{item}"),
                &json!({"title": "Send the crossing list", "owner_id": c.carol_id,
                        "due_on": today.to_string()}),
            )
            .await?,
        200,
        "reassigning",
    )
    .await?;
    assert!(told(&c.carol, &link).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn notifications_are_written_in_each_recipients_language() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let c = cast(&app).await?;
    choose_language(&app, c.other_email, "fr").await?;

    let thread = start_thread(&c.carol, &c.collaboration, &[]).await?;
    post(&c.carol, &thread, &format!("@{} merci !", c.other_name)).await?;
    let notes = told(&c.other, &format!("/threads/{thread}")).await?;
    assert_eq!(
        notes[0]["title"],
        "Carol Nguyen vous a mentionné·e dans « Who is told »"
    );
    let id = decide(&c, &app, "Adopt the crossing list", "members", &[]).await?;
    let notes = told(&c.other, &format!("/decisions/{id}")).await?;
    assert_eq!(
        notes[0]["title"],
        "Décision enregistrée : « Adopt the crossing list »"
    );
    // The same decision reaches an English reader in English.
    let english = if c.other_email == "hannah@health.example" {
        "bob@transport.example"
    } else {
        "hannah@health.example"
    };
    let english = token_api(&app, english).await?;
    let notes = told(&english, &format!("/decisions/{id}")).await?;
    assert_eq!(
        notes[0]["title"],
        "Decision recorded: \u{201c}Adopt the crossing list\u{201d}"
    );
    Ok(())
}

/// Sets the language of the demo account `email` in its settings.
async fn choose_language(app: &TestApp, email: &str, locale: &str) -> Result<()> {
    let core = &app.server.app;
    let person = concord_app::accounts::actor_for_email(core, email)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let preferences = concord_app::accounts::PreferencesInput {
        locale: Some(locale.into()),
        time_zone: "Europe/Paris".into(),
    };
    concord_app::accounts::set_preferences(core, &person, &preferences, |_| true)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))
}

/// Records a decision as Carol, for `visibility` (and `audience` with `organisations`).
async fn decide(
    c: &Cast,
    app: &TestApp,
    title: &str,
    visibility: &str,
    audience: &[&str],
) -> Result<String> {
    let today = app.server.app.now().date_naive().to_string();
    let view = expect(
        c.carol
            .post(
                &format!("/api/v1/collaborations/{}/decisions", c.collaboration),
                &json!({"title": title, "decided": "As   discussed.", "decided_by": [c.carol_id],
                        "decided_on": today, "visibility": visibility, "audience": audience}),
            )
            .await?,
        201,
        "recording a decision",
    )
    .await?;
    Ok(view["decision"]["id"].as_str().context("id")?.to_owned())
}

#[tokio::test]
async fn widening_a_decision_tells_those_who_may_now_read_it() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let c = cast(&app).await?;
    let title = "Keep the budget split internal";
    let id = decide(&c, &app, title, "organisations", &[&c.carol_org]).await?;
    let link = format!("/decisions/{id}");
    assert!(told(&c.other, &link).await?.is_empty());

    let today = app.server.app.now().date_naive().to_string();
    let edit = |decided: &str, visibility: &str, audience: Vec<String>| {
        json!({"title": title, "decided": decided, "decided_by": [c.carol_id],
               "decided_on": today, "visibility": visibility, "audience": audience})
    };
    let path = format!("/api/v1/decisions/{id}");
    // A change of wording that leaves the readers as they were tells nobody.
    let body = edit(
        "As discussed, internally.",
        "organisations",
        vec![c.carol_org.clone()],
    );
    expect(c.carol.put(&path, &body).await?, 200, "rewording").await?;
    assert!(told(&c.other, &link).await?.is_empty());

    // Opening it to every member tells the other person, once, as a decision.
    let body = edit("As discussed, for everyone.", "members", vec![]);
    expect(c.carol.put(&path, &body).await?, 200, "widening").await?;
    let notes = told(&c.other, &link).await?;
    assert_eq!(kinds(&notes), ["decision"]);
    assert_eq!(
        notes[0]["title"],
        "Decision recorded: \u{201c}Keep the budget split internal\u{201d}"
    );
    assert_eq!(notes[0]["excerpt"], "As discussed, for everyone.");

    // Publishing it widens nothing for the people named: they could already read it.
    let body = edit("As discussed, for everyone.", "public", vec![]);
    expect(c.carol.put(&path, &body).await?, 200, "publishing").await?;
    assert_eq!(told(&c.other, &link).await?.len(), 1);
    assert!(told(&c.carol, &link).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn without_a_language_setting_notifications_follow_the_browser_at_sign_in() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let c = cast(&app).await?;
    // The other person has chosen no language; their browser asks for French first.
    let browser = Browser::speaking(&app.server.base_url, Some("fr-CA,fr;q=0.9,en;q=0.5"));
    browser
        .sign_in(c.other_email, concord_app::demo::DEMO_PASSWORD)
        .await?;
    let id = decide(&c, &app, "Adopt the crossing list", "members", &[]).await?;
    let notes = told(&c.other, &format!("/decisions/{id}")).await?;
    assert_eq!(
        notes[0]["title"],
        "Décision enregistrée : « Adopt the crossing list »"
    );
    // So are their emails: a mention (emailed at once) greets them in French.
    let thread = start_thread(&c.carol, &c.collaboration, &[]).await?;
    post(&c.carol, &thread, &format!("@{} merci !", c.other_name)).await?;
    let core = &app.server.app;
    let now = core.now();
    let mut greetings = Vec::new();
    let mut h = core.db.read().await?;
    let lease = now + Duration::minutes(5);
    for id in concord_store::notifications::claim_due(&mut h, now, lease, 1000).await? {
        if let Some(email) = concord_store::notifications::outbox_email(&mut h, id).await?
            && email.to_address == c.other_email
            && email.notifications.iter().any(|n| n.link.contains(&thread))
        {
            let (_, body) = concord_app::outbox::render(&email, "https://concord.example")
                .map_err(anyhow::Error::msg)?;
            greetings.extend(body.lines().next().map(str::to_owned));
        }
    }
    drop(h);
    assert_eq!(greetings, [format!("Bonjour {},", c.other_name)]);

    // A language chosen in the settings wins over the browser's.
    choose_language(&app, c.other_email, "en").await?;
    let id = decide(&c, &app, "Paint the crossings", "members", &[]).await?;
    let notes = told(&c.other, &format!("/decisions/{id}")).await?;
    assert_eq!(
        notes[0]["title"],
        "Decision recorded: \u{201c}Paint the crossings\u{201d}"
    );
    Ok(())
}
