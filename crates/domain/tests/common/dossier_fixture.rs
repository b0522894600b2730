//! What the dossier tests share: the official calendar with default office hours, a procedure
//! with a four-step workflow, the people who act on dossiers, and a history that decides
//! commands and folds their events.
#![allow(dead_code)]

use std::sync::OnceLock;

use motcua_calendar::{Date, Instant, OfficeHours, Rules, WorkCalendar, official};
use motcua_domain::catalogue::Procedure;
use motcua_domain::dossier::decide::Actor;
use motcua_domain::dossier::{
    Applicant, Application, Command, Context, Dossier, Event, ReceivedComponent, Refusal, decide,
};
use motcua_domain::organisation::Role;

pub fn calendar() -> &'static WorkCalendar {
    static CALENDAR: OnceLock<WorkCalendar> = OnceLock::new();
    CALENDAR.get_or_init(|| WorkCalendar::build(2020..=2030, &official::shipped().unwrap()))
}

pub fn rules() -> Rules<'static> {
    Rules::new(calendar(), OfficeHours::default())
}

/// `y-m-d` at `h:m`, Vietnam time.
pub fn at(y: i32, m: u32, d: u32, hour: u16, minute: u16) -> Instant {
    Instant::from_local(Date::from_ymd(y, m, d).unwrap(), hour * 60 + minute)
}

pub const CODE: &str = "TEST.DD.001";
pub const AGENCY: &str = "H99.06";
pub const FORM: &str = "Đơn đề nghị";
pub const ID_COPY: &str = "Bản sao Căn cước";
pub const MANDATE: &str = "Văn bản ủy quyền";

/// A procedure of `days` working days (every channel), whose workflow is the desk's receipt
/// (0 days), a processing officer, an approver, and the desk's return (0 days), with the
/// processing and approval budgets given. Two components always required, one only in a case.
pub fn procedure_of(days: &str, processing: &str, approval: &str) -> Procedure {
    let method = |channel: &str| {
        serde_json::json!({
            "channel": channel, "amount": days, "unit": "working_days", "fee": 0,
        })
    };
    let step = |name: &str, role: &str, days: &str| serde_json::json!({ "name": name, "role": role, "agency": AGENCY, "days": days });
    serde_json::from_value(serde_json::json!({
        "code": CODE,
        "name": "Thủ tục thử nghiệm",
        "sector": "DD",
        "level": "province",
        "publication": { "number": "Quyết định số 1/QĐ-UBND", "date": "2025-07-01" },
        "implementing_agency": AGENCY,
        "competent_agency": AGENCY,
        "methods": [method("counter"), method("online"), method("post")],
        "components": [
            { "name": FORM, "originals": 1, "copies": 0 },
            { "name": ID_COPY, "originals": 0, "copies": 1 },
            { "name": MANDATE, "originals": 1, "copies": 0, "case": "Trường hợp ủy quyền" },
        ],
        "online": "partial",
        "counting": { "count_receipt_day": false, "cutoff_applies": true },
        "workflow": [
            step("Tiếp nhận hồ sơ", "desk_officer", "0"),
            step("Thẩm định hồ sơ", "processing_officer", processing),
            step("Phê duyệt kết quả", "approver", approval),
            step("Trả kết quả", "desk_officer", "0"),
        ],
    }))
    .unwrap()
}

/// 10 working days: 7 to process, 3 to approve.
pub fn procedure() -> Procedure {
    procedure_of("10", "7", "3")
}

pub fn component(name: &str) -> ReceivedComponent {
    ReceivedComponent {
        name: name.into(),
        originals: 1,
        copies: 0,
        files: Vec::new(),
    }
}

/// Every component always required, one original each.
pub fn complete_components() -> Vec<ReceivedComponent> {
    vec![component(FORM), component(ID_COPY)]
}

pub fn application(components: Vec<ReceivedComponent>) -> Application {
    Application {
        procedure: CODE.into(),
        procedure_version: 1,
        applicant: Applicant {
            kind: "person".into(),
            name: "Nguyễn Văn An".into(),
            id_number: "001090012345".into(),
            address: "12 Lê Lợi, phường Bến Thành".into(),
            phone: "0912345678".into(),
            email: String::new(),
            representative: String::new(),
        },
        components,
        sets: 1,
        desk_agency: "H99.01".into(),
        deciding_agency: AGENCY.into(),
        served_at: String::new(),
        note: String::new(),
    }
}

pub fn applicant() -> Actor {
    Actor::Applicant {
        login: "nguoinop".into(),
    }
}

pub fn staff(login: &str, role: Role) -> Actor {
    Actor::Staff {
        login: login.into(),
        roles: vec![role],
    }
}

pub fn desk() -> Actor {
    staff("cb.motcua", Role::DeskOfficer)
}

pub fn processing() -> Actor {
    staff("cv.xuly", Role::ProcessingOfficer)
}

pub fn approver() -> Actor {
    staff("ld.pheduyet", Role::Approver)
}

/// A dossier's events with their instants, and its state folded as they came.
#[derive(Debug, Clone)]
pub struct History {
    pub events: Vec<(Event, i64)>,
    pub dossier: Option<Dossier>,
}

impl History {
    pub fn new() -> History {
        History {
            events: Vec::new(),
            dossier: None,
        }
    }

    pub fn dossier(&self) -> &Dossier {
        self.dossier.as_ref().expect("a dossier was opened")
    }

    /// What `decide` answers, without applying it.
    pub fn try_decide(
        &self,
        procedure: &Procedure,
        command: &Command,
        actor: &Actor,
        now: Instant,
    ) -> Result<Vec<Event>, Refusal> {
        let ctx = Context {
            now,
            actor,
            procedure,
            rules: rules(),
        };
        decide(self.dossier.as_ref(), command, &ctx)
    }

    /// Decides and folds the events (`Dossier::open` for the first, `evolve` for the rest).
    pub fn run(
        &mut self,
        procedure: &Procedure,
        command: &Command,
        actor: &Actor,
        now: Instant,
    ) -> Result<Vec<Event>, Refusal> {
        let events = self.try_decide(procedure, command, actor, now)?;
        for event in &events {
            match &mut self.dossier {
                None => self.dossier = Some(Dossier::open(event, now.0).expect("opens")),
                Some(d) => d.evolve(event, now.0),
            }
            self.events.push((event.clone(), now.0));
        }
        Ok(events)
    }

    /// `run`, which must be accepted.
    pub fn must(
        &mut self,
        procedure: &Procedure,
        command: &Command,
        actor: &Actor,
        now: Instant,
    ) -> Vec<Event> {
        self.run(procedure, command, actor, now)
            .unwrap_or_else(|r| panic!("{} by {} refused: {r:?}", command.name(), actor.login()))
    }

    pub fn replayed(&self) -> Option<Dossier> {
        Dossier::replay(self.events.iter().map(|(e, at)| (e, *at)))
    }
}

impl Default for History {
    fn default() -> Self {
        History::new()
    }
}
