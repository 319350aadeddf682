//! Demo data: four organisations, six accounts and three collaborations with a believable history,
//! including key results with months of measurements (dated back from the real today).
//! Everything is made through the same services as real use, so the audit chain covers it; a
//! stepping clock spreads the history over the past three months.
//!
//! Each collaboration also has a stakeholder register with engagements over those months: on
//! purpose one key stakeholder per collaboration has never been engaged (the early-involvement
//! flag), a few relationships are overdue, Alice has an overdue follow-up, and one objective's
//! RACI row lacks its Accountable.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use concord_domain::collaboration::CollaborationInput;
use concord_domain::key_result::{KeyResultInput, MeasurementInput};
use concord_domain::organisation::OrganisationInput;
use concord_domain::policy::Actor;
use concord_domain::stakeholder::{
    EngagementInput, IntOrText, RaciInput, RaciParty, StakeholderInput,
};
use concord_domain::user::AccountInput;
use concord_domain::{
    CollaborationId, DecisionId, EngagementId, KeyResultId, MeetingId, ObjectiveId, OrganisationId,
    StakeholderId, ThreadId, UserId,
};

use crate::collaborations::{self, InviteInput, PersonInput};
use crate::{App, AppError, Clock, accounts, organisations, stakeholders, webhooks};
use crate::{action_items, decisions, key_results, objectives, threads};
use concord_domain::WebhookId;
use concord_domain::decision::{ActionItemInput, ActionItemStatusInput, DecisionInput};
use concord_domain::objective::ObjectiveInput;
use concord_domain::thread::{MessageInput, ThreadInput};
use concord_domain::webhook::EndpointInput;

pub const DEMO_PASSWORD: &str = "concord-demo";

/// (email, display name, organisation index, org admin?, platform admin?)
pub const DEMO_ACCOUNTS: &[(&str, &str, usize, bool, bool)] = &[
    (
        "admin@concord.example",
        "Platform Administrator",
        1,
        false,
        true,
    ),
    ("alice@health.example", "Alice Martin", 0, true, false),
    ("hannah@health.example", "Hannah Okafor", 0, false, false),
    ("bob@transport.example", "Bob Lindqvist", 1, true, false),
    ("carol@riverton.example", "Carol Nguyen", 2, true, false),
    ("dave@trust.example", "Dave Castillo", 3, true, false),
];

/// A clock that starts in the past and is moved forward step by step.
#[derive(Debug)]
struct SteppingClock {
    base: DateTime<Utc>,
    offset_minutes: AtomicI64,
}

impl SteppingClock {
    fn advance(&self, minutes: i64) {
        self.offset_minutes.fetch_add(minutes, Ordering::SeqCst);
    }
}

impl Clock for SteppingClock {
    fn now(&self) -> DateTime<Utc> {
        self.base + Duration::minutes(self.offset_minutes.load(Ordering::SeqCst))
    }
}

#[derive(Debug)]
pub enum DemoOutcome {
    Loaded,
    /// The database already holds organisations; nothing was changed.
    SkippedNotEmpty,
}

fn collaboration(
    title: &str,
    summary: &str,
    problem: &str,
    areas: &[&str],
    geography: &str,
    dates: (&str, &str),
    visibility: &str,
) -> CollaborationInput {
    CollaborationInput {
        title: title.into(),
        summary: summary.into(),
        problem_statement: Some(problem.into()),
        policy_areas: areas.iter().map(|a| (*a).to_owned()).collect(),
        geography: Some(geography.into()),
        start_date: Some(dates.0.into()),
        end_date: Some(dates.1.into()),
        status: Some("proposed".into()),
        visibility: visibility.into(),
    }
}

/// Loads the demo into an empty database.
pub async fn load(app: &App) -> Result<DemoOutcome, AppError> {
    let mut h = app.db.read().await?;
    if !concord_store::organisations::list(&mut h, None, 1)
        .await?
        .is_empty()
    {
        return Ok(DemoOutcome::SkippedNotEmpty);
    }
    drop(h);
    // Measurement dates count back from the real today, however far the stepping clock has come.
    let real_now = app.now();
    let today = real_now.date_naive();
    let clock = Arc::new(SteppingClock {
        base: app.now() - Duration::days(92),
        offset_minutes: AtomicI64::new(0),
    });
    let app = App {
        clock: clock.clone(),
        ..app.clone()
    };

    let org_specs = [
        (
            "Ministry of Health",
            "ministry",
            "National ministry responsible for public health, hospitals and health promotion.",
            "https://health.example",
        ),
        (
            "National Transport Agency",
            "agency",
            "Executive agency that plans, funds and regulates road, rail and active travel.",
            "https://transport.example",
        ),
        (
            "City of Riverton",
            "municipality",
            "Municipal government of Riverton, a riverside city of 180,000 residents.",
            "https://riverton.example",
        ),
        (
            "Riverton Community Trust",
            "ngo",
            "Local charity that connects residents, volunteers and community groups across Riverton.",
            "https://trust.example",
        ),
    ];
    // The first platform admin is made by the operator path; everything after goes through the policy.
    let (admin_email, admin_name, admin_org, _, _) = DEMO_ACCOUNTS[0];
    let (org_name, org_kind, _, _) = org_specs[admin_org];
    accounts::operator_create(
        &app,
        &accounts::OperatorAccount {
            email: admin_email.into(),
            display_name: admin_name.into(),
            password: DEMO_PASSWORD.into(),
            organisation_name: org_name.into(),
            organisation_kind: Some(org_kind.into()),
            org_admin: false,
            platform_admin: true,
        },
    )
    .await?;
    let admin = accounts::actor_for_email(&app, admin_email).await?;
    let mut org_ids: Vec<OrganisationId> = Vec::new();
    for (name, kind, description, website) in org_specs {
        clock.advance(7);
        let input = OrganisationInput {
            name: name.into(),
            kind: kind.into(),
            parent_id: None,
            description: Some(description.into()),
            website: Some(website.into()),
        };
        let existing = organisations::all(&app, &admin)
            .await?
            .into_iter()
            .find(|o| o.name == name);
        let id = match existing {
            Some(org) => {
                organisations::update(&app, &admin, org.id, &input)
                    .await?
                    .id
            }
            None => organisations::create(&app, &admin, &input).await?.id,
        };
        org_ids.push(id);
    }
    for (email, name, org, org_admin, platform_admin) in &DEMO_ACCOUNTS[1..] {
        clock.advance(13);
        let input = AccountInput {
            email: (*email).into(),
            display_name: (*name).into(),
            password: DEMO_PASSWORD.into(),
            organisation_id: org_ids[*org].to_string(),
            org_role: Some(if *org_admin { "org_admin" } else { "member" }.into()),
            platform_admin: *platform_admin,
        };
        accounts::create(&app, &admin, &input).await?;
    }
    let actor = |email: &'static str| {
        let app = app.clone();
        async move { accounts::actor_for_email(&app, email).await }
    };
    let alice = actor("alice@health.example").await?;
    let bob = actor("bob@transport.example").await?;
    let carol = actor("carol@riverton.example").await?;
    let dave = actor("dave@trust.example").await?;
    let hannah = actor("hannah@health.example").await?;
    let hannah_id = hannah.user_id().ok_or(AppError::NotFound)?;
    let bob_id = bob.user_id().ok_or(AppError::NotFound)?;
    let dave_id = dave.user_id().ok_or(AppError::NotFound)?;
    let [health, transport, city, trust] = [org_ids[0], org_ids[1], org_ids[2], org_ids[3]];

    // Safe Routes to School: public, active; lead City; partners Transport and Health; observer Trust.
    clock.advance(60 * 24 * 3);
    let safe_routes_input = collaboration(
        "Safe Routes to School",
        "Make walking and cycling to Riverton's 42 primary schools safe, so that more children travel actively and fewer cars crowd the school gates.",
        "Only 31% of Riverton's primary pupils walk or cycle to school, down from 52% a decade ago. Parents cite traffic speed and missing crossings. Car trips at school run account for a fifth of morning peak traffic near schools, and child pedestrian injuries near schools have risen for three years. Responsibilities are split: the City owns local streets, the Transport Agency funds active-travel schemes, and the Ministry of Health runs the child-activity programme.",
        &["04", "07", "09"],
        "City of Riverton, all 42 primary school catchments",
        ("2026-09-01", "2027-07-31"),
        "public",
    );
    let safe_routes = collaborations::create(&app, &carol, &safe_routes_input)
        .await?
        .collaboration
        .id;
    invite_and_accept(
        &app,
        &clock,
        &carol,
        safe_routes,
        &[
            (transport, "partner", &bob),
            (health, "partner", &alice),
            (trust, "observer", &dave),
        ],
    )
    .await?;
    clock.advance(60 * 5);
    collaborations::add_person(
        &app,
        &carol,
        safe_routes,
        &PersonInput {
            user_id: bob_id.to_string(),
            role: "contributor".into(),
        },
    )
    .await?;
    collaborations::add_person(
        &app,
        &carol,
        safe_routes,
        &PersonInput {
            user_id: hannah_id.to_string(),
            role: "contributor".into(),
        },
    )
    .await?;
    clock.advance(60 * 24 * 2);
    let active = CollaborationInput {
        status: Some("active".into()),
        ..safe_routes_input
    };
    collaborations::update(&app, &carol, safe_routes, &active).await?;
    clock.advance(60 * 24);
    let hannah_id_text = hannah_id.to_string();
    let bob_id_text = bob_id.to_string();
    let mut safe_routes_objectives = Vec::new();
    for (title, description, owner, organisation, due) in [
        (
            "Safe crossings at every primary school",
            "A signalled or zebra crossing, with 20 mph limits, on the main walking route to each of the 42 schools.",
            &bob_id_text,
            transport,
            "2027-06-30",
        ),
        (
            "Half of pupils walk, cycle or scoot to school",
            "Raise active travel to school from 31% to 50%, measured by the termly hands-up survey.",
            &hannah_id_text,
            health,
            "2027-07-31",
        ),
    ] {
        let input = ObjectiveInput {
            title: title.into(),
            description: Some(description.into()),
            owner_id: Some(owner.clone()),
            organisation_id: Some(organisation.to_string()),
            due_date: Some(due.into()),
            status: Some("active".into()),
            drop_reason: None,
        };
        let objective = objectives::create(&app, &carol, safe_routes, &input).await?;
        safe_routes_objectives.push(objective.objective.id);
    }
    clock.advance(60 * 4);
    let measured = safe_routes_key_results(
        &app,
        today,
        &safe_routes_objectives,
        [(&bob, &bob_id_text), (&hannah, &hannah_id_text)],
    )
    .await?;
    let cast = Cast {
        alice: alice.clone(),
        bob: bob.clone(),
        carol: carol.clone(),
        dave: dave.clone(),
        hannah: hannah.clone(),
    };
    clock.advance(60 * 20);
    let mut engagements = safe_routes_stakeholders(
        &app,
        &clock,
        today,
        &cast,
        safe_routes,
        &safe_routes_objectives,
    )
    .await?;

    // Winter Resilience Plan: partners only; lead City, partner Trust.
    clock.advance(60 * 24 * 9);
    let winter_input = collaboration(
        "Winter Resilience Plan",
        "Prepare Riverton's response to cold snaps and floods: warm spaces, checks on isolated residents and clear roles when the river rises.",
        "Last winter's four-day freeze left 600 households without heating and overwhelmed the City's helpline. Volunteers from the Community Trust reached isolated residents first, but without shared lists or agreed roles visits were duplicated in some streets and missed in others.",
        &["03", "06", "10"],
        "Riverton and the lower Riverton valley",
        ("2026-10-01", "2027-03-31"),
        "partners",
    );
    let winter = collaborations::create(&app, &carol, &winter_input)
        .await?
        .collaboration
        .id;
    invite_and_accept(&app, &clock, &carol, winter, &[(trust, "partner", &dave)]).await?;
    collaborations::add_person(
        &app,
        &carol,
        winter,
        &PersonInput {
            user_id: dave_id.to_string(),
            role: "coordinator".into(),
        },
    )
    .await?;
    clock.advance(60 * 24);
    let winter_active = CollaborationInput {
        status: Some("active".into()),
        ..winter_input
    };
    collaborations::update(&app, &dave, winter, &winter_active).await?;
    let warm_spaces = ObjectiveInput {
        title: "A warm space within 15 minutes' walk of every home".into(),
        description: Some("Libraries, community centres and churches open as warm spaces whenever a cold-weather alert is issued.".into()),
        owner_id: Some(dave_id.to_string()),
        organisation_id: Some(trust.to_string()),
        due_date: Some("2026-12-15".into()),
        status: Some("active".into()),
        drop_reason: None,
    };
    let warm_spaces = objectives::create(&app, &dave, winter, &warm_spaces)
        .await?
        .objective
        .id;
    clock.advance(60 * 6);
    engagements.extend(
        winter_stakeholders(&app, &clock, today, &cast, winter, transport, warm_spaces).await?,
    );

    // Hospital Transfer Logistics: confidential; lead Health, partner Transport; alice and bob only.
    clock.advance(60 * 24 * 6);
    let transfer_input = collaboration(
        "Hospital Transfer Logistics",
        "Coordinate non-emergency patient transfers between the region's hospitals with the national patient-transport contract.",
        "Inter-hospital transfers wait on average 5.5 hours for transport, blocking beds in emergency departments. Transfer requests, ambulance contracts and road planning sit with different bodies. Contract and patient-flow data are commercially and medically sensitive, so the work is confidential until the new contract is awarded.",
        &["04", "07"],
        "Northern health region",
        ("2026-11-01", "2027-10-31"),
        "confidential",
    );
    let transfers = collaborations::create(&app, &alice, &transfer_input)
        .await?
        .collaboration
        .id;
    invite_and_accept(
        &app,
        &clock,
        &alice,
        transfers,
        &[(transport, "partner", &bob)],
    )
    .await?;
    collaborations::add_person(
        &app,
        &alice,
        transfers,
        &PersonInput {
            user_id: bob_id.to_string(),
            role: "contributor".into(),
        },
    )
    .await?;
    clock.advance(60 * 24 * 2);
    let transfer_active = CollaborationInput {
        status: Some("active".into()),
        ..transfer_input
    };
    collaborations::update(&app, &alice, transfers, &transfer_active).await?;
    clock.advance(60 * 3);
    engagements.extend(transfer_stakeholders(&app, &clock, today, &cast, transfers, city).await?);
    let hook = webhooks_demo_start(&app, &carol, safe_routes).await?;
    let discussions = demo_threads(&cast, [safe_routes, winter, transfers]);
    record_history(&app, &clock, real_now, measured, engagements, discussions).await?;
    let past_meetings = demo_meetings(
        &app,
        real_now,
        &[
            DemoMeetings {
                collaboration: safe_routes,
                organiser: &carol,
                attendees: &[&bob, &alice, &dave],
                titles: [
                    "Safe Routes steering group",
                    "School crossings working session",
                    "Safe Routes steering group: mid-term",
                    "Safe Routes steering group: budget",
                ],
                agenda: [
                    ("Progress on the key results", 20),
                    ("Crossing patrol pilot at five schools", 30),
                    ("Parent survey: first results", 15),
                ],
                minutes: [
                    "Walking share up **2 points** since September. The City will publish the dashboard monthly.",
                    "Pilot runs at five schools; two volunteers short at *Hill Street*. The Trust will recruit.",
                    "Response rate 38%. Traffic speed remains the first concern (61%).",
                ],
            },
            DemoMeetings {
                collaboration: winter,
                organiser: &carol,
                attendees: &[&dave],
                titles: [
                    "Warm spaces coordination",
                    "Warm spaces: volunteer rota",
                    "Warm spaces: cold-snap review",
                    "Warm spaces: January planning",
                ],
                agenda: [
                    ("Opening hours and footfall", 15),
                    ("Volunteer rota for the holidays", 25),
                    ("Energy costs of the venues", 20),
                ],
                minutes: [
                    "Footfall averages 40 a day across 12 venues; libraries busiest after 15:00.",
                    "Rota covers all but 27–29 December. Dave to ask the faith groups.",
                    "Venue costs within budget; heating grants paid for November.",
                ],
            },
            DemoMeetings {
                collaboration: transfers,
                organiser: &alice,
                attendees: &[&bob],
                titles: [
                    "Transfer logistics kick-off",
                    "Transfer requests: data review",
                    "Contract options workshop",
                    "Transfer logistics: tender evaluation",
                ],
                agenda: [
                    ("Waiting times by hospital", 20),
                    ("Ambulance contract options", 40),
                    ("Data sharing agreement", 15),
                ],
                minutes: [
                    "Median wait 5.5 h; the Northern General accounts for half of the delays.",
                    "Two options kept: a regional pool or extended hours under the national contract.",
                    "Legal review done; signature expected before the tender closes.",
                ],
            },
        ],
    )
    .await?;
    demo_decisions(
        &app,
        today,
        &cast,
        [safe_routes, winter, transfers],
        city,
        &past_meetings,
    )
    .await?;
    notification_habits(&app, &bob, &hannah).await?;
    webhooks_demo_finish(&app, &carol, hook).await?;
    Ok(DemoOutcome::Loaded)
}

/// Safe Routes to School posts its progress to the City's team chat: an endpoint registered
/// before the three months of history, so those events queue real deliveries as they commit.
/// (Registered without the DNS check: demo host names do not resolve.)
async fn webhooks_demo_start(
    app: &App,
    carol: &Actor,
    safe_routes: CollaborationId,
) -> Result<WebhookId, AppError> {
    let fields = EndpointInput {
        url: "https://chat.riverton.example/hooks/safe-routes".into(),
        description: "City of Riverton team chat, #safe-routes channel".into(),
        event_kinds: [
            "objective",
            "key_result",
            "measurement",
            "engagement",
            "thread",
            "message",
        ]
        .iter()
        .map(|k| (*k).to_owned())
        .collect(),
        active: true,
    }
    .validate(&[])?;
    Ok(webhooks::register(app, carol, safe_routes, &fields)
        .await?
        .endpoint
        .id)
}

/// The chat answered every delivery (one after a retry); the endpoint is paused now that the
/// City's chat moves servers, so a demo server sends nothing anywhere.
async fn webhooks_demo_finish(app: &App, carol: &Actor, hook: WebhookId) -> Result<(), AppError> {
    webhooks::settle_demo_deliveries(app, hook).await?;
    let endpoint = webhooks::get(app, carol, hook).await?;
    let paused = EndpointInput {
        url: endpoint.url,
        description: "City of Riverton team chat (paused while the chat server moves)".into(),
        event_kinds: endpoint.event_kinds,
        active: false,
    }
    .validate(&[])?;
    webhooks::update_fields(app, carol, hook, &paused).await?;
    Ok(())
}

/// One demo measurement, recorded once the stepping clock has reached its date.
struct DemoMeasurement {
    key_result: KeyResultId,
    date: NaiveDate,
    value: &'static str,
    source: &'static str,
    by: Actor,
}

/// What happens to the key results after they are made: their measurements in date order, and
/// the day the crossings target is raised.
struct Measured {
    measurements: Vec<DemoMeasurement>,
    /// The crossings key result, whose target is raised on `raise_on`.
    crossings: (KeyResultId, KeyResultInput, Actor),
    raise_on: NaiveDate,
}

fn months_before(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(months)).unwrap_or(day)
}

fn months_after(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_add_months(Months::new(months)).unwrap_or(day)
}

/// Key results on Safe Routes' two objectives, with dates counted from `today`, so that the
/// statuses read the same whenever the demo is loaded: the crossings on track, the traffic speed
/// at risk and overdue, the share of pupils walking at risk, cycle parking within its range, and
/// one key result still missing its target, owner and cadence (for the SMART findings).
async fn safe_routes_key_results(
    app: &App,
    today: NaiveDate,
    objective_ids: &[ObjectiveId],
    [(bob, bob_id), (hannah, hannah_id)]: [(&Actor, &String); 2],
) -> Result<Measured, AppError> {
    let [crossings_objective, walking_objective] = [objective_ids[0], objective_ids[1]];
    let date = |d: NaiveDate| Some(d.to_string());
    let mut measurements = Vec::new();

    let crossings_baseline = months_before(today - Duration::days(5), 8);
    let crossings_input = KeyResultInput {
        name: "Schools with a safe crossing".into(),
        unit: "schools".into(),
        direction: "increase".into(),
        baseline_value: "12".into(),
        baseline_date: crossings_baseline.to_string(),
        target_value: Some("42".into()),
        target_high: None,
        target_date: date(months_after(crossings_baseline, 16)),
        cadence: Some("monthly".into()),
        owner_id: Some(bob_id.clone()),
        target_change_reason: None,
    };
    let crossings = key_results::create(app, bob, crossings_objective, &crossings_input)
        .await?
        .summary
        .key_result
        .id;
    for (month, value) in ["14", "16", "18", "20", "22", "24", "27", "29"]
        .into_iter()
        .enumerate()
    {
        measurements.push(DemoMeasurement {
            key_result: crossings,
            date: months_after(crossings_baseline, month as u32 + 1),
            value,
            source: "City highways crossing audit",
            by: bob.clone(),
        });
    }

    let speed_baseline = today - Duration::days(130);
    let speed = key_results::create(
        app,
        bob,
        crossings_objective,
        &KeyResultInput {
            name: "Average traffic speed outside school gates".into(),
            unit: "mph".into(),
            direction: "decrease".into(),
            baseline_value: "27".into(),
            baseline_date: speed_baseline.to_string(),
            target_value: Some("20".into()),
            target_high: None,
            target_date: date(months_after(speed_baseline, 12)),
            cadence: Some("monthly".into()),
            owner_id: Some(bob_id.clone()),
            target_change_reason: None,
        },
    )
    .await?
    .summary
    .key_result
    .id;
    for (days_ago, value) in [(100, "26.4"), (70, "26"), (38, "25.4")] {
        measurements.push(DemoMeasurement {
            key_result: speed,
            date: today - Duration::days(days_ago),
            value,
            source: "Speed sensors at 12 school gates, 8–9 am average",
            by: bob.clone(),
        });
    }

    key_results::create(
        app,
        bob,
        crossings_objective,
        &KeyResultInput {
            name: "Child pedestrians injured near schools".into(),
            unit: "injuries a year".into(),
            direction: "decrease".into(),
            baseline_value: "23".into(),
            baseline_date: months_before(today, 11).to_string(),
            ..Default::default()
        },
    )
    .await?;

    let walking_baseline = months_before(today, 7);
    let walking = key_results::create(
        app,
        hannah,
        walking_objective,
        &KeyResultInput {
            name: "Pupils walking, cycling or scooting to school".into(),
            unit: "%".into(),
            direction: "increase".into(),
            baseline_value: "31".into(),
            baseline_date: walking_baseline.to_string(),
            target_value: Some("50".into()),
            target_high: None,
            target_date: date(months_after(walking_baseline, 18)),
            cadence: Some("quarterly".into()),
            owner_id: Some(hannah_id.clone()),
            target_change_reason: None,
        },
    )
    .await?
    .summary
    .key_result
    .id;
    for (months, value) in [(3, "33"), (6, "35.8")] {
        measurements.push(DemoMeasurement {
            key_result: walking,
            date: months_after(walking_baseline, months),
            value,
            source: "Termly hands-up survey, all 42 schools",
            by: hannah.clone(),
        });
    }

    let parking_baseline = months_before(today, 4);
    let parking = key_results::create(
        app,
        hannah,
        walking_objective,
        &KeyResultInput {
            name: "Cycle parking in use at the ten pilot schools".into(),
            unit: "%".into(),
            direction: "range".into(),
            baseline_value: "38".into(),
            baseline_date: parking_baseline.to_string(),
            target_value: Some("60".into()),
            target_high: Some("85".into()),
            target_date: date(months_after(parking_baseline, 10)),
            cadence: Some("monthly".into()),
            owner_id: Some(hannah_id.clone()),
            target_change_reason: None,
        },
    )
    .await?
    .summary
    .key_result
    .id;
    for (days_ago, value) in [(95, "45"), (66, "52"), (36, "58"), (6, "64")] {
        measurements.push(DemoMeasurement {
            key_result: parking,
            date: today - Duration::days(days_ago),
            value,
            source: "Morning counts by school staff",
            by: hannah.clone(),
        });
    }
    measurements.sort_by_key(|m| m.date);
    Ok(Measured {
        measurements,
        crossings: (crossings, crossings_input, bob.clone()),
        raise_on: today - Duration::days(60),
    })
}

/// One step of the demo's history after the collaborations are set up, on its date.
enum Step {
    Measure(DemoMeasurement),
    /// An engagement, by its index in the list.
    Engage(usize),
    /// Marks that engagement's follow-up done.
    FollowUpDone(usize),
    /// A message of a discussion: (thread index, message index); the first one starts the thread.
    Post(usize, usize),
}

/// Records the demo measurements and engagements in date order, moving the stepping clock to the
/// evening of each date (never past the real now), and raises the crossings target on its day.
async fn record_history(
    app: &App,
    clock: &SteppingClock,
    real_now: DateTime<Utc>,
    measured: Measured,
    engagements: Vec<DemoEngagement>,
    discussions: Vec<DemoThread>,
) -> Result<(), AppError> {
    let advance_to = |day: NaiveDate| {
        let evening = day
            .and_hms_opt(17, 30, 0)
            .map(|t| t.and_utc())
            .unwrap_or(real_now);
        let target = evening.min(real_now - Duration::minutes(30));
        let minutes = (target - clock.now()).num_minutes();
        // Dates the clock has passed are back-filled a few minutes apart.
        clock.advance(minutes.max(3));
    };
    let mut steps: Vec<(NaiveDate, Step)> = measured
        .measurements
        .into_iter()
        .map(|m| (m.date, Step::Measure(m)))
        .collect();
    for (index, e) in engagements.iter().enumerate() {
        steps.push((e.date, Step::Engage(index)));
        if let Some(done_on) = e.done_on {
            steps.push((done_on.max(e.date), Step::FollowUpDone(index)));
        }
    }
    let today = real_now.date_naive();
    for (t, thread) in discussions.iter().enumerate() {
        for (m, (days_ago, _, _)) in thread.messages.iter().enumerate() {
            steps.push((today - Duration::days(*days_ago), Step::Post(t, m)));
        }
    }
    // Stable: on one day, an engagement comes before its follow-up is done, and a thread's
    // messages keep their order.
    steps.sort_by_key(|(date, _)| *date);
    let mut started: Vec<Option<ThreadId>> = vec![None; discussions.len()];
    let (crossings, mut raised, bob) = measured.crossings;
    let mut raise_on = Some(measured.raise_on);
    let mut recorded: Vec<Option<EngagementId>> = vec![None; engagements.len()];
    for (date, step) in steps {
        if let Some(day) = raise_on.filter(|day| *day <= date) {
            advance_to(day);
            raised.target_value = Some("45".into());
            raised.target_change_reason = Some(
                "Three new primary schools open in September, each needing a crossing.".into(),
            );
            key_results::update(app, &bob, crossings, &raised).await?;
            raise_on = None;
        }
        advance_to(date);
        match step {
            Step::Measure(m) => {
                key_results::record_measurement(
                    app,
                    &m.by,
                    m.key_result,
                    &MeasurementInput {
                        value: m.value.into(),
                        date: m.date.to_string(),
                        source: Some(m.source.into()),
                    },
                )
                .await?;
            }
            Step::Engage(index) => {
                let e = &engagements[index];
                let id = stakeholders::record_engagement(app, &e.by, e.collaboration, &e.input)
                    .await?
                    .id;
                recorded[index] = Some(id);
            }
            Step::FollowUpDone(index) => {
                if let Some(id) = recorded[index] {
                    stakeholders::set_follow_up_done(app, &engagements[index].by, id, true).await?;
                }
            }
            Step::Post(t, m) => {
                let thread = &discussions[t];
                let (_, by, body) = &thread.messages[m];
                match started[t] {
                    None => {
                        let input = ThreadInput {
                            title: thread.title.into(),
                            audience: Vec::new(),
                            body: (*body).into(),
                        };
                        let view = threads::start(app, by, thread.collaboration, &input).await?;
                        started[t] = Some(view.thread.id);
                    }
                    Some(id) => {
                        let input = MessageInput {
                            body: (*body).into(),
                        };
                        threads::post(app, by, id, &input).await?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// A demo discussion: its title and messages as (days ago, author, Markdown), oldest first.
struct DemoThread {
    collaboration: CollaborationId,
    title: &'static str,
    messages: Vec<(i64, Actor, &'static str)>,
}

/// Three months of discussion in each collaboration, between the people named on it, with
/// @mentions, lists and a table, so threads, mentions and notifications have something to show.
fn demo_threads(
    cast: &Cast,
    [safe_routes, winter, transfers]: [CollaborationId; 3],
) -> Vec<DemoThread> {
    let (alice, bob, carol, dave, hannah) = (
        &cast.alice,
        &cast.bob,
        &cast.carol,
        &cast.dave,
        &cast.hannah,
    );
    vec![
        DemoThread {
            collaboration: safe_routes,
            title: "Choosing the six pilot schools",
            messages: vec![
                (
                    86,
                    carol.clone(),
                    "We need six pilot schools for the 20 mph zones by the steering group. The injury record ranks these ten highest:\n\n1. Riverside Primary\n2. St Anne's C of E\n3. Northgate Academy\n4. Millbrook Infants\n5. Eastfield Primary\n6. Harbour Lane\n7. Oakwood Juniors\n8. St Joseph's\n9. Kingsway Primary\n10. Greenbank\n\nAny objections to using the injury record alone?",
                ),
                (
                    85,
                    bob.clone(),
                    "The Agency would rank on **traffic speed** too: two of the ten already have average speeds under 20 mph. @Carol Nguyen could we combine both?",
                ),
                (
                    85,
                    hannah.clone(),
                    "Health can add the hands-up survey baseline for each school, so the walking objective is measured in the same schools.",
                ),
                (
                    84,
                    carol.clone(),
                    "Combined ranking it is. @Bob Lindqvist I'll send you the gate list; @Hannah Okafor could you share the baselines by Friday?",
                ),
                (
                    81,
                    hannah.clone(),
                    "Baselines are in the shared folder: 31% walk, cycle or scoot on average, from 18% (Kingsway) to 47% (Harbour Lane).",
                ),
                (
                    80,
                    carol.clone(),
                    "Agreed at the steering group: Riverside, St Anne's, Northgate, Millbrook, Eastfield and Oakwood. The decision is in the register.",
                ),
            ],
        },
        DemoThread {
            collaboration: safe_routes,
            title: "Crossing audit: findings and schedule",
            messages: vec![
                (
                    62,
                    bob.clone(),
                    "The highways audit is done.\n\n| Crossings | Count |\n|---|---|\n| Need work | 23 |\n| Urgent | 9 |\n| Fine | 19 |\n\nFull report on the Agency's portal.",
                ),
                (
                    61,
                    carol.clone(),
                    "Can the nine urgent ones be finished before the spring term?",
                ),
                (
                    60,
                    bob.clone(),
                    "Seven can. The two on Station Road need the water company's works first, so March at the earliest.",
                ),
                (
                    44,
                    hannah.clone(),
                    "Head teachers ask whether the temporary crossing patrols can stay until Station Road is done. @Carol Nguyen is that in the City's budget?",
                ),
                (
                    43,
                    carol.clone(),
                    "Yes, the patrols stay until both crossings are open.",
                ),
                (
                    21,
                    bob.clone(),
                    "Four urgent crossings finished this month; the sensors show 25.4 mph on average at the gates.",
                ),
                (
                    6,
                    carol.clone(),
                    "Thanks @Bob Lindqvist. I'll put the progress on the agenda of next week's meeting.",
                ),
            ],
        },
        DemoThread {
            collaboration: winter,
            title: "Warm spaces: opening rota",
            messages: vec![
                (
                    58,
                    carol.clone(),
                    "Draft rota for the warm spaces: libraries open on alert days 9:00–19:00, community centres 12:00–20:00. Volunteers from the Trust cover the evenings?",
                ),
                (
                    57,
                    dave.clone(),
                    "We can staff evenings at four centres out of six. The other two need City staff or later closing at 18:00.",
                ),
                (
                    52,
                    carol.clone(),
                    "@Dave Castillo we'll close those two at 18:00 this winter and review in February.",
                ),
                (
                    36,
                    dave.clone(),
                    "First amber alert last night: 140 visits across the spaces, busiest at Eastfield library.",
                ),
                (
                    34,
                    carol.clone(),
                    "Great turnout. I've asked facilities for extra seating at Eastfield.",
                ),
                (
                    19,
                    dave.clone(),
                    "Volunteer list and warden list now merged, split by street. One overlap left in Millbrook, sorted tomorrow.",
                ),
            ],
        },
        DemoThread {
            collaboration: transfers,
            title: "Night transfers: what the data says",
            messages: vec![
                (
                    41,
                    alice.clone(),
                    "Two weeks of transfer timings: median wait 5.5 h, but **8.2 h** for requests between 20:00 and 08:00.",
                ),
                (
                    40,
                    bob.clone(),
                    "That matches the ambulance service's view: at night transfers compete with emergency calls. A dedicated crew would take them out of that queue.",
                ),
                (
                    26,
                    alice.clone(),
                    "The hospitals agreed to send anonymised wait times every Monday. @Bob Lindqvist first file next week.",
                ),
                (
                    12,
                    bob.clone(),
                    "Costed the night crew for eight weeks; within the pooled budget if the trial starts in January.",
                ),
                (
                    10,
                    alice.clone(),
                    "Let's trial it. I'll draft the specification.",
                ),
            ],
        },
    ]
}

/// The demo's people, for the stakeholder content.
struct Cast {
    alice: Actor,
    bob: Actor,
    carol: Actor,
    dave: Actor,
    hannah: Actor,
}

fn user_id(actor: &Actor) -> Result<UserId, AppError> {
    actor.user_id().ok_or(AppError::NotFound)
}

fn stakeholder(
    (kind, name): (&str, &str),
    stake: &str,
    (influence, interest): (i64, i64),
    (attitude, frequency): (&str, &str),
    owner: UserId,
) -> StakeholderInput {
    StakeholderInput {
        name: name.into(),
        kind: kind.into(),
        stake: Some(stake.into()),
        influence: Some(IntOrText::Int(influence)),
        interest: Some(IntOrText::Int(interest)),
        attitude: Some(attitude.into()),
        frequency: Some(frequency.into()),
        owner_id: Some(owner.to_string()),
        ..Default::default()
    }
}

/// A person, with contact details (fictional: example.org and the 020 7946 0xxx drama range).
fn person(mut input: StakeholderInput, email: &str, phone: &str) -> StakeholderInput {
    input.email = Some(email.into());
    input.phone = Some(phone.into());
    input
}

/// An organisation of the platform's directory, which lends the stakeholder its name.
fn platform_organisation(
    organisation: OrganisationId,
    stake: &str,
    scores: (i64, i64),
    attitude_and_frequency: (&str, &str),
    owner: UserId,
) -> StakeholderInput {
    StakeholderInput {
        organisation_id: Some(organisation.to_string()),
        ..stakeholder(
            ("platform_organisation", ""),
            stake,
            scores,
            attitude_and_frequency,
            owner,
        )
    }
}

/// Adds stakeholders a few minutes apart, each by the person given.
async fn add_stakeholders<const N: usize>(
    app: &App,
    clock: &SteppingClock,
    collaboration: CollaborationId,
    entries: [(&Actor, StakeholderInput); N],
) -> Result<[StakeholderId; N], AppError> {
    let mut ids = Vec::with_capacity(N);
    for (actor, input) in &entries {
        clock.advance(17);
        let detail = stakeholders::create(app, actor, collaboration, input).await?;
        ids.push(detail.stakeholder.id);
    }
    ids.try_into()
        .map_err(|_| AppError::Internal("demo stakeholders".into()))
}

/// Fills one objective's RACI row.
async fn assign_raci(
    app: &App,
    clock: &SteppingClock,
    actor: &Actor,
    collaboration: CollaborationId,
    objective: ObjectiveId,
    cells: &[(RaciParty, &str)],
) -> Result<(), AppError> {
    for (party, role) in cells {
        clock.advance(2);
        let input = RaciInput {
            objective_id: objective.to_string(),
            party: party.to_string(),
            role: Some((*role).into()),
        };
        stakeholders::set_raci(app, actor, collaboration, &input).await?;
    }
    Ok(())
}

/// An engagement to record once the stepping clock reaches its date.
struct DemoEngagement {
    collaboration: CollaborationId,
    by: Actor,
    date: NaiveDate,
    input: EngagementInput,
    /// The day its follow-up is marked done, if it is.
    done_on: Option<NaiveDate>,
}

fn engagement(
    (collaboration, by): (CollaborationId, &Actor),
    date: NaiveDate,
    (channel, with): (&str, &[StakeholderId]),
    summary: &str,
    outcome: Option<&str>,
) -> DemoEngagement {
    DemoEngagement {
        collaboration,
        by: by.clone(),
        date,
        input: EngagementInput {
            engaged_on: date.to_string(),
            channel: channel.into(),
            summary: summary.into(),
            stakeholder_ids: with.iter().map(ToString::to_string).collect(),
            outcome: outcome.map(Into::into),
            ..Default::default()
        },
        done_on: None,
    }
}

impl DemoEngagement {
    fn follow_up(mut self, text: &str, owner: UserId, due: NaiveDate) -> Self {
        self.input.follow_up = Some(text.into());
        self.input.follow_up_owner_id = Some(owner.to_string());
        self.input.follow_up_due = Some(due.to_string());
        self
    }

    fn done_on(mut self, day: NaiveDate) -> Self {
        self.done_on = Some(day);
        self
    }
}

/// Safe Routes to School: parents, the pilot school's head teacher, the teachers' union (never
/// engaged: flagged), the bus operator, a sceptical cycle campaign (overdue), the police and
/// residents opposed to school streets, and the chamber of commerce to monitor; both objectives
/// have a lawful RACI row.
async fn safe_routes_stakeholders(
    app: &App,
    clock: &SteppingClock,
    today: NaiveDate,
    cast: &Cast,
    id: CollaborationId,
    objectives: &[ObjectiveId],
) -> Result<Vec<DemoEngagement>, AppError> {
    let Cast {
        bob, carol, hannah, ..
    } = cast;
    let (bob_id, carol_id, hannah_id) = (user_id(bob)?, user_id(carol)?, user_id(hannah)?);
    let [parents, head, union, buses, cycling, police, residents, _chamber] = add_stakeholders(
        app,
        clock,
        id,
        [
            (carol, stakeholder(
                ("group", "Riverton Parents' Association"),
                "Parents at the 42 primary schools: they decide whether children walk, and they run the walking buses.",
                (3, 5),
                ("champion", "monthly"),
                carol_id,
            )),
            (hannah, person(
                stakeholder(
                    ("person", "Grace Adeyemi"),
                    "Head teacher of Riverton Primary School, the Mill Road pilot school; runs the school gate, the hands-up survey and letters to parents.",
                    (3, 4),
                    ("supporter", "monthly"),
                    hannah_id,
                ),
                "grace.adeyemi@example.org",
                "+44 20 7946 0312",
            )),
            (carol, stakeholder(
                ("external_organisation", "Riverton Teachers' Union"),
                "Represents the teaching staff asked to supervise school streets and walking buses; can refuse duties outside contracts.",
                (4, 2),
                ("neutral", "quarterly"),
                carol_id,
            )),
            (bob, stakeholder(
                ("external_organisation", "Riverside Buses"),
                "Runs the 11 bus routes that stop near primary schools; crossings and school streets move its stops and timetables.",
                (3, 2),
                ("neutral", "quarterly"),
                bob_id,
            )),
            (bob, stakeholder(
                ("group", "Riverton Cycle Campaign"),
                "Volunteer campaign for safe cycling; argues that crossings alone will not bring cycling to school back without protected lanes.",
                (2, 5),
                ("sceptic", "monthly"),
                bob_id,
            )),
            (bob, stakeholder(
                ("external_organisation", "Riverton Police Road Safety Unit"),
                "Enforces the 20 mph limits and school-gate parking; runs speed checks with pupils.",
                (4, 3),
                ("supporter", "monthly"),
                bob_id,
            )),
            (carol, stakeholder(
                ("group", "Elm Street and Mill Road residents"),
                "Households on the streets proposed for timed closures at drop-off and pick-up; worried about access and displaced parking.",
                (2, 3),
                ("opponent", "quarterly"),
                carol_id,
            )),
            (carol, stakeholder(
                ("external_organisation", "Riverton Chamber of Commerce"),
                "Shops near the school gates; some worry that timed closures will cost them morning trade.",
                (2, 2),
                ("neutral", "as_needed"),
                carol_id,
            )),
        ],
    )
    .await?;
    let s = RaciParty::Stakeholder;
    let u = RaciParty::User;
    if let [crossings, walking, ..] = objectives {
        clock.advance(45);
        assign_raci(
            app,
            clock,
            carol,
            id,
            *crossings,
            &[
                (u(bob_id), "A"),
                (u(carol_id), "R"),
                (s(police), "C"),
                (s(buses), "C"),
                (s(parents), "I"),
                (s(union), "I"),
            ],
        )
        .await?;
        assign_raci(
            app,
            clock,
            carol,
            id,
            *walking,
            &[
                (u(hannah_id), "A"),
                (s(head), "R"),
                (s(parents), "R"),
                (s(cycling), "C"),
                (u(carol_id), "I"),
            ],
        )
        .await?;
    }
    let on = |days_ago: i64| today - Duration::days(days_ago);
    Ok(vec![
        engagement(
            (id, carol),
            on(78),
            ("workshop", &[parents, head]),
            "Kick-off workshop at Riverton Primary with the Parents' Association committee and the head teacher: mapped the routes children walk and marked the crossings parents avoid.",
            Some("Five danger spots agreed, the Mill Road gate first. The school will run the termly hands-up survey for all 42 schools."),
        )
        .follow_up("Send the danger-spot map to the City's highways team", carol_id, on(71))
        .done_on(on(72)),
        engagement(
            (id, bob),
            on(66),
            ("consultation", &[cycling]),
            "Consultation meeting with the Cycle Campaign on the crossings programme.",
            Some("They support the crossings but want protected lanes on Mill Road and Station Road, and doubt that crossings alone will raise cycling to school."),
        ),
        engagement(
            (id, bob),
            on(55),
            ("site_visit", &[police, head]),
            "Joint visit to the Mill Road school gate during the morning run with the road safety unit: speed checks and parking on the zig-zag markings.",
            Some("27 mph average observed against a 20 mph limit; the police agreed four weeks of targeted enforcement."),
        )
        .follow_up("Share the enforcement results with the head teacher and the Parents' Association", bob_id, on(24))
        .done_on(on(26)),
        engagement(
            (id, bob),
            on(47),
            ("meeting", &[buses]),
            "Met Riverside Buses' operations manager about school-time stops next to the planned crossings.",
            Some("Two stops move about 30 m; the operator asks for six weeks' notice before any timed closure."),
        ),
        engagement(
            (id, carol),
            on(33),
            ("consultation", &[parents, residents, cycling]),
            "Public drop-in at Riverton Community Hall on timed 'school street' closures; 64 people came.",
            Some("Parents strongly in favour; Elm Street residents oppose closures at pick-up time and ask for permits."),
        )
        .follow_up("Draft a residents' permit exemption for Elm Street for the next drop-in", carol_id, on(-12)),
        engagement(
            (id, hannah),
            on(11),
            ("meeting", &[parents, head, police]),
            "School-gate safety review with the Parents' Association, the head teacher and the police road safety officer.",
            Some("The hands-up survey shows 35.8% walking, cycling or scooting; parents will run a walk-to-school week in the spring term."),
        )
        .follow_up("Book the walk-to-school week with the child-activity programme", hannah_id, on(-20)),
    ])
}

/// Winter Resilience Plan: the Transport Agency (a platform organisation), care homes, the
/// gritting contractor (never engaged: flagged), churches opening warm spaces and a sceptical
/// flood group, and taxi drivers to monitor; the warm-spaces objective has no Accountable yet (a
/// RACI rule break).
async fn winter_stakeholders(
    app: &App,
    clock: &SteppingClock,
    today: NaiveDate,
    cast: &Cast,
    id: CollaborationId,
    transport: OrganisationId,
    warm_spaces: ObjectiveId,
) -> Result<Vec<DemoEngagement>, AppError> {
    let Cast { carol, dave, .. } = cast;
    let (carol_id, dave_id) = (user_id(carol)?, user_id(dave)?);
    let [agency, care_homes, _gritting, churches, flood, _taxis] = add_stakeholders(
        app,
        clock,
        id,
        [
            (carol, platform_organisation(
                transport,
                "Grits the trunk roads and the river bridges; its duty officers decide when to pre-treat before a freeze.",
                (4, 3),
                ("supporter", "monthly"),
                carol_id,
            )),
            (dave, stakeholder(
                ("external_organisation", "Riverton Valley Care Homes Association"),
                "Fourteen care homes with 610 residents: they need back-up heating, staff able to travel in snow and early warning of power cuts.",
                (3, 5),
                ("supporter", "monthly"),
                dave_id,
            )),
            (carol, stakeholder(
                ("external_organisation", "Northgate Highways Services"),
                "The City's gritting and snow-clearing contractor; decides the order of routes and whether pavements near warm spaces are treated.",
                (4, 2),
                ("neutral", "monthly"),
                carol_id,
            )),
            (dave, stakeholder(
                ("group", "Riverton Churches Together"),
                "Nine churches and halls offering to open as warm spaces, with volunteers for welfare checks.",
                (2, 5),
                ("champion", "monthly"),
                dave_id,
            )),
            (dave, stakeholder(
                ("group", "Lower Valley Flood Action Group"),
                "Residents of the 300 homes in the flood zone; after last winter they doubt that warnings will reach them in time.",
                (2, 4),
                ("sceptic", "quarterly"),
                dave_id,
            )),
            (carol, stakeholder(
                ("external_organisation", "Riverton Taxi Association"),
                "Drivers who take residents to dialysis and late shifts when buses stop in snow.",
                (2, 2),
                ("neutral", "half_yearly"),
                carol_id,
            )),
        ],
    )
    .await?;
    clock.advance(30);
    // Deliberately no Accountable yet: the matrix lists the rule break.
    assign_raci(
        app,
        clock,
        dave,
        id,
        warm_spaces,
        &[
            (RaciParty::User(dave_id), "R"),
            (RaciParty::Stakeholder(churches), "R"),
            (RaciParty::Stakeholder(care_homes), "C"),
            (RaciParty::User(carol_id), "I"),
            (RaciParty::Stakeholder(flood), "I"),
        ],
    )
    .await?;
    let on = |days_ago: i64| today - Duration::days(days_ago);
    Ok(vec![
        engagement(
            (id, carol),
            on(64),
            ("meeting", &[agency]),
            "Agreed the winter gritting split with the Agency's network manager: trunk roads and bridges by the Agency, bus routes and hospital access by the City.",
            Some("A shared priority map is published before the first frost; the Agency's duty officers receive the City's cold-weather alerts."),
        ),
        engagement(
            (id, dave),
            on(52),
            ("workshop", &[care_homes, churches, flood]),
            "Tabletop exercise: a four-day freeze with a river flood warning on day three.",
            Some("Care homes will share a list of residents on oxygen or home dialysis; nine warm spaces offered; the flood group asked for door-to-door warnings in the flood zone."),
        )
        .follow_up("Collect opening hours and step-free access details for the nine warm spaces", dave_id, on(38))
        .done_on(on(40)),
        engagement(
            (id, dave),
            on(24),
            ("call", &[care_homes]),
            "Call with the association's chair about back-up heating checks and staff travel in snow.",
            Some("Eleven of the fourteen homes have tested their back-up heating; three need portable heaters."),
        )
        .follow_up("Ask the City's emergency store for portable heaters for the three homes", carol_id, on(-7)),
        engagement(
            (id, carol),
            on(20),
            ("email", &[agency]),
            "Sent the cold-weather alert cascade list; the Agency confirmed its duty officers' contacts for the winter.",
            Some("Contacts confirmed until the end of March."),
        ),
        engagement(
            (id, dave),
            on(9),
            ("site_visit", &[churches]),
            "Visited St Anne's hall and Riverside library with volunteers to check that the warm spaces are ready.",
            Some("Both ready; St Anne's needs a ramp for wheelchair users by January."),
        ),
    ])
}

/// Hospital Transfer Logistics: the ambulance service, the hospital's director of patient flow,
/// a sceptical patients' association (overdue), the City (a platform organisation), the care-home
/// operators (never engaged: flagged on Alice's home page), the incumbent provider and the
/// hospital's volunteers. Its early-involvement window is three weeks, and Alice has an overdue
/// follow-up. It has no objectives, so no RACI (tests add their own objectives there).
async fn transfer_stakeholders(
    app: &App,
    clock: &SteppingClock,
    today: NaiveDate,
    cast: &Cast,
    id: CollaborationId,
    city: OrganisationId,
) -> Result<Vec<DemoEngagement>, AppError> {
    let Cast { alice, bob, .. } = cast;
    let (alice_id, bob_id) = (user_id(alice)?, user_id(bob)?);
    stakeholders::set_early_window(app, alice, id, &IntOrText::Int(21)).await?;
    let [ambulance, flow_director, patients, city, _care_homes, provider, _friends] =
        add_stakeholders(
        app,
        clock,
        id,
        [
            (alice, stakeholder(
                ("external_organisation", "Northern Region Ambulance Service"),
                "Runs the emergency ambulances and, under the current contract, some non-emergency transfers; controls crews and vehicles.",
                (5, 5),
                ("supporter", "fortnightly"),
                alice_id,
            )),
            (alice, person(
                stakeholder(
                    ("person", "Dr Samuel Reyes"),
                    "Director of Patient Flow at Riverton General Hospital; runs the bed bureau that requests transfers.",
                    (4, 5),
                    ("champion", "fortnightly"),
                    alice_id,
                ),
                "samuel.reyes@example.org",
                "+44 20 7946 0587",
            )),
            (alice, stakeholder(
                ("group", "Northern Patients' Association"),
                "Speaks for patients and families; fears that a cheaper contract means longer waits and less dignity on long transfers.",
                (2, 5),
                ("sceptic", "monthly"),
                alice_id,
            )),
            (bob, platform_organisation(
                city,
                "Plans the roads around Riverton General, where road works start next spring, and sets the ambulance access routes.",
                (3, 2),
                ("neutral", "quarterly"),
                bob_id,
            )),
            (alice, stakeholder(
                ("external_organisation", "Northern Care Home Operators' Forum"),
                "Receives patients discharged by transfer; late transfers mean late-evening arrivals the homes cannot staff.",
                (3, 4),
                ("neutral", "monthly"),
                alice_id,
            )),
            (bob, stakeholder(
                ("external_organisation", "MedRide Patient Transport"),
                "Holds the current non-emergency patient-transport contract until it is retendered, and stands to lose it.",
                (3, 4),
                ("opponent", "monthly"),
                bob_id,
            )),
            (bob, stakeholder(
                ("group", "Riverton General League of Friends"),
                "Hospital volunteers who sit with patients waiting for transport.",
                (1, 2),
                ("supporter", "half_yearly"),
                bob_id,
            )),
        ],
    )
    .await?;
    let on = |days_ago: i64| today - Duration::days(days_ago);
    Ok(vec![
        engagement(
            (id, alice),
            on(55),
            ("meeting", &[ambulance, flow_director]),
            "Followed transfer requests end to end: ward, bed bureau, ambulance control, crew. The average wait is 5.5 hours, longest at weekends.",
            Some("Agreed to pilot a single transfer desk staffed by the hospital and the ambulance service."),
        )
        .follow_up("Write the transfer desk's terms of reference", alice_id, on(41))
        .done_on(on(43)),
        engagement(
            (id, alice),
            on(40),
            ("consultation", &[patients]),
            "Focus group with twelve patients and carers who had an inter-hospital transfer this year.",
            Some("Waiting without food or news is the main complaint; the association wants a maximum wait written into the new contract."),
        ),
        engagement(
            (id, bob),
            on(35),
            ("email", &[city]),
            "Asked the City's highways team about ambulance access during next spring's road works by Riverton General.",
            Some("One lane of Hospital Road stays open; the traffic plan follows in January."),
        ),
        engagement(
            (id, bob),
            on(24),
            ("meeting", &[provider]),
            "Meeting with the current provider about the retender timetable and the handover of data.",
            Some("MedRide disputes the wait figures and asks for the underlying data."),
        )
        .follow_up("Send MedRide the anonymised wait data under the confidentiality agreement", bob_id, on(-5)),
        engagement(
            (id, alice),
            on(20),
            ("call", &[flow_director]),
            "Weekly call on the transfer desk pilot after its first week.",
            Some("The average wait fell to 4.1 hours in the pilot week."),
        )
        .follow_up("Send the pilot's first-week figures to the ambulance service", alice_id, on(6)),
        engagement(
            (id, alice),
            on(10),
            ("meeting", &[ambulance, flow_director]),
            "Pilot review with the ambulance service's operations lead and the bed bureau.",
            Some("The desk continues until March; the ambulance service asks for two more crews at weekends."),
        ),
    ])
}

async fn invite_and_accept(
    app: &App,
    clock: &SteppingClock,
    inviter: &Actor,
    id: CollaborationId,
    invitations: &[(OrganisationId, &str, &Actor)],
) -> Result<(), AppError> {
    for (org, role, admin) in invitations {
        clock.advance(60 * 3);
        collaborations::invite_organisation(
            app,
            inviter,
            id,
            &InviteInput {
                organisation_id: org.to_string(),
                role: (*role).into(),
            },
        )
        .await?;
        clock.advance(60 * 26);
        collaborations::respond_to_invitation(app, admin, id, true).await?;
    }
    Ok(())
}

/// One collaboration's demo meetings: three past ones (about a month apart, with agenda, answers
/// and minutes) and one next week.
struct DemoMeetings<'a> {
    collaboration: CollaborationId,
    organiser: &'a Actor,
    attendees: &'a [&'a Actor],
    titles: [&'static str; 4],
    agenda: [(&'static str, i64); 3],
    minutes: [&'static str; 3],
}

async fn demo_meetings(
    app: &App,
    now: DateTime<Utc>,
    plans: &[DemoMeetings<'_>],
) -> Result<PastMeetings, AppError> {
    use concord_domain::meeting::{
        AgendaItemInput, AttendeeInput, MeetingInput, MinutesInput, RsvpInput,
    };
    const ZONE: &str = "Europe/Brussels";
    let local = |days: i64, hour: u32| {
        let day = (now + Duration::days(days)).date_naive();
        format!("{}T{hour:02}:00", day.format("%Y-%m-%d"))
    };
    let mut held = PastMeetings::new();
    for plan in plans {
        let presenter = plan.organiser.user_id().map(|u| u.to_string());
        for (n, (title, days)) in plan.titles.iter().zip([-80_i64, -50, -20, 7]).enumerate() {
            let input = MeetingInput {
                title: (*title).into(),
                starts_at: local(days, 10),
                ends_at: local(days, 11),
                time_zone: ZONE.into(),
                place: Some("Riverton City Hall, committee room 2".into()),
                online_url: Some("https://meet.riverton.example/collab".into()),
            };
            let meeting = crate::meetings::create(app, plan.organiser, plan.collaboration, &input)
                .await?
                .meeting
                .id;
            if days < 0 {
                held.entry(plan.collaboration)
                    .or_default()
                    .push((-days, meeting));
            }
            let mut items = Vec::new();
            for (i, (item, minutes)) in plan.agenda.iter().enumerate() {
                let added = crate::meetings::add_agenda_item(
                    app,
                    plan.organiser,
                    meeting,
                    &AgendaItemInput {
                        title: (*item).into(),
                        presenter_id: if i == 0 { presenter.clone() } else { None },
                        duration_minutes: Some(*minutes),
                        notes: None,
                    },
                )
                .await?;
                items.push(added.id);
            }
            let past = days < 0;
            for (i, attendee) in plan.organiser_and(plan.attendees).iter().enumerate() {
                let Some(user) = attendee.user_id() else {
                    continue;
                };
                crate::meetings::add_attendee(
                    app,
                    plan.organiser,
                    meeting,
                    &AttendeeInput {
                        user_id: user.to_string(),
                    },
                )
                .await?;
                // Everyone answered the past meetings; one person has answered the next one.
                if past || i == 0 {
                    let response = ["yes", "yes", "maybe", "no"][(i + n) % 4];
                    crate::meetings::rsvp(
                        app,
                        attendee,
                        meeting,
                        &RsvpInput {
                            response: response.into(),
                        },
                    )
                    .await?;
                }
            }
            if past {
                for (item, text) in items.iter().zip(plan.minutes) {
                    crate::meetings::set_minutes(
                        app,
                        plan.organiser,
                        *item,
                        &MinutesInput {
                            minutes: text.into(),
                        },
                    )
                    .await?;
                }
            }
        }
    }
    Ok(held)
}

/// Each collaboration's past demo meetings, as (days ago, meeting): decisions taken on one of
/// those days are linked to that meeting.
type PastMeetings = std::collections::HashMap<CollaborationId, Vec<(i64, MeetingId)>>;

/// One demo action item: (created by, collaboration, title, owner, due in days, its decision and
/// that decision's meeting).
type DemoItem<'a> = (
    &'a Actor,
    CollaborationId,
    &'a str,
    &'a Actor,
    i64,
    (DecisionId, Option<MeetingId>),
);

/// One demo decision: (title, what was decided, why, options, days ago, visibility, who decided).
type DemoDecision<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a [&'a str],
    i64,
    &'a str,
    Vec<&'a Actor>,
);

async fn record_decision(
    app: &App,
    (today, meetings): (NaiveDate, &PastMeetings),
    by: &Actor,
    collaboration: CollaborationId,
    (title, decided, why, options, ago, visibility, people): DemoDecision<'_>,
    audience: &[OrganisationId],
) -> Result<(DecisionId, Option<MeetingId>), AppError> {
    let meeting = meetings
        .get(&collaboration)
        .and_then(|held| held.iter().find(|(days, _)| *days == ago))
        .map(|(_, id)| *id);
    let mut decided_by = Vec::new();
    for p in people {
        decided_by.push(user_id(p)?.to_string());
    }
    let input = DecisionInput {
        title: title.into(),
        decided: decided.into(),
        rationale: why.into(),
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        meeting_id: meeting.map(|m| m.to_string()),
        decided_by,
        decided_on: (today - Duration::days(ago)).to_string(),
        visibility: Some(visibility.into()),
        audience: audience.iter().map(ToString::to_string).collect(),
    };
    let id = decisions::create(app, by, collaboration, &input)
        .await?
        .decision
        .id;
    Ok((id, meeting))
}

/// A few decisions per collaboration over the last three months (one public on each collaboration
/// that allows it), and action items from them: one overdue for Alice, one done. Meetings are left
/// out (`meeting_id` none): the meetings demo links them later.
async fn demo_decisions(
    app: &App,
    today: NaiveDate,
    cast: &Cast,
    [safe_routes, winter, transfers]: [CollaborationId; 3],
    city: OrganisationId,
    meetings: &PastMeetings,
) -> Result<(), AppError> {
    let pilot = record_decision(app, (today, meetings), &cast.carol, safe_routes, (
        "Pilot 20 mph zones around the first six schools",
        "From January, **20 mph zones** with school-street closures at drop-off and pick-up around six pilot schools, chosen by the injury record.",
        "The pilot schools account for 40% of child pedestrian injuries near schools; a pilot lets the City measure effects on speed and active travel before rolling out.",
        &["All 42 schools at once", "Six pilot schools first", "Advisory limits only"],
        80, "public", vec![&cast.carol, &cast.bob]), &[]).await?;
    let survey = record_decision(app, (today, meetings), &cast.carol, safe_routes, (
        "Run the hands-up survey every term",
        "Schools run the hands-up travel survey in the second week of each term; Health collects the returns.",
        "The objective is measured by the survey; termly returns show the trend early enough to adjust.",
        &["Once a year", "Every term"],
        50, "collaboration", vec![&cast.hannah, &cast.carol]), &[]).await?;
    record_decision(app, (today, meetings), &cast.carol, safe_routes, (
        "Split the crossing budget 60/40 between Transport and the City",
        "The Transport Agency funds 60% of the new crossings and the City 40%, maintenance stays with the City.",
        "Matches the funding rules of the active-travel fund; to be confirmed in the partners' budgets.",
        &["50/50", "60/40", "Per crossing"],
        20, "members", vec![&cast.carol, &cast.bob]), &[]).await?;
    let warm = record_decision(app, (today, meetings), &cast.carol, winter, (
        "Open warm spaces when a cold-weather alert is issued",
        "Libraries and community centres open as **warm spaces** from the day an amber cold-weather alert is issued until it is lifted.",
        "Residents need one clear trigger; the amber alert comes two days ahead, time enough to staff the spaces.",
        &["Fixed dates December–February", "On amber alerts", "On red alerts only"],
        50, "public", vec![&cast.carol, &cast.dave]), &[]).await?;
    let rota = record_decision(app, (today, meetings), &cast.dave, winter, (
        "Visit isolated residents from one shared list",
        "The Trust's volunteers and the City's wardens work from one shared list of isolated residents, split by street.",
        "Last winter visits were duplicated in some streets and missed in others.",
        &[],
        35, "members", vec![&cast.dave, &cast.carol]), &[]).await?;
    record_decision(app, (today, meetings), &cast.carol, winter, (
        "Fund gritting overtime from the winter reserve",
        "Overtime for gritting crews during alerts is paid from the City's winter reserve, up to the amount set by finance.",
        "Budget detail internal to the City until the council approves the reserve.",
        &[],
        20, "organisations", vec![&cast.carol]), &[city]).await?;
    let night = record_decision(app, (today, meetings), &cast.alice, transfers, (
        "Trial a dedicated night transfer crew",
        "A dedicated crew handles inter-hospital transfers between 20:00 and 08:00 for eight weeks.",
        "Most long waits are at night, when transfers compete with emergency calls.",
        &["Night crew", "Priority rules only"],
        10, "collaboration", vec![&cast.alice, &cast.bob]), &[]).await?;
    record_decision(app, (today, meetings), &cast.alice, transfers, (
        "Share anonymised wait-time data weekly",
        "The hospitals send anonymised transfer wait times to the Transport Agency every Monday.",
        "Needed to size the new contract; anonymised so no patient can be identified.",
        &[],
        20, "members", vec![&cast.alice]), &[]).await?;

    let due = |days: i64| (today + Duration::days(days)).to_string();
    let items: [DemoItem; 7] = [
        (
            &cast.carol,
            safe_routes,
            "Publish the list of pilot schools",
            &cast.bob,
            10,
            pilot,
        ),
        (
            &cast.carol,
            safe_routes,
            "Order the 20 mph signs for the pilot",
            &cast.carol,
            -20,
            pilot,
        ),
        (
            &cast.carol,
            safe_routes,
            "Brief head teachers on the termly survey",
            &cast.hannah,
            -3,
            survey,
        ),
        (
            &cast.dave,
            winter,
            "Publish the warm space map",
            &cast.dave,
            5,
            warm,
        ),
        (
            &cast.dave,
            winter,
            "Merge the volunteer and warden lists",
            &cast.carol,
            -2,
            rota,
        ),
        (
            &cast.alice,
            transfers,
            "Draft the night-crew specification",
            &cast.alice,
            -4,
            night,
        ),
        (
            &cast.alice,
            transfers,
            "Collect two weeks of transfer timings",
            &cast.bob,
            7,
            night,
        ),
    ];
    for (index, (by, collaboration, title, owner, days, decision)) in items.into_iter().enumerate()
    {
        let input = ActionItemInput {
            title: title.into(),
            owner_id: user_id(owner)?.to_string(),
            due_on: due(days),
            decision_id: Some(decision.0.to_string()),
            meeting_id: decision.1.map(|m| m.to_string()),
            objective_id: None,
        };
        let item = action_items::create(app, by, collaboration, &input).await?;
        // The signs were ordered: one item done.
        if index == 1 {
            let done = ActionItemStatusInput {
                status: "done".into(),
            };
            action_items::set_status(app, owner, item.item.id, &done).await?;
        }
    }
    Ok(())
}

impl DemoMeetings<'_> {
    fn organiser_and<'b>(&'b self, others: &'b [&'b Actor]) -> Vec<&'b Actor> {
        std::iter::once(self.organiser)
            .chain(others.iter().copied())
            .collect()
    }
}
/// The invitations and memberships above already notified people, through the real producers.
/// Here two people act on theirs, so the inboxes show both habits: Bob has read everything, and
/// Hannah wants decisions by email at once but no meeting emails (Alice and Dave leave theirs unread).
async fn notification_habits(app: &App, bob: &Actor, hannah: &Actor) -> Result<(), AppError> {
    crate::notifications::mark_all_read(app, bob).await?;
    let mut email = std::collections::BTreeMap::new();
    email.insert("decision".to_owned(), "immediate".to_owned());
    email.insert("meeting".to_owned(), "off".to_owned());
    crate::notifications::set_preferences(
        app,
        hannah,
        &concord_domain::notification::PreferencesInput { email },
    )
    .await?;
    Ok(())
}
