//! The access policy, end to end: for every kind of actor, every visibility and every action on a
//! collaboration, the HTTP answer must be what `concord_domain::policy::collaboration_allows`
//! predicts, and the collaboration list (the SQL twin of the read rule) must agree with the Rust
//! read rule. Plus the organisation and account rules.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, ensure};
use concord_domain::collaboration::{MembershipStatus, OrganisationRole, PersonRole, Visibility};
use concord_domain::policy::{
    Actor, CollaborationAction, CollaborationFacts, UserActor, collaboration_allows,
};
use concord_domain::user::OrgRole;
use concord_testkit::{Api, TestApp, status_json};
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough password";

/// Every organisation's id by name.
async fn organisation_ids(api: &Api) -> Result<BTreeMap<String, String>> {
    let body = api.get_json("/api/v1/organisations?limit=100").await?;
    body["items"]
        .as_array()
        .context("organisation items")?
        .iter()
        .map(|o| {
            Ok((
                o["name"].as_str().context("name")?.to_owned(),
                o["id"].as_str().context("id")?.to_owned(),
            ))
        })
        .collect()
}

/// Creates an account through the API as `creator` and returns (token, user id).
async fn new_account(
    app: &TestApp,
    creator: &Api,
    email: &str,
    name: &str,
    organisation_id: &str,
) -> Result<(String, String)> {
    let (status, body) = status_json(
        creator
            .post(
                "/api/v1/accounts",
                &json!({"email": email, "display_name": name, "password": PASSWORD,
                        "organisation_id": organisation_id, "org_role": "member"}),
            )
            .await?,
    )
    .await?;
    ensure!(status == 201, "creating {email}: {status} {body}");
    let id = body["id"].as_str().context("user id")?.to_owned();
    Ok((app.token_for(email).await?, id))
}

/// The caller's own account, as the policy sees it.
async fn actor_of(api: &Api) -> Result<Actor> {
    let me = api.get_json("/api/v1/me").await?;
    Ok(Actor::User(UserActor {
        id: me["id"].as_str().context("id")?.parse()?,
        organisation_id: me["organisation_id"]
            .as_str()
            .context("organisation_id")?
            .parse()?,
        org_role: OrgRole::parse(me["org_role"].as_str().context("org_role")?)
            .context("org_role value")?,
        platform_admin: me["platform_admin"].as_bool().context("platform_admin")?,
    }))
}

async fn expect_status(response: reqwest::Response, expected: u16, what: &str) -> Result<Value> {
    let (status, body) = status_json(response).await?;
    ensure!(
        status == expected,
        "{what}: expected {expected}, got {status} {body}"
    );
    Ok(body)
}

/// One kind of actor in the table, with the facts the test knows about it (built independently of
/// the store's own `facts` query).
struct Case {
    label: &'static str,
    api: Api,
    actor: Actor,
    organisation: Option<(OrganisationRole, MembershipStatus)>,
    person: Option<PersonRole>,
}

/// The probes the table makes, one per policy action (AddContent has no route yet: nothing to
/// probe). The list is checked separately against the read rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Probe {
    Read,
    ReadHistory,
    Edit,
    ManageMembers,
    RespondToInvitation,
}

impl Probe {
    fn action(self) -> CollaborationAction {
        match self {
            Probe::Read => CollaborationAction::Read,
            Probe::ReadHistory => CollaborationAction::ReadHistory,
            Probe::Edit => CollaborationAction::Edit,
            Probe::ManageMembers => CollaborationAction::ManageMembers,
            Probe::RespondToInvitation => CollaborationAction::RespondToInvitation,
        }
    }

    fn success(self) -> u16 {
        match self {
            Probe::Read | Probe::ReadHistory | Probe::Edit => 200,
            Probe::ManageMembers | Probe::RespondToInvitation => 204,
        }
    }
}

fn edit_body(visibility: &str, title: &str) -> Value {
    json!({"title": title, "summary": "Probing the access policy.", "visibility": visibility,
           "status": "proposed"})
}

/// Makes one probe as `case` against collaboration `id` (which may not exist) and returns the status.
/// `spare_user` is the person a ManageMembers probe tries to name.
async fn probe(
    case: &Case,
    probe: Probe,
    id: &str,
    visibility: &str,
    spare_user: &str,
) -> Result<u16> {
    let response = match probe {
        Probe::Read => {
            case.api
                .get(&format!("/api/v1/collaborations/{id}"))
                .await?
        }
        Probe::ReadHistory => {
            case.api
                .get(&format!("/api/v1/collaborations/{id}/history"))
                .await?
        }
        Probe::Edit => {
            case.api
                .put(
                    &format!("/api/v1/collaborations/{id}"),
                    &edit_body(visibility, &format!("Edited by {}", case.label)),
                )
                .await?
        }
        Probe::ManageMembers => {
            case.api
                .post(
                    &format!("/api/v1/collaborations/{id}/people"),
                    &json!({"user_id": spare_user, "role": "viewer"}),
                )
                .await?
        }
        Probe::RespondToInvitation => {
            case.api
                .post(
                    &format!("/api/v1/collaborations/{id}/invitation/accept"),
                    &json!({}),
                )
                .await?
        }
    };
    Ok(response.status().as_u16())
}

#[tokio::test]
async fn every_actor_visibility_and_action_answers_as_the_policy_says() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.api(Some(&app.token_for("carol@riverton.example").await?));
    let dave = app.api(Some(&app.token_for("dave@trust.example").await?));
    let orgs = organisation_ids(&carol).await?;
    let city = orgs.get("City of Riverton").context("city")?.clone();
    let health = orgs.get("Ministry of Health").context("health")?.clone();
    let trust = orgs
        .get("Riverton Community Trust")
        .context("trust")?
        .clone();

    // People the demo lacks: named viewer and contributor, a spare person to name, and a plain
    // member of the organisation that will only be invited.
    let (vera_token, vera_id) =
        new_account(&app, &carol, "vera@riverton.example", "Vera Viewer", &city).await?;
    let (colin_token, colin_id) = new_account(
        &app,
        &carol,
        "colin@riverton.example",
        "Colin Contributor",
        &city,
    )
    .await?;
    let (_, spare_id) =
        new_account(&app, &carol, "sam@riverton.example", "Sam Spare", &city).await?;
    let (tess_token, _) =
        new_account(&app, &dave, "tess@trust.example", "Tess Trustee", &trust).await?;

    let api_for = |token: &str| app.api(Some(token));
    let alice = app.api(Some(&app.token_for("alice@health.example").await?));
    let admin = app.api(Some(&app.token_for("admin@concord.example").await?));
    let hannah = app.api(Some(&app.token_for("hannah@health.example").await?));
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));

    let active = |role| Some((role, MembershipStatus::Active));
    let cases = vec![
        Case {
            label: "anonymous",
            api: app.api(None),
            actor: Actor::Anonymous,
            organisation: None,
            person: None,
        },
        Case {
            label: "platform admin of a non-member organisation",
            actor: actor_of(&admin).await?,
            api: admin,
            organisation: None,
            person: None,
        },
        Case {
            label: "org admin of a member organisation, not named",
            actor: actor_of(&alice).await?,
            api: alice.clone(),
            organisation: active(OrganisationRole::Partner),
            person: None,
        },
        Case {
            label: "plain member of a member organisation, not named",
            actor: actor_of(&hannah).await?,
            api: hannah,
            organisation: active(OrganisationRole::Partner),
            person: None,
        },
        Case {
            label: "named viewer",
            actor: actor_of(&api_for(&vera_token)).await?,
            api: api_for(&vera_token),
            organisation: active(OrganisationRole::Lead),
            person: Some(PersonRole::Viewer),
        },
        Case {
            label: "named contributor",
            actor: actor_of(&api_for(&colin_token)).await?,
            api: api_for(&colin_token),
            organisation: active(OrganisationRole::Lead),
            person: Some(PersonRole::Contributor),
        },
        Case {
            label: "named coordinator",
            actor: actor_of(&carol).await?,
            api: carol.clone(),
            organisation: active(OrganisationRole::Lead),
            person: Some(PersonRole::Coordinator),
        },
        Case {
            label: "member of an organisation that is only invited",
            actor: actor_of(&api_for(&tess_token)).await?,
            api: api_for(&tess_token),
            organisation: Some((OrganisationRole::Observer, MembershipStatus::Invited)),
            person: None,
        },
        Case {
            label: "org admin of an organisation that is only invited",
            actor: actor_of(&dave).await?,
            api: dave,
            organisation: Some((OrganisationRole::Observer, MembershipStatus::Invited)),
            person: None,
        },
        Case {
            label: "user of a non-member organisation",
            actor: actor_of(&bob).await?,
            api: bob,
            organisation: None,
            person: None,
        },
    ];
    // What each actor gets for a collaboration that does not exist: an invisible one must answer
    // exactly the same.
    let missing = uuid::Uuid::now_v7().to_string();
    let probes = [
        Probe::Read,
        Probe::ReadHistory,
        Probe::Edit,
        Probe::ManageMembers,
        Probe::RespondToInvitation,
    ];
    let mut for_missing = BTreeMap::new();
    for case in &cases {
        for p in probes {
            let status = probe(case, p, &missing, "public", &spare_id).await?;
            ensure!(
                status == 404 || (status == 401 && case.actor == Actor::Anonymous),
                "{}: {p:?} on a missing collaboration answered {status}",
                case.label
            );
            for_missing.insert((case.label, p), status);
        }
    }

    let mut failures = Vec::new();
    let mut outcomes: BTreeMap<Probe, BTreeSet<bool>> = BTreeMap::new();
    let mut listed_outcomes = BTreeSet::new();
    for visibility in Visibility::ALL {
        let v = visibility.as_str();
        let title = format!("Policy probe ({v})");
        let body = expect_status(
            carol
                .post("/api/v1/collaborations", &edit_body(v, &title))
                .await?,
            201,
            "create",
        )
        .await?;
        let id = body["collaboration"]["id"]
            .as_str()
            .context("collaboration id")?
            .to_owned();
        let base = format!("/api/v1/collaborations/{id}");
        expect_status(
            carol
                .post(
                    &format!("{base}/organisations"),
                    &json!({"organisation_id": health, "role": "partner"}),
                )
                .await?,
            204,
            "invite health",
        )
        .await?;
        expect_status(
            alice
                .post(&format!("{base}/invitation/accept"), &json!({}))
                .await?,
            204,
            "health accepts",
        )
        .await?;
        expect_status(
            carol
                .post(
                    &format!("{base}/organisations"),
                    &json!({"organisation_id": trust, "role": "observer"}),
                )
                .await?,
            204,
            "invite trust",
        )
        .await?;
        for (user, role) in [(&vera_id, "viewer"), (&colin_id, "contributor")] {
            expect_status(
                carol
                    .post(
                        &format!("{base}/people"),
                        &json!({"user_id": user, "role": role}),
                    )
                    .await?,
                204,
                "name person",
            )
            .await?;
        }

        for case in &cases {
            let facts = CollaborationFacts {
                visibility: *visibility,
                organisation: case.organisation,
                person: case.person,
            };
            let can_read = collaboration_allows(&case.actor, &facts, CollaborationAction::Read);

            // The list (SQL rule) must agree with the Rust read rule.
            let listed = case
                .api
                .get_json("/api/v1/collaborations?limit=100")
                .await?["items"]
                .as_array()
                .context("items")?
                .iter()
                .any(|c| c["id"] == id.as_str());
            listed_outcomes.insert(listed);
            if listed != can_read {
                failures.push(format!(
                    "{v} / {}: listed = {listed}, but the policy says read = {can_read}",
                    case.label
                ));
            }

            for p in probes {
                let allowed = collaboration_allows(&case.actor, &facts, p.action());
                outcomes.entry(p).or_default().insert(allowed);
                let expected = if allowed {
                    p.success()
                } else if can_read {
                    if case.actor == Actor::Anonymous {
                        401
                    } else {
                        403
                    }
                } else {
                    for_missing[&(case.label, p)]
                };
                let before = carol.get_json(&base).await?;
                let status = probe(case, p, &id, v, &spare_id).await?;
                let after = carol.get_json(&base).await?;
                if status != expected {
                    failures.push(format!(
                        "{v} / {} / {p:?}: expected {expected}, got {status}",
                        case.label
                    ));
                }
                // A refused request changes nothing; an allowed one did what it says. Then undo it
                // so the next actor meets the same situation.
                if status != p.success() {
                    if before != after {
                        failures.push(format!(
                            "{v} / {} / {p:?}: refused with {status} but the collaboration changed",
                            case.label
                        ));
                    }
                    continue;
                }
                match p {
                    Probe::Edit => {
                        let title = after["collaboration"]["title"].as_str().unwrap_or_default();
                        ensure!(title == format!("Edited by {}", case.label), "{title}");
                        expect_status(
                            carol
                                .put(&base, &edit_body(v, &format!("Policy probe ({v})")))
                                .await?,
                            200,
                            "restore title",
                        )
                        .await?;
                    }
                    Probe::ManageMembers => {
                        ensure!(
                            after["people"].as_array().is_some_and(|p| p
                                .iter()
                                .any(|p| p["user_id"] == spare_id.as_str())),
                            "person not added"
                        );
                        expect_status(
                            carol.delete(&format!("{base}/people/{spare_id}")).await?,
                            204,
                            "remove spare",
                        )
                        .await?;
                    }
                    Probe::RespondToInvitation => {
                        expect_status(
                            carol
                                .delete(&format!("{base}/organisations/{trust}"))
                                .await?,
                            204,
                            "remove trust",
                        )
                        .await?;
                        expect_status(
                            carol
                                .post(
                                    &format!("{base}/organisations"),
                                    &json!({"organisation_id": trust, "role": "observer"}),
                                )
                                .await?,
                            204,
                            "re-invite trust",
                        )
                        .await?;
                    }
                    Probe::Read | Probe::ReadHistory => {}
                }
            }
        }
    }
    // The table is not vacuous: every action is both allowed to someone and refused to someone.
    ensure!(listed_outcomes.len() == 2, "the list never varied");
    for (p, seen) in &outcomes {
        ensure!(
            seen.len() == 2,
            "{p:?} was never {}",
            if seen.contains(&true) {
                "refused"
            } else {
                "allowed"
            }
        );
    }
    ensure!(
        failures.is_empty(),
        "policy mismatches:\n{}",
        failures.join("\n")
    );
    Ok(())
}

#[tokio::test]
async fn organisations_and_accounts_follow_the_policy() -> Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let admin = app.api(Some(&app.token_for("admin@concord.example").await?));
    let bob = app.api(Some(&app.token_for("bob@transport.example").await?));
    let hannah = app.api(Some(&app.token_for("hannah@health.example").await?));
    let orgs = organisation_ids(&admin).await?;
    let transport = orgs.get("National Transport Agency").context("transport")?;
    let health = orgs.get("Ministry of Health").context("health")?;
    let org_body =
        |name: &str| json!({"name": name, "kind": "agency", "description": "Edited by a test."});

    // An organisation admin edits their own organisation, not another one.
    let body = expect_status(
        bob.put(
            &format!("/api/v1/organisations/{transport}"),
            &org_body("National Transport Agency"),
        )
        .await?,
        200,
        "bob edits transport",
    )
    .await?;
    ensure!(body["description"] == "Edited by a test.", "{body}");
    let (status, body) = status_json(
        bob.put(
            &format!("/api/v1/organisations/{health}"),
            &org_body("Ministry of Sickness"),
        )
        .await?,
    )
    .await?;
    ensure!(
        status == 403 && body["code"] == "forbidden",
        "{status} {body}"
    );
    let health_now = admin
        .get_json(&format!("/api/v1/organisations/{health}"))
        .await?;
    ensure!(health_now["name"] == "Ministry of Health", "{health_now}");

    // Only platform admins create organisations.
    for (who, api) in [("member", &hannah), ("org admin", &bob)] {
        let (status, _) = status_json(
            api.post(
                "/api/v1/organisations",
                &org_body(&format!("Made by {who}")),
            )
            .await?,
        )
        .await?;
        ensure!(status == 403, "{who} creating an organisation: {status}");
    }
    let created = expect_status(
        admin
            .post("/api/v1/organisations", &org_body("Regional Water Board"))
            .await?,
        201,
        "admin creates organisation",
    )
    .await?;
    let water = created["id"].as_str().context("id")?;
    let names: Vec<String> = organisation_ids(&admin).await?.into_keys().collect();
    ensure!(
        names.iter().filter(|n| n.starts_with("Made by")).count() == 0,
        "{names:?}"
    );

    let account = |email: &str, org: &str, platform_admin: bool| {
        json!({"email": email, "display_name": "New Person", "password": PASSWORD,
               "organisation_id": org, "org_role": "member", "platform_admin": platform_admin})
    };
    // An organisation admin cannot create an account in another organisation...
    let (status, body) = status_json(
        bob.post(
            "/api/v1/accounts",
            &account("mole@health.example", health, false),
        )
        .await?,
    )
    .await?;
    ensure!(status == 422, "{status} {body}");
    ensure!(
        body["errors"][0]["field"] == "organisation_id"
            && body["errors"][0]["code"] == "invalid_choice",
        "{body}"
    );
    // ...nor make anyone a platform admin...
    let (status, body) = status_json(
        bob.post(
            "/api/v1/accounts",
            &account("boss@transport.example", transport, true),
        )
        .await?,
    )
    .await?;
    ensure!(
        status == 422 && body["errors"][0]["field"] == "platform_admin",
        "{status} {body}"
    );
    // ...and a plain member creates none at all.
    let (status, _) = status_json(
        hannah
            .post(
                "/api/v1/accounts",
                &account("friend@health.example", health, false),
            )
            .await?,
    )
    .await?;
    ensure!(status == 403, "member creating an account: {status}");
    for email in [
        "mole@health.example",
        "boss@transport.example",
        "friend@health.example",
    ] {
        ensure!(
            app.token_for(email).await.is_err(),
            "{email} exists after a refused creation"
        );
    }
    // The organisation admin can create an ordinary account in their own organisation.
    expect_status(
        bob.post(
            "/api/v1/accounts",
            &account("clerk@transport.example", transport, false),
        )
        .await?,
        201,
        "bob creates in transport",
    )
    .await?;

    // An organisation admin cannot deactivate a platform admin, even one of their own organisation.
    let admin_id = admin.get_json("/api/v1/me").await?["id"]
        .as_str()
        .context("id")?
        .to_owned();
    let (status, _) = status_json(
        bob.post(
            &format!("/api/v1/accounts/{admin_id}/deactivate"),
            &json!({}),
        )
        .await?,
    )
    .await?;
    ensure!(
        status == 403,
        "org admin deactivating a platform admin: {status}"
    );
    ensure!(admin.get_json("/api/v1/me").await?["active"] == true);

    // A platform admin can do all of it.
    let body = expect_status(
        admin
            .post(
                "/api/v1/accounts",
                &account("second.admin@water.example", water, true),
            )
            .await?,
        201,
        "admin creates a platform admin",
    )
    .await?;
    ensure!(body["platform_admin"] == true, "{body}");
    expect_status(
        admin
            .put(
                &format!("/api/v1/organisations/{health}"),
                &json!({"name": "Ministry of Health", "kind": "ministry"}),
            )
            .await?,
        200,
        "admin edits health",
    )
    .await?;
    Ok(())
}
