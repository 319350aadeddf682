//! Demo data: four organisations, six accounts and three collaborations with a believable history,
//! including key results with months of measurements (dated back from the real today).
//! Everything is made through the same services as real use, so the audit chain covers it; a
//! stepping clock spreads the history over the past three months.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use concord_domain::collaboration::CollaborationInput;
use concord_domain::key_result::{KeyResultInput, MeasurementInput};
use concord_domain::organisation::OrganisationInput;
use concord_domain::policy::Actor;
use concord_domain::user::AccountInput;
use concord_domain::{CollaborationId, KeyResultId, ObjectiveId, OrganisationId};

use crate::collaborations::{self, InviteInput, PersonInput};
use crate::{App, AppError, Clock, accounts, organisations};
use crate::{key_results, objectives};
use concord_domain::objective::ObjectiveInput;

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
    let [health, transport, _city, trust] = [org_ids[0], org_ids[1], org_ids[2], org_ids[3]];

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
    objectives::create(&app, &dave, winter, &warm_spaces).await?;

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
    record_measurements(&app, &clock, real_now, measured).await?;
    Ok(DemoOutcome::Loaded)
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

/// Records the demo measurements in date order, moving the stepping clock to the evening of each
/// date (never past the real now), and raises the crossings target on its day.
async fn record_measurements(
    app: &App,
    clock: &SteppingClock,
    real_now: DateTime<Utc>,
    measured: Measured,
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
    let (crossings, mut raised, bob) = measured.crossings;
    let mut raise_on = Some(measured.raise_on);
    for m in measured.measurements {
        if let Some(day) = raise_on.filter(|day| *day <= m.date) {
            advance_to(day);
            raised.target_value = Some("45".into());
            raised.target_change_reason = Some(
                "Three new primary schools open in September, each needing a crossing.".into(),
            );
            key_results::update(app, &bob, crossings, &raised).await?;
            raise_on = None;
        }
        advance_to(m.date);
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
    Ok(())
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
