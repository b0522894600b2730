//! The printed forms of a dossier (Mẫu 01–06) and a desk's register (Mẫu 07): what they print,
//! gathered from the dossier, its events, its procedure and the agencies' and officers' names.
//! The API and the staff pages both come through here.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use motcua_calendar::{Date, Instant};
use motcua_domain::catalogue::Procedure;
use motcua_domain::dossier::{Event, Stage, step_ends};
use motcua_render::forms::{Extension, Form, HandOver, Issuer, Register, RegisterRow, Sheet, Stop};
use motcua_store::{AgencyRow, DossierRow};

use crate::AppState;
use crate::dossiers::{self, Loaded};
use crate::due::now;
use crate::problem::Problem;

/// A register covers at most this many dossiers; a longer range is asked for in parts.
pub(crate) const REGISTER_LIMIT: usize = 5000;

/// A PDF shown in the browser (to print), named for saving.
pub(crate) fn inline_pdf(name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "inline; filename=\"{}.pdf\"; filename*=UTF-8''{}.pdf",
        name.replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '.',
            "_"
        ),
        crate::auth::encode_component(name)
    );
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The address of the lookup page on the host the request came to, for the QR code.
pub(crate) fn lookup_url(headers: &HeaderMap, code: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!(
        "{scheme}://{host}/tra-cuu?ma={}",
        crate::auth::encode_component(code)
    )
}

/// "UBND xã Minh Sơn" → "Minh Sơn": where papers of the agency are dated.
pub(crate) fn place_of(agency: &str) -> String {
    let words: Vec<&str> = agency.split_whitespace().collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    // The place follows the word for the level: tỉnh, thành phố, xã, phường, đặc khu, thị trấn.
    let after = lower
        .iter()
        .enumerate()
        .find_map(|(i, w)| match w.as_str() {
            "tỉnh" | "xã" | "phường" => Some(i + 1),
            "phố" if i > 0 && lower[i - 1] == "thành" => Some(i + 1),
            "khu" if i > 0 && lower[i - 1] == "đặc" => Some(i + 1),
            "trấn" if i > 0 && lower[i - 1] == "thị" => Some(i + 1),
            _ => None,
        });
    match after {
        Some(i) if i < words.len() => words[i..].join(" "),
        _ => String::new(),
    }
}

/// Names looked up once per form.
struct Names<'a> {
    state: &'a AppState,
    today: String,
    agencies: HashMap<String, String>,
    people: HashMap<String, String>,
}

impl Names<'_> {
    async fn agency(&mut self, id: i64) -> Result<Option<AgencyRow>, Problem> {
        Ok(self.state.db.agency_as_of(id, &self.today).await?)
    }

    /// An agency's name by identifier (`commune` is the deciding commune).
    async fn agency_named(&mut self, identifier: &str, commune: &str) -> String {
        if identifier == "commune" || identifier.is_empty() {
            return commune.to_string();
        }
        if let Some(n) = self.agencies.get(identifier) {
            return n.clone();
        }
        let name = match self
            .state
            .db
            .agency_by_identifier(identifier, &self.today)
            .await
        {
            Ok(a) => a.name,
            Err(_) => identifier.to_string(),
        };
        self.agencies.insert(identifier.to_string(), name.clone());
        name
    }

    /// An officer's full name by login (the login when the account is gone).
    async fn person(&mut self, login: &str) -> String {
        if let Some(n) = self.people.get(login) {
            return n.clone();
        }
        let name = match self.state.db.user_by_login(login).await {
            Ok(Some(u)) if !u.full_name.trim().is_empty() => u.full_name,
            _ => login.to_string(),
        };
        self.people.insert(login.to_string(), name.clone());
        name
    }
}

/// The issuer (heading), the desk's name and the deciding agency's name of a dossier row.
async fn parties(
    names: &mut Names<'_>,
    row: &DossierRow,
) -> Result<(Issuer, String, String), Problem> {
    let desk_agency = names.agency(row.desk_agency_id).await?;
    let deciding = names.agency(row.deciding_agency_id).await?;
    let agency_name = desk_agency
        .as_ref()
        .map(|a| a.name.clone())
        .unwrap_or_default();
    let parent = match desk_agency.as_ref().and_then(|a| a.parent_id) {
        Some(p) => names.agency(p).await?,
        None => None,
    };
    let place = {
        let own = place_of(&agency_name);
        if own.is_empty() {
            parent
                .as_ref()
                .map(|p| place_of(&p.name))
                .unwrap_or_default()
        } else {
            own
        }
    };
    // A desk named only "Bộ phận Một cửa" says whose it is on paper.
    let desk = match names.state.db.desks_of(row.desk_agency_id).await?.first() {
        Some(d) if d.name.contains(&agency_name) => d.name.clone(),
        Some(d) => format!("{} {agency_name}", d.name),
        None => format!("Bộ phận Một cửa {agency_name}"),
    };
    Ok((
        Issuer {
            parent: parent.map(|p| p.name).unwrap_or_default(),
            agency: agency_name,
            place,
        },
        desk,
        deciding.map(|a| a.name).unwrap_or_default(),
    ))
}

/// Everything the forms of a dossier print. `secret` is printed when the caller proved it.
pub(crate) async fn sheet(
    state: &AppState,
    loaded: &Loaded,
    procedure: &Procedure,
    lookup_url: String,
    secret: Option<String>,
) -> Result<Sheet, Problem> {
    let Loaded { row, dossier: d } = loaded;
    let events = dossiers::timeline(state, row).await?;
    let mut names = Names {
        state,
        today: now().local_date().to_string(),
        agencies: HashMap::new(),
        people: HashMap::new(),
    };
    let (issuer, desk, deciding) = parties(&mut names, row).await?;
    let (_, steps) = procedure.workflow_for(&d.application.deciding_agency);
    let step_name = |i: usize| {
        steps
            .get(i)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| format!("Bước {}", i + 1))
    };
    let mut officer = String::new();
    let mut missing: (Vec<String>, String) = Default::default();
    let mut refusal = None;
    let mut extension = None;
    let mut withdrawal = None;
    let mut stop = None;
    let mut duration = None;
    let mut hand_overs = Vec::new();
    let ends = step_ends(events.iter().map(|(r, e)| (r.at, e)));
    for (i, (r, e)) in events.iter().enumerate() {
        let end = ends.iter().find(|end| end.index == i);
        let actor = names.person(&r.actor).await;
        match e {
            Event::Received { duration: dur, .. } => {
                officer = actor.clone();
                duration = Some(*dur);
            }
            Event::CompletionRequested { missing: m, reason } => {
                officer = actor.clone();
                missing = (m.clone(), reason.clone());
            }
            Event::SupplementRequested { items, reason, .. } => {
                missing = (items.clone(), reason.clone());
            }
            Event::Refused { reasons } => {
                officer = actor.clone();
                refusal = Some(reasons.clone());
            }
            Event::ExtensionProposed {
                reason,
                previous_due,
                due,
            } => {
                extension = Some(Extension {
                    at: r.at,
                    reason: reason.clone(),
                    previous_due: *previous_due,
                    due: *due,
                });
            }
            Event::WithdrawalRequested { reason } => withdrawal = Some((r.at, reason.clone())),
            Event::Stopped { reason } => {
                stop = Some(Stop {
                    at: r.at,
                    requested: withdrawal.clone(),
                    reason: reason.clone(),
                    stage: format!("Bước {}: {}", d.step + 1, step_name(d.step)),
                });
            }
            Event::HandedOver {
                from_step,
                to_step,
                to_user,
                note,
                ..
            }
            | Event::SentBack {
                from_step,
                to_step,
                to_user,
                reason: note,
                ..
            } => {
                let agency = match steps.get(*from_step) {
                    Some(s) => names.agency_named(&s.agency, &deciding).await,
                    None => deciding.clone(),
                };
                let receiver = match to_user {
                    Some(u) => format!("{} ({})", step_name(*to_step), names.person(u).await),
                    None => step_name(*to_step),
                };
                hand_overs.push(HandOver {
                    agency,
                    from: format!("{} ({actor})", step_name(*from_step)),
                    to: receiver,
                    at: r.at,
                    due: end.and_then(|end| end.due),
                    note: if matches!(e, Event::SentBack { .. }) {
                        format!("Trả lại: {note}")
                    } else {
                        note.clone()
                    },
                });
            }
            Event::Completed { .. } => hand_overs.push(HandOver {
                agency: deciding.clone(),
                from: format!(
                    "{} ({actor})",
                    step_name(end.map_or(d.step, |end| end.step))
                ),
                to: format!("{desk} (trả kết quả)"),
                at: r.at,
                due: end.and_then(|end| end.due),
                note: String::new(),
            }),
            Event::Returned { channel } => hand_overs.push(HandOver {
                agency: desk.clone(),
                from: format!("{desk} ({actor})"),
                to: format!("Người nộp hồ sơ — {}", channel.vietnamese()),
                at: r.at,
                due: d.due,
                note: String::new(),
            }),
            _ => {}
        }
    }
    Ok(Sheet {
        code: row.code.clone(),
        issuer,
        desk: desk.clone(),
        deciding_agency: deciding,
        coordinating_agencies: procedure.coordinating_agencies.clone(),
        procedure: procedure.name.clone(),
        applicant: d.application.applicant.clone(),
        components: d.application.components.clone(),
        sets: d.application.sets,
        legal_time: duration.map(|t| t.vietnamese()).unwrap_or_default(),
        submitted_at: d.submitted_at,
        received_at: d.received_at,
        due: d.due,
        return_place: desk,
        lookup_url,
        lookup_secret: secret,
        officer,
        missing: missing.0,
        missing_reason: missing.1,
        refusal,
        extension,
        stop: if d.stage == Stage::Stopped {
            stop
        } else {
            None
        },
        hand_overs,
        printed_at: now().0,
    })
}

/// One form of one dossier as PDF, for `person` within reach; a form its story does not allow
/// is refused with 409 and the reason.
pub(crate) async fn dossier_form(
    state: &AppState,
    person: &crate::auth::Person,
    headers: &HeaderMap,
    code: &str,
    form: &str,
    secret: Option<&str>,
) -> Result<Response, Problem> {
    let Some(form) = Form::from_slug(form).filter(|f| *f != Form::Register) else {
        return Err(Problem::not_found(format!(
            "Không có mẫu “{form}”: receipt, completion-request, refusal, apology, stop-notice, control-sheet."
        )));
    };
    let loaded = dossiers::load(state, code).await?;
    dossiers::may(
        state,
        person,
        &loaded.row,
        motcua_domain::organisation::access::Action::ReadDossiers,
    )
    .await?;
    let procedure = dossiers::procedure_of(state, &loaded.row).await?;
    // The secret prints only when it is the dossier's own (right after receipt).
    let secret = secret
        .filter(|s| dossiers::secret_matches(&loaded.row.lookup_hash, s))
        .map(|s| s.trim().to_uppercase());
    let sheet = sheet(
        state,
        &loaded,
        &procedure,
        lookup_url(headers, code),
        secret,
    )
    .await?;
    let pdf = form.render(&sheet).map_err(|reason| {
        Problem::new(
            axum::http::StatusCode::CONFLICT,
            "form-not-applicable",
            "Hồ sơ không có mẫu này",
        )
        .detail(reason)
    })?;
    Ok(inline_pdf(&format!("{}-{}", form.slug(), code), pdf))
}

/// A desk's register from `from` to `to` (both days included).
pub(crate) async fn register(
    state: &AppState,
    agency: &AgencyRow,
    from: Date,
    to: Date,
) -> Result<Register, Problem> {
    if to < from {
        return Err(Problem::invalid(
            "to",
            "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.",
        ));
    }
    let start = Instant::from_local(from, 0).0;
    let end = Instant::from_local(to.add_days(1), 0).0;
    let rows = state
        .db
        .received_at_desk(agency.id, start, end, REGISTER_LIMIT as i64 + 1)
        .await?;
    if rows.len() > REGISTER_LIMIT {
        return Err(Problem::invalid(
            "to",
            format!(
                "Khoảng ngày có hơn {REGISTER_LIMIT} hồ sơ; chọn khoảng ngắn hơn (ví dụ từng tháng)."
            ),
        ));
    }
    let mut names = Names {
        state,
        today: now().local_date().to_string(),
        agencies: HashMap::new(),
        people: HashMap::new(),
    };
    let mut out = Vec::with_capacity(rows.len());
    let mut heading = None;
    for row in rows {
        if heading.is_none() {
            heading = Some(parties(&mut names, &row).await?);
        }
        let lead = match names.agency(row.deciding_agency_id).await? {
            Some(a) => a.name,
            None => String::new(),
        };
        let loaded = dossiers::unpack(row)?;
        let procedure = dossiers::procedure_of(state, &loaded.row).await?;
        let events = dossiers::timeline(state, &loaded.row).await?;
        let d = &loaded.dossier;
        let first =
            |want: fn(&Event) -> bool| events.iter().find(|(_, e)| want(e)).map(|(r, _)| r.at);
        let a = &d.application.applicant;
        out.push(RegisterRow {
            code: loaded.row.code.clone(),
            procedure: procedure.name.clone(),
            sets: d.application.sets,
            applicant: a.name.clone(),
            contact: [a.address.as_str(), a.phone.as_str()]
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
                .join("; "),
            lead_agency: lead,
            received: d.received_at,
            due: d.due,
            sent: first(|e| matches!(e, Event::HandedOver { from_step: 0, .. })),
            result_back: first(|e| matches!(e, Event::Completed { .. })),
            returned: first(|e| matches!(e, Event::Returned { .. })),
            note: match d.stage {
                Stage::Stopped => "Dừng xử lý".into(),
                Stage::Refused => "Từ chối".into(),
                _ if d.extended => "Có gia hạn, xin lỗi".into(),
                _ => String::new(),
            },
        });
    }
    let (issuer, desk) = match heading {
        Some((issuer, desk, _)) => (issuer, desk),
        None => (
            Issuer {
                parent: String::new(),
                agency: agency.name.clone(),
                place: place_of(&agency.name),
            },
            format!("Bộ phận Một cửa {}", agency.name),
        ),
    };
    Ok(Register {
        issuer,
        desk,
        from,
        to,
        rows: out,
        printed_at: now().0,
    })
}

/// The register of the desk of the agency `identifier` as PDF (inline) or XLSX (download), for
/// staff whose reach holds that agency.
pub(crate) async fn register_file(
    state: &AppState,
    staff: &crate::auth::Staff,
    identifier: &str,
    from: Date,
    to: Date,
    xlsx: bool,
) -> Result<Response, Problem> {
    let unknown = || Problem::not_found(format!("Không có cơ quan mã “{identifier}”."));
    let agency = state
        .db
        .agency_by_identifier(identifier, &now().local_date().to_string())
        .await
        .map_err(|_| unknown())?;
    let reach = staff
        .reach(
            state,
            motcua_domain::organisation::access::Action::ReadDossiers,
            true,
        )
        .await
        .map_err(|_| unknown())?;
    if !reach.contains(Some(agency.id)) {
        return Err(unknown());
    }
    let register = register(state, &agency, from, to).await?;
    let name = format!("so-theo-doi-{identifier}-{from}-{to}");
    crate::reports::file(
        &name,
        if xlsx { "xlsx" } else { "pdf" },
        || register.xlsx(),
        || register.pdf(),
    )
}

/// The forms a dossier's story has, with their names on screen: what the dossier page offers to
/// print (the rest are refused, as `Form::render` says why).
pub(crate) fn printable(
    d: &motcua_domain::dossier::Dossier,
    events: &[(motcua_store::EventRow, Event)],
) -> Vec<(&'static str, &'static str)> {
    let has = |want: fn(&Event) -> bool| events.iter().any(|(_, e)| want(e));
    let mut out = Vec::new();
    if d.received_at.is_some() {
        out.push((
            Form::Receipt.slug(),
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        ));
    }
    if has(|e| {
        matches!(
            e,
            Event::CompletionRequested { .. } | Event::SupplementRequested { .. }
        )
    }) {
        out.push((
            Form::CompletionRequest.slug(),
            "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        ));
    }
    if has(|e| matches!(e, Event::Refused { .. })) {
        out.push((
            Form::Refusal.slug(),
            "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        ));
    }
    if has(|e| matches!(e, Event::ExtensionProposed { .. })) {
        out.push((
            Form::Apology.slug(),
            "Văn bản xin lỗi và hẹn lại ngày trả kết quả",
        ));
    }
    if d.stage == Stage::Stopped {
        out.push((Form::StopNotice.slug(), "Thông báo dừng giải quyết hồ sơ"));
    }
    if d.received_at.is_some() {
        out.push((
            Form::ControlSheet.slug(),
            "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::place_of;

    #[test]
    fn the_place_is_what_follows_the_level() {
        assert_eq!(place_of("UBND xã Minh Sơn"), "Minh Sơn");
        assert_eq!(place_of("Ủy ban nhân dân Phường Minh Sơn"), "Minh Sơn");
        assert_eq!(place_of("UBND tỉnh Hồng Châu"), "Hồng Châu");
        assert_eq!(place_of("UBND thành phố Hải Phòng"), "Hải Phòng");
        assert_eq!(place_of("Sở Nông nghiệp và Môi trường"), "");
    }
}
