//! The applicant's evaluation after the return: through the lookup page (code and secret), the
//! applicant's own page, and the API; once per dossier, only after the return, bad input answered
//! beside its field with what was typed kept, and shown read-only to staff.

use motcua_store::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::dossiers::{Province, application};
use crate::on_both_backends;

on_both_backends!(
    an_applicant_evaluates_a_returned_dossier_once_from_the_lookup_page,
    an_applicant_account_evaluates_its_own_dossier,
    the_api_takes_the_secret_and_names_each_bad_score,
);

const COMPONENT: &str = "Tờ khai đăng ký khai sinh";

/// Receives a dossier at the counter; its code and lookup secret.
async fn received(p: &Province, key: &str) -> (String, String) {
    let desk = p.cookie("motcua").await;
    let body = json!({"action": "receive", "channel": "counter", "application": application(&[COMPONENT])})
        .to_string();
    let (status, d) = p.post(&desk, "/api/v1/dossiers", &body, Some(key)).await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    (
        d["code"].as_str().unwrap().to_string(),
        d["lookup_secret"].as_str().unwrap().to_string(),
    )
}

/// Carries a received dossier (version 2) through processing to its return.
async fn carry_to_return(p: &Province, code: &str) {
    let desk = p.cookie("motcua").await;
    let officer = p.cookie("chuyenvien").await;
    let leader = p.cookie("lanhdao").await;
    for (who, action, body) in [
        (&desk, "hand-over", json!({"version": 2})),
        (&officer, "hand-over", json!({"version": 3})),
        (
            &leader,
            "complete",
            json!({"version": 4, "result": "Giấy khai sinh"}),
        ),
        (&desk, "return", json!({"version": 5, "channel": "counter"})),
    ] {
        let (status, d) = p.act(who, code, action, body).await;
        assert_eq!(status, StatusCode::OK, "{action}: {d}");
    }
}

/// Every indicator's answer, as the form sends them.
fn answers(scores: [&str; 9]) -> Vec<(&'static str, String)> {
    motcua_domain::evaluation::INDICATORS
        .iter()
        .zip(scores)
        .filter(|(_, s)| !s.is_empty())
        .map(|(i, s)| (i.code(), s.to_string()))
        .collect()
}

async fn post_form(
    p: &Province,
    cookie: Option<&str>,
    path: &str,
    fields: &[(&str, String)],
) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    p.app.post_form(cookie, path, &fields).await
}

async fn an_applicant_evaluates_a_returned_dossier_once_from_the_lookup_page(backend: Backend) {
    let p = Province::new(backend).await;
    let (code, secret) = received(&p, "q-1").await;
    let lookup = format!("/tra-cuu?ma={code}&ma-tra-cuu={secret}");
    // Before the return there is no form, and a form sent anyway is refused.
    let page = p.app.get(&lookup).await.text().await.unwrap();
    assert!(page.contains("lookup-result"), "{page}");
    assert!(!page.contains("evaluation-form"));
    let mut fields = vec![("ma", code.clone()), ("ma-tra-cuu", secret.clone())];
    fields.extend(answers(["2"; 9]));
    let refused = post_form(&p, None, "/tra-cuu/danh-gia", &fields).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.unwrap().contains("chưa trả kết quả"));

    carry_to_return(&p, &code).await;
    let version = p
        .app
        .db
        .dossier_by_code(&code)
        .await
        .unwrap()
        .unwrap()
        .version;
    let page = p.app.get(&lookup).await.text().await.unwrap();
    assert!(page.contains("id=\"evaluation-form\""), "{page}");
    for indicator in motcua_domain::evaluation::INDICATORS {
        assert!(page.contains(indicator.question()), "{}", indicator.code());
        assert!(page.contains(&format!("id=\"{}-2\"", indicator.code())));
    }
    assert!(page.contains(&format!("name=\"ma-tra-cuu\" value=\"{secret}\"")));

    // One answer missing: the form comes back as typed, the message beside the question.
    let mut fields = vec![("ma", code.clone()), ("ma-tra-cuu", secret.clone())];
    fields.extend(answers(["2", "2", "1", "2", "2", "0", "", "1", "2"]));
    fields.push(("comment", "Cán bộ hướng dẫn tận tình.".into()));
    let response = post_form(&p, None, "/tra-cuu/danh-gia", &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"staff_attitude-error\""), "{page}");
    assert!(page.contains("Chọn một mức cho “Thái độ của cán bộ, công chức”"));
    assert!(
        page.contains("id=\"contacts-1\" checked"),
        "the answers stay"
    );
    assert!(page.contains("id=\"publicly_posted-0\" checked"));
    assert!(
        page.contains(">Cán bộ hướng dẫn tận tình.</textarea>"),
        "the comment stays"
    );
    let dossier_id = p.app.db.dossier_by_code(&code).await.unwrap().unwrap().id;
    assert_eq!(p.app.db.evaluation(dossier_id).await.unwrap(), None);

    // A wrong secret finds no dossier, and keeps nothing.
    let mut wrong = vec![
        ("ma", code.clone()),
        ("ma-tra-cuu", "WRONGSECRET1".to_string()),
    ];
    wrong.extend(answers(["2"; 9]));
    let response = post_form(&p, None, "/tra-cuu/danh-gia", &wrong).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Không tìm thấy hồ sơ")
    );
    assert_eq!(p.app.db.evaluation(dossier_id).await.unwrap(), None);

    // Complete: kept, and the page thanks and shows it.
    let mut fields = vec![("ma", code.clone()), ("ma-tra-cuu", secret.to_lowercase())];
    fields.extend(answers(["2", "2", "1", "2", "2", "0", "2", "1", "2"]));
    fields.push(("comment", "Cán bộ hướng dẫn tận tình.".into()));
    let response = post_form(&p, None, "/tra-cuu/danh-gia", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/tra-cuu?ma="), "{location}");
    let page = p.app.get(&location).await.text().await.unwrap();
    assert!(page.contains("evaluation-thanks"), "{page}");
    assert!(page.contains("id=\"evaluation-total\">14/18<"), "{page}");
    assert!(!page.contains("evaluation-form"));
    let kept = p.app.db.evaluation(dossier_id).await.unwrap().unwrap();
    assert_eq!(kept.evaluation.scores, [2, 2, 1, 2, 2, 0, 2, 1, 2]);
    assert_eq!(
        (kept.channel.as_str(), kept.applicant_login.as_deref()),
        ("lookup", None)
    );

    // A second evaluation (the back button, a second tab) is refused; the first stands.
    let mut again = vec![("ma", code.clone()), ("ma-tra-cuu", secret.clone())];
    again.extend(answers(["0"; 9]));
    let response = post_form(&p, None, "/tra-cuu/danh-gia", &again).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Mỗi hồ sơ chỉ được đánh giá một lần"),
        "{page}"
    );
    assert!(page.contains("id=\"evaluation-total\">14/18<"));
    let kept = p.app.db.evaluation(dossier_id).await.unwrap().unwrap();
    assert_eq!(kept.evaluation.total(), 14);

    // The dossier itself did not change: no event, same version, the chain intact.
    let row = p.app.db.dossier_by_code(&code).await.unwrap().unwrap();
    assert_eq!(row.version, version);
    assert_eq!(
        p.app.db.dossier_events(row.id).await.unwrap().len() as i64,
        version
    );
    assert!(p.app.db.verify_chains().await.unwrap().0.is_empty());
    // It is audited.
    let audit = p
        .app
        .db
        .audit(Some("dossier_evaluated"), None, None, None, 10)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].object_id, code);

    // Staff see it on the dossier's page, read-only.
    let leader = p.cookie("lanhdao").await;
    let page = p
        .app
        .get_as(&leader, &format!("/can-bo/ho-so/{code}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"evaluation-shown\""), "{page}");
    assert!(page.contains("id=\"evaluation-total\">14/18<"));
    assert!(page.contains("Cán bộ hướng dẫn tận tình."));
    assert!(page.contains("Không thấy công khai"), "the label of a 0");
    assert!(!page.contains("evaluation-form"));
}

async fn an_applicant_account_evaluates_its_own_dossier(backend: Backend) {
    let p = Province::new(backend).await;
    p.person("0987654321", "applicant", None).await;
    let citizen = p.cookie("0912345678").await;
    let other = p.cookie("0987654321").await;
    let desk = p.cookie("motcua").await;
    let mut app = application(&[COMPONENT]);
    app["desk_agency"] = json!("H99.31");
    let body = json!({"action": "submit", "application": app}).to_string();
    let (status, d) = p
        .post(&citizen, "/api/v1/dossiers", &body, Some("web-1"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    let page_url = format!("/ca-nhan/ho-so/{code}/danh-gia");
    // Listed on the applicant's page; not yet to evaluate.
    let personal = p
        .app
        .get_as(&citizen, "/ca-nhan")
        .await
        .text()
        .await
        .unwrap();
    assert!(personal.contains(&code), "{personal}");
    assert!(!personal.contains(&page_url));
    let page = p
        .app
        .get_as(&citizen, &page_url)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("evaluation-notice") && !page.contains("evaluation-form"),
        "{page}"
    );

    let (status, d) = p.act(&desk, &code, "receive", json!({"version": 1})).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    carry_to_return(&p, &code).await;
    let personal = p
        .app
        .get_as(&citizen, "/ca-nhan")
        .await
        .text()
        .await
        .unwrap();
    assert!(personal.contains(&page_url), "{personal}");
    assert!(personal.contains(">Đánh giá</a>"));
    // Another applicant, and staff, do not reach it.
    assert_eq!(
        p.app.get_as(&other, &page_url).await.status(),
        StatusCode::NOT_FOUND
    );
    let response = post_form(&p, Some(&other), &page_url, &answers(["2"; 9])).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        p.app.get_as(&desk, &page_url).await.status(),
        StatusCode::FORBIDDEN
    );
    assert!(
        !p.app
            .get_as(&other, "/ca-nhan")
            .await
            .text()
            .await
            .unwrap()
            .contains(&code)
    );

    let page = p
        .app
        .get_as(&citizen, &page_url)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"evaluation-form\""), "{page}");
    // A score that is not 0, 1 or 2 is named beside its question.
    let response = post_form(
        &p,
        Some(&citizen),
        &page_url,
        &answers(["2", "5", "2", "2", "2", "2", "2", "2", "2"]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"agency_time-error\""), "{page}");
    assert!(page.contains("“5” không phải mức đánh giá"));
    assert!(page.contains("id=\"total_time-2\" checked"));

    let response = post_form(&p, Some(&citizen), &page_url, &answers(["2"; 9])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let personal = p
        .app
        .get_as(&citizen, "/ca-nhan")
        .await
        .text()
        .await
        .unwrap();
    assert!(personal.contains("đã đánh giá, 18/18 điểm"), "{personal}");
    let id = p.app.db.dossier_by_code(&code).await.unwrap().unwrap().id;
    let kept = p.app.db.evaluation(id).await.unwrap().unwrap();
    assert_eq!(
        (kept.channel.as_str(), kept.applicant_login.as_deref()),
        ("account", Some("0912345678"))
    );
    // Once only, whichever way it comes again.
    let response = post_form(&p, Some(&citizen), &page_url, &answers(["0"; 9])).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("chỉ được đánh giá một lần")
    );
    assert_eq!(
        p.app
            .db
            .evaluation(id)
            .await
            .unwrap()
            .unwrap()
            .evaluation
            .total(),
        18
    );
}

async fn evaluate(p: &Province, code: &str, body: Value) -> (StatusCode, Value) {
    let response = p
        .app
        .client
        .post(p.app.url(&format!("/api/v1/lookup/{code}/evaluation")))
        .header("origin", &p.app.base)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn scores(values: [u8; 9]) -> Value {
    let mut map = serde_json::Map::new();
    for (i, v) in motcua_domain::evaluation::INDICATORS.iter().zip(values) {
        map.insert(i.code().into(), json!(v));
    }
    Value::Object(map)
}

async fn the_api_takes_the_secret_and_names_each_bad_score(backend: Backend) {
    let p = Province::new(backend).await;
    let (code, secret) = received(&p, "q-1").await;
    let good = json!({"secret": secret, "scores": scores([2, 1, 2, 2, 2, 2, 2, 2, 1]), "comment": "Nhanh, gọn."});
    let (status, d) = evaluate(&p, &code, good.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{d}");
    assert_eq!(d["type"], "urn:motcua:problem:not-returned");
    carry_to_return(&p, &code).await;

    let (status, d) = evaluate(
        &p,
        &code,
        json!({"secret": "WRONGSECRET1", "scores": scores([2; 9])}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{d}");
    let (status, d) = evaluate(&p, &code, json!({"secret": secret})).await;
    assert_eq!(
        (status, d["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("scores")),
        "{d}"
    );
    let (status, d) = evaluate(&p, &code, json!({"scores": scores([2; 9])})).await;
    assert_eq!(d["errors"][0]["field"], "secret", "{status} {d}");
    let mut bad = scores([2; 9]);
    bad["agency_time"] = json!(3);
    bad["staff_attitude"] = Value::Null;
    bad["one_stop"] = json!("hai");
    let (status, d) = evaluate(
        &p,
        &code,
        json!({"secret": secret, "scores": bad, "comment": "x".repeat(2001)}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{d}");
    let fields: Vec<&str> = d["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "scores.agency_time",
            "scores.one_stop",
            "scores.staff_attitude",
            "comment"
        ]
    );
    let mut unknown = scores([2; 9]);
    unknown["speed"] = json!(2);
    let (status, d) = evaluate(&p, &code, json!({"secret": secret, "scores": unknown})).await;
    assert_eq!(
        (status, d["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("scores.speed")),
        "{d}"
    );
    let id = p.app.db.dossier_by_code(&code).await.unwrap().unwrap().id;
    assert_eq!(
        p.app.db.evaluation(id).await.unwrap(),
        None,
        "nothing half-written"
    );

    let (status, d) = evaluate(&p, &code, good.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    assert_eq!(
        (d["total"].as_u64(), d["max"].as_u64()),
        (Some(16), Some(18))
    );
    assert_eq!(d["scores"]["agency_time"], 1);
    assert_eq!(d["comment"], "Nhanh, gọn.");
    assert!(d["evaluated_at"].as_str().unwrap().ends_with("+07:00"));
    let (status, d) = evaluate(&p, &code, good).await;
    assert_eq!(status, StatusCode::CONFLICT, "{d}");
    assert_eq!(d["type"], "urn:motcua:problem:already-evaluated");
    assert_eq!(
        p.app.db.evaluation(id).await.unwrap().unwrap().channel,
        "api"
    );
}
