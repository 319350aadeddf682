//! Demo data: four organisations, six accounts and three collaborations with a believable history.
//! Everything is made through the same services as real use, so the audit chain covers it; a
//! stepping clock spreads the history over the past three months.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};
use concord_domain::collaboration::CollaborationInput;
use concord_domain::organisation::OrganisationInput;
use concord_domain::policy::Actor;
use concord_domain::user::AccountInput;
use concord_domain::{CollaborationId, OrganisationId};

use crate::collaborations::{self, InviteInput, PersonInput};
use crate::objectives;
use crate::{App, AppError, Clock, accounts, organisations};
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
    let hannah_id = actor("hannah@health.example")
        .await?
        .user_id()
        .ok_or(AppError::NotFound)?;
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
        objectives::create(&app, &carol, safe_routes, &input).await?;
    }

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
    Ok(DemoOutcome::Loaded)
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
