use concord_testkit::TestApp;

#[tokio::test]
async fn demo_server_lists_only_public_collaborations_to_anonymous() -> anyhow::Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let body = app.api(None).get_json("/api/v1/collaborations").await?;
    let titles: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["Safe Routes to School"]);
    Ok(())
}

#[tokio::test]
async fn signed_in_member_sees_partner_collaborations_on_home() -> anyhow::Result<()> {
    let app = TestApp::spawn_with_demo().await?;
    let carol = app.signed_in("carol@riverton.example").await?;
    let (status, html) = carol.page("/").await?;
    assert_eq!(status, 200);
    assert!(html.contains("Winter Resilience Plan"), "{html}");
    assert!(!html.contains("Hospital Transfer Logistics"));
    Ok(())
}
