//! Every command from every stage, by every kind of person, against a table written out by
//! hand; then the rules around the edges of the lifecycle (DOMAIN §4 and §6): supplements,
//! extensions, stopping, required components, the worked example of the appointment, and every
//! procedure of the demo catalogue taken through its own workflow.

use motcua_calendar::{Finished, Instant};
use motcua_domain::catalogue::{Catalogue, Procedure, StepAction};
use motcua_domain::dossier::decide::Actor;
use motcua_domain::dossier::event::{Line, Pause, read_timeline, timeline_entry};
use motcua_domain::dossier::status::Channel;
use motcua_domain::dossier::{
    ALL_STAGES, Command, Dossier, Event, ReceivedComponent, Refusal, ReturnChannel, Stage,
};
use motcua_domain::organisation::Role;

#[path = "common/dossier_fixture.rs"]
mod fixture;
use fixture::*;

/// The paths the table starts from, all on Monday 11 May 2026 from 08:00, a quarter of an hour
/// apart: a 10-working-day dossier received at 08:15 is due Monday 25 May 2026 at 17:00.
const PATHS: [&str; 13] = [
    "none",
    "submitted",
    "completion_requested",
    "refused",
    "received",
    "processing",
    "approval",
    "supplement_requested",
    "payment_requested",
    "withdrawal_requested",
    "stopped",
    "done",
    "returned",
];

/// The history a path names: `none` is no dossier yet; `received` is at the desk's step (0),
/// `processing` at the processing officer's (1), `approval` at the approver's (2); the pauses
/// and the withdrawal are asked for at step 1; `done` is approved at step 2.
fn reach(path: &str, procedure: &Procedure) -> History {
    let mut h = History::new();
    let mut clock = at(2026, 5, 11, 8, 0);
    let mut step = |h: &mut History, command: Command, actor: Actor| {
        h.must(procedure, &command, &actor, clock);
        clock = Instant(clock.0 + 15 * 60 * 1_000_000);
    };
    if path == "none" {
        return h;
    }
    step(&mut h, command("submit"), applicant());
    match path {
        "submitted" => {}
        "completion_requested" => step(&mut h, command("request_completion"), desk()),
        "refused" => step(&mut h, command("refuse"), desk()),
        _ => {
            step(&mut h, command("receive"), desk());
            if path == "received" {
                return h;
            }
            step(&mut h, command("hand_over"), desk());
            match path {
                "processing" => {}
                "supplement_requested" => step(&mut h, command("request_supplement"), processing()),
                "payment_requested" => step(&mut h, command("request_payment"), processing()),
                "withdrawal_requested" | "stopped" => {
                    step(&mut h, command("request_withdrawal"), applicant());
                    if path == "stopped" {
                        step(&mut h, command("stop"), desk());
                    }
                }
                "approval" | "done" | "returned" => {
                    step(&mut h, command("hand_over"), processing());
                    if path != "approval" {
                        step(&mut h, command("complete"), approver());
                    }
                    if path == "returned" {
                        step(&mut h, command("return"), desk());
                    }
                }
                other => panic!("no path {other}"),
            }
        }
    }
    h
}

/// The command of each name, with a payload that is valid wherever the command is allowed, so
/// that only the stage, the person and the step decide.
fn command(name: &str) -> Command {
    match name {
        "submit" => Command::Submit {
            application: application(complete_components()),
        },
        "receive" => Command::Receive {
            application: None,
            channel: Channel::Counter,
        },
        "request_completion" => Command::RequestCompletion {
            application: None,
            channel: Channel::Counter,
            missing: vec![ID_COPY.into()],
            reason: "Thiếu bản sao Căn cước".into(),
        },
        "provide_completion" => Command::ProvideCompletion {
            components: complete_components(),
        },
        "refuse" => Command::Refuse {
            application: None,
            channel: Channel::Counter,
            reasons: "Không thuộc thẩm quyền".into(),
        },
        "hand_over" => Command::HandOver {
            to_user: None,
            note: String::new(),
        },
        "send_back" => Command::SendBack {
            to_user: None,
            reason: "Cần kiểm tra lại".into(),
        },
        "request_supplement" => Command::RequestSupplement {
            reason: "Bản vẽ không rõ".into(),
            items: vec!["Bản vẽ sơ đồ thửa đất".into()],
            applicant_due: "2026-06-30".into(),
            second_reason: String::new(),
        },
        "provide_supplement" => Command::ProvideSupplement {
            components: Vec::new(),
        },
        "request_payment" => Command::RequestPayment {
            amount: 500_000,
            reason: "Lệ phí cấp Giấy chứng nhận".into(),
        },
        "confirm_payment" => Command::ConfirmPayment {},
        "propose_extension" => Command::ProposeExtension {
            reason: "Cần xác minh thực địa".into(),
            due: at(2026, 6, 5, 17, 0).0,
        },
        "consult" => Command::Consult {
            agency: "H99.21".into(),
            request: "Xác định nghĩa vụ tài chính".into(),
        },
        "answer_consult" => Command::AnswerConsult {
            agency: "H99.21".into(),
            answer: "Đã xác định".into(),
        },
        "request_withdrawal" => Command::RequestWithdrawal {
            reason: "Không còn nhu cầu".into(),
        },
        "stop" => Command::Stop {
            reason: "Theo đề nghị của người nộp".into(),
        },
        "complete" => Command::Complete {
            result: "Giấy chứng nhận số 123".into(),
        },
        "return" => Command::Return {
            channel: ReturnChannel::Counter,
        },
        other => panic!("no command {other}"),
    }
}

/// The table's columns, by the position of the command in it; a match without a wildcard, so a
/// new command does not compile until it has its rows.
fn command_index(c: &Command) -> usize {
    match c {
        Command::Submit { .. } => 0,
        Command::Receive { .. } => 1,
        Command::RequestCompletion { .. } => 2,
        Command::ProvideCompletion { .. } => 3,
        Command::Refuse { .. } => 4,
        Command::HandOver { .. } => 5,
        Command::SendBack { .. } => 6,
        Command::RequestSupplement { .. } => 7,
        Command::ProvideSupplement { .. } => 8,
        Command::RequestPayment { .. } => 9,
        Command::ConfirmPayment {} => 10,
        Command::ProposeExtension { .. } => 11,
        Command::Consult { .. } => 12,
        Command::AnswerConsult { .. } => 13,
        Command::RequestWithdrawal { .. } => 14,
        Command::Stop { .. } => 15,
        Command::Complete { .. } => 16,
        Command::Return { .. } => 17,
    }
}

const COMMANDS: [&str; 18] = [
    "submit",
    "receive",
    "request_completion",
    "provide_completion",
    "refuse",
    "hand_over",
    "send_back",
    "request_supplement",
    "provide_supplement",
    "request_payment",
    "confirm_payment",
    "propose_extension",
    "consult",
    "answer_consult",
    "request_withdrawal",
    "stop",
    "complete",
    "return",
];

/// The people of the table's columns.
fn actors() -> [(&'static str, Actor); 4] {
    [
        ("applicant", applicant()),
        ("desk", desk()),
        ("processing", processing()),
        ("approver", approver()),
    ]
}

/// When every command of the table is tried: Tuesday 12 May 2026, 09:00.
fn table_now() -> Instant {
    at(2026, 5, 12, 9, 0)
}

/// What each person gets from each command on each path, in the order of `actors()`:
/// `=stage` accepted (`=processing@n`: at workflow step n), `!stage` refused for the stage,
/// `!role` refused for the person's roles, `?field` refused as invalid in that field
/// (`?action`: the step does not allow it; `?application`: a dossier exists already; `?code`: no
/// dossier yet).
#[rustfmt::skip]
const TABLE: &[(&str, &str, [&str; 4])] = &[
    // path                  command               applicant                desk                     processing               approver
    ("none",                 "submit",             ["=submitted",            "!role",                 "!role",                 "!role"]),
    ("none",                 "receive",            ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "request_completion", ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "provide_completion", ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "refuse",             ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "hand_over",          ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "send_back",          ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "request_supplement", ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "provide_supplement", ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "request_payment",    ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "confirm_payment",    ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "propose_extension",  ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "consult",            ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "answer_consult",     ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "request_withdrawal", ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "stop",               ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "complete",           ["?code",                 "?code",                 "?code",                 "?code"]),
    ("none",                 "return",             ["?code",                 "?code",                 "?code",                 "?code"]),

    ("submitted",            "submit",             ["?application",          "?application",          "?application",          "?application"]),
    ("submitted",            "receive",            ["!role",                 "=received",             "!role",                 "!role"]),
    ("submitted",            "request_completion", ["!role",                 "=completion_requested", "!role",                 "!role"]),
    ("submitted",            "provide_completion", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("submitted",            "refuse",             ["!role",                 "=refused",              "!role",                 "!role"]),
    ("submitted",            "hand_over",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("submitted",            "send_back",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("submitted",            "request_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("submitted",            "provide_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("submitted",            "request_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("submitted",            "confirm_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("submitted",            "propose_extension",  ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("submitted",            "consult",            ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("submitted",            "answer_consult",     ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("submitted",            "request_withdrawal", ["=withdrawal_requested", "=withdrawal_requested", "!role",                 "!role"]),
    ("submitted",            "stop",               ["!role",                 "=stopped",              "!role",                 "!role"]),
    ("submitted",            "complete",           ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("submitted",            "return",             ["!role",                 "!stage",                "!role",                 "!role"]),

    ("completion_requested", "submit",             ["?application",          "?application",          "?application",          "?application"]),
    ("completion_requested", "receive",            ["!role",                 "!stage",                "!role",                 "!role"]),
    ("completion_requested", "request_completion", ["!role",                 "!stage",                "!role",                 "!role"]),
    ("completion_requested", "provide_completion", ["=submitted",            "=submitted",            "!role",                 "!role"]),
    ("completion_requested", "refuse",             ["!role",                 "=refused",              "!role",                 "!role"]),
    ("completion_requested", "hand_over",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("completion_requested", "send_back",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("completion_requested", "request_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("completion_requested", "provide_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("completion_requested", "request_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("completion_requested", "confirm_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("completion_requested", "propose_extension",  ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("completion_requested", "consult",            ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("completion_requested", "answer_consult",     ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("completion_requested", "request_withdrawal", ["=withdrawal_requested", "=withdrawal_requested", "!role",                 "!role"]),
    ("completion_requested", "stop",               ["!role",                 "=stopped",              "!role",                 "!role"]),
    ("completion_requested", "complete",           ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("completion_requested", "return",             ["!role",                 "!stage",                "!role",                 "!role"]),

    ("refused",              "submit",             ["?application",          "?application",          "?application",          "?application"]),
    ("refused",              "receive",            ["!role",                 "!stage",                "!role",                 "!role"]),
    ("refused",              "request_completion", ["!role",                 "!stage",                "!role",                 "!role"]),
    ("refused",              "provide_completion", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("refused",              "refuse",             ["!role",                 "!stage",                "!role",                 "!role"]),
    ("refused",              "hand_over",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("refused",              "send_back",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("refused",              "request_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("refused",              "provide_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("refused",              "request_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("refused",              "confirm_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("refused",              "propose_extension",  ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("refused",              "consult",            ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("refused",              "answer_consult",     ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("refused",              "request_withdrawal", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("refused",              "stop",               ["!role",                 "!stage",                "!role",                 "!role"]),
    ("refused",              "complete",           ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("refused",              "return",             ["!role",                 "!stage",                "!role",                 "!role"]),

    ("received",             "submit",             ["?application",          "?application",          "?application",          "?application"]),
    ("received",             "receive",            ["!role",                 "!stage",                "!role",                 "!role"]),
    ("received",             "request_completion", ["!role",                 "!stage",                "!role",                 "!role"]),
    ("received",             "provide_completion", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("received",             "refuse",             ["!role",                 "!stage",                "!role",                 "!role"]),
    ("received",             "hand_over",          ["!role",                 "=processing@1",         "!role",                 "!role"]),
    ("received",             "send_back",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("received",             "request_supplement", ["!role",                 "=supplement_requested", "!role",                 "!role"]),
    ("received",             "provide_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("received",             "request_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("received",             "confirm_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("received",             "propose_extension",  ["!role",                 "?action",               "!role",                 "!role"]),
    ("received",             "consult",            ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("received",             "answer_consult",     ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("received",             "request_withdrawal", ["=withdrawal_requested", "=withdrawal_requested", "!role",                 "!role"]),
    ("received",             "stop",               ["!role",                 "=stopped",              "!role",                 "!role"]),
    ("received",             "complete",           ["!role",                 "?action",               "!role",                 "!role"]),
    ("received",             "return",             ["!role",                 "!stage",                "!role",                 "!role"]),

    ("processing",           "submit",             ["?application",          "?application",          "?application",          "?application"]),
    ("processing",           "receive",            ["!role",                 "!stage",                "!role",                 "!role"]),
    ("processing",           "request_completion", ["!role",                 "!stage",                "!role",                 "!role"]),
    ("processing",           "provide_completion", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("processing",           "refuse",             ["!role",                 "!stage",                "!role",                 "!role"]),
    ("processing",           "hand_over",          ["!role",                 "!role",                 "=processing@2",         "!role"]),
    ("processing",           "send_back",          ["!role",                 "!role",                 "=processing@0",         "!role"]),
    ("processing",           "request_supplement", ["!role",                 "!role",                 "=supplement_requested", "!role"]),
    ("processing",           "provide_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("processing",           "request_payment",    ["!role",                 "!role",                 "=payment_requested",    "!role"]),
    ("processing",           "confirm_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("processing",           "propose_extension",  ["!role",                 "!role",                 "=processing@1",         "!role"]),
    ("processing",           "consult",            ["!role",                 "!role",                 "=processing@1",         "!role"]),
    ("processing",           "answer_consult",     ["!role",                 "!role",                 "=processing@1",         "!role"]),
    ("processing",           "request_withdrawal", ["=withdrawal_requested", "=withdrawal_requested", "!role",                 "!role"]),
    ("processing",           "stop",               ["!role",                 "=stopped",              "!role",                 "!role"]),
    ("processing",           "complete",           ["!role",                 "!role",                 "?action",               "!role"]),
    ("processing",           "return",             ["!role",                 "!stage",                "!role",                 "!role"]),

    ("approval",             "submit",             ["?application",          "?application",          "?application",          "?application"]),
    ("approval",             "receive",            ["!role",                 "!stage",                "!role",                 "!role"]),
    ("approval",             "request_completion", ["!role",                 "!stage",                "!role",                 "!role"]),
    ("approval",             "provide_completion", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("approval",             "refuse",             ["!role",                 "!stage",                "!role",                 "!role"]),
    ("approval",             "hand_over",          ["!role",                 "!role",                 "!role",                 "?action"]),
    ("approval",             "send_back",          ["!role",                 "!role",                 "!role",                 "=processing@1"]),
    ("approval",             "request_supplement", ["!role",                 "!role",                 "!role",                 "?action"]),
    ("approval",             "provide_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("approval",             "request_payment",    ["!role",                 "!role",                 "!role",                 "?action"]),
    ("approval",             "confirm_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("approval",             "propose_extension",  ["!role",                 "!role",                 "!role",                 "=processing@2"]),
    ("approval",             "consult",            ["!role",                 "!role",                 "!role",                 "?action"]),
    ("approval",             "answer_consult",     ["!role",                 "!role",                 "!role",                 "?action"]),
    ("approval",             "request_withdrawal", ["=withdrawal_requested", "=withdrawal_requested", "!role",                 "!role"]),
    ("approval",             "stop",               ["!role",                 "=stopped",              "!role",                 "!role"]),
    ("approval",             "complete",           ["!role",                 "!role",                 "!role",                 "=done"]),
    ("approval",             "return",             ["!role",                 "!stage",                "!role",                 "!role"]),

    ("supplement_requested", "submit",             ["?application",          "?application",          "?application",          "?application"]),
    ("supplement_requested", "receive",            ["!role",                 "!stage",                "!role",                 "!role"]),
    ("supplement_requested", "request_completion", ["!role",                 "!stage",                "!role",                 "!role"]),
    ("supplement_requested", "provide_completion", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("supplement_requested", "refuse",             ["!role",                 "!stage",                "!role",                 "!role"]),
    ("supplement_requested", "hand_over",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("supplement_requested", "send_back",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("supplement_requested", "request_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("supplement_requested", "provide_supplement", ["=processing@1",         "=processing@1",         "=processing@1",         "!role"]),
    ("supplement_requested", "request_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("supplement_requested", "confirm_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("supplement_requested", "propose_extension",  ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("supplement_requested", "consult",            ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("supplement_requested", "answer_consult",     ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("supplement_requested", "request_withdrawal", ["=withdrawal_requested", "=withdrawal_requested", "!role",                 "!role"]),
    ("supplement_requested", "stop",               ["!role",                 "=stopped",              "!role",                 "!role"]),
    ("supplement_requested", "complete",           ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("supplement_requested", "return",             ["!role",                 "!stage",                "!role",                 "!role"]),

    ("payment_requested",    "submit",             ["?application",          "?application",          "?application",          "?application"]),
    ("payment_requested",    "receive",            ["!role",                 "!stage",                "!role",                 "!role"]),
    ("payment_requested",    "request_completion", ["!role",                 "!stage",                "!role",                 "!role"]),
    ("payment_requested",    "provide_completion", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("payment_requested",    "refuse",             ["!role",                 "!stage",                "!role",                 "!role"]),
    ("payment_requested",    "hand_over",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("payment_requested",    "send_back",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("payment_requested",    "request_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("payment_requested",    "provide_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("payment_requested",    "request_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("payment_requested",    "confirm_payment",    ["!role",                 "=processing@1",         "=processing@1",         "!role"]),
    ("payment_requested",    "propose_extension",  ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("payment_requested",    "consult",            ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("payment_requested",    "answer_consult",     ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("payment_requested",    "request_withdrawal", ["=withdrawal_requested", "=withdrawal_requested", "!role",                 "!role"]),
    ("payment_requested",    "stop",               ["!role",                 "=stopped",              "!role",                 "!role"]),
    ("payment_requested",    "complete",           ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("payment_requested",    "return",             ["!role",                 "!stage",                "!role",                 "!role"]),

    ("withdrawal_requested", "submit",             ["?application",          "?application",          "?application",          "?application"]),
    ("withdrawal_requested", "receive",            ["!role",                 "!stage",                "!role",                 "!role"]),
    ("withdrawal_requested", "request_completion", ["!role",                 "!stage",                "!role",                 "!role"]),
    ("withdrawal_requested", "provide_completion", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("withdrawal_requested", "refuse",             ["!role",                 "!stage",                "!role",                 "!role"]),
    ("withdrawal_requested", "hand_over",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("withdrawal_requested", "send_back",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("withdrawal_requested", "request_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("withdrawal_requested", "provide_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("withdrawal_requested", "request_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("withdrawal_requested", "confirm_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("withdrawal_requested", "propose_extension",  ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("withdrawal_requested", "consult",            ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("withdrawal_requested", "answer_consult",     ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("withdrawal_requested", "request_withdrawal", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("withdrawal_requested", "stop",               ["!role",                 "=stopped",              "!role",                 "!role"]),
    ("withdrawal_requested", "complete",           ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("withdrawal_requested", "return",             ["!role",                 "!stage",                "!role",                 "!role"]),

    ("stopped",              "submit",             ["?application",          "?application",          "?application",          "?application"]),
    ("stopped",              "receive",            ["!role",                 "!stage",                "!role",                 "!role"]),
    ("stopped",              "request_completion", ["!role",                 "!stage",                "!role",                 "!role"]),
    ("stopped",              "provide_completion", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("stopped",              "refuse",             ["!role",                 "!stage",                "!role",                 "!role"]),
    ("stopped",              "hand_over",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("stopped",              "send_back",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("stopped",              "request_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("stopped",              "provide_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("stopped",              "request_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("stopped",              "confirm_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("stopped",              "propose_extension",  ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("stopped",              "consult",            ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("stopped",              "answer_consult",     ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("stopped",              "request_withdrawal", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("stopped",              "stop",               ["!role",                 "!stage",                "!role",                 "!role"]),
    ("stopped",              "complete",           ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("stopped",              "return",             ["!role",                 "!stage",                "!role",                 "!role"]),

    ("done",                 "submit",             ["?application",          "?application",          "?application",          "?application"]),
    ("done",                 "receive",            ["!role",                 "!stage",                "!role",                 "!role"]),
    ("done",                 "request_completion", ["!role",                 "!stage",                "!role",                 "!role"]),
    ("done",                 "provide_completion", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("done",                 "refuse",             ["!role",                 "!stage",                "!role",                 "!role"]),
    ("done",                 "hand_over",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("done",                 "send_back",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("done",                 "request_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("done",                 "provide_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("done",                 "request_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("done",                 "confirm_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("done",                 "propose_extension",  ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("done",                 "consult",            ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("done",                 "answer_consult",     ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("done",                 "request_withdrawal", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("done",                 "stop",               ["!role",                 "!stage",                "!role",                 "!role"]),
    ("done",                 "complete",           ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("done",                 "return",             ["!role",                 "=returned",             "!role",                 "!role"]),

    ("returned",             "submit",             ["?application",          "?application",          "?application",          "?application"]),
    ("returned",             "receive",            ["!role",                 "!stage",                "!role",                 "!role"]),
    ("returned",             "request_completion", ["!role",                 "!stage",                "!role",                 "!role"]),
    ("returned",             "provide_completion", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("returned",             "refuse",             ["!role",                 "!stage",                "!role",                 "!role"]),
    ("returned",             "hand_over",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("returned",             "send_back",          ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("returned",             "request_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("returned",             "provide_supplement", ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("returned",             "request_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("returned",             "confirm_payment",    ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("returned",             "propose_extension",  ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("returned",             "consult",            ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("returned",             "answer_consult",     ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("returned",             "request_withdrawal", ["!stage",                "!stage",                "!role",                 "!role"]),
    ("returned",             "stop",               ["!role",                 "!stage",                "!role",                 "!role"]),
    ("returned",             "complete",           ["!stage",                "!stage",                "!stage",                "!stage"]),
    ("returned",             "return",             ["!role",                 "!stage",                "!role",                 "!role"]),

];

/// What `decide` answered, in the table's notation.
fn outcome(h: &History, result: Result<Vec<Event>, Refusal>, now: Instant) -> String {
    match result {
        Ok(events) => {
            let mut d = h.dossier.clone();
            for e in &events {
                match &mut d {
                    None => d = Dossier::open(e, now.0),
                    Some(d) => d.evolve(e, now.0),
                }
            }
            let d = d.expect("a dossier after an accepted command");
            assert_eq!(
                d.version,
                h.dossier.as_ref().map_or(0, |d| d.version) + events.len() as i64
            );
            if d.stage == Stage::Processing {
                format!("=processing@{}", d.step)
            } else {
                format!("={}", d.stage.code())
            }
        }
        Err(Refusal::Stage { stage, action }) => {
            assert_eq!(Some(stage), h.dossier.as_ref().map(|d| d.stage));
            assert!(COMMANDS.contains(&action));
            "!stage".into()
        }
        Err(Refusal::Role { .. }) => "!role".into(),
        Err(Refusal::Invalid { field, .. }) => format!("?{field}"),
        Err(Refusal::Deadline(m)) => format!("!deadline {m}"),
    }
}

#[test]
fn every_command_on_every_path_by_every_person() {
    let procedure = procedure();
    // The table has each (path, command) exactly once, in order.
    let keys: Vec<(&str, &str)> = TABLE.iter().map(|(p, c, _)| (*p, *c)).collect();
    let expected: Vec<(&str, &str)> = PATHS
        .iter()
        .flat_map(|p| COMMANDS.iter().map(move |c| (*p, *c)))
        .collect();
    assert_eq!(keys, expected);
    for (i, name) in COMMANDS.iter().enumerate() {
        assert_eq!(command(name).name(), *name);
        assert_eq!(command_index(&command(name)), i);
    }

    let mut wrong = Vec::new();
    for (path, name, cells) in TABLE {
        let h = reach(path, &procedure);
        let c = command(name);
        for ((who, actor), want) in actors().iter().zip(cells) {
            let got = outcome(
                &h,
                h.try_decide(&procedure, &c, actor, table_now()),
                table_now(),
            );
            if got != *want {
                wrong.push(format!(
                    "{path:22} {name:20} {who:10} expected {want:24} got {got}"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_paths_reach_every_stage_and_every_national_code() {
    let procedure = procedure();
    // Total: every stage has a code from 1 to 10 (the match in `national_code` has no
    // wildcard); and a name and a stable text code.
    for stage in ALL_STAGES {
        assert!((1..=10).contains(&stage.national_code()), "{stage:?}");
        assert!(!stage.national_name().is_empty());
        assert_eq!(Stage::from_code(stage.code()), Some(stage));
    }
    let mut stages: Vec<Stage> = Vec::new();
    let mut codes: Vec<u8> = Vec::new();
    for path in &PATHS[1..] {
        let h = reach(path, &procedure);
        let d = h.dossier();
        assert_eq!(h.replayed().as_ref(), Some(d), "{path}");
        assert_eq!(d.version as usize, h.events.len(), "{path}");
        stages.push(d.stage);
        codes.push(d.stage.national_code());
    }
    stages.sort_by_key(|s| s.code());
    stages.dedup();
    assert_eq!(stages.len(), ALL_STAGES.len(), "{stages:?}");
    codes.sort();
    codes.dedup();
    assert_eq!(codes, (1..=10).collect::<Vec<u8>>());
    // Distinct codes have distinct names; the two requests to complete share 5.
    assert_eq!(Stage::CompletionRequested.national_code(), 5);
    assert_eq!(Stage::SupplementRequested.national_code(), 5);
    let mut names: Vec<&str> = ALL_STAGES.iter().map(|s| s.national_name()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 10);
    for (channel, code) in [
        (Channel::Counter, 1),
        (Channel::Online, 2),
        (Channel::Post, 3),
    ] {
        assert_eq!(channel.national_code(), code);
    }
}

#[test]
fn only_final_stages_leave_nothing_to_do() {
    // A dossier that is not final can always go somewhere, by someone; a final one nowhere.
    let procedure = procedure();
    for path in &PATHS[1..] {
        let h = reach(path, &procedure);
        let accepted: Vec<String> = COMMANDS
            .iter()
            .flat_map(|name| {
                actors()
                    .into_iter()
                    .filter(|(_, actor)| {
                        h.try_decide(&procedure, &command(name), actor, table_now())
                            .is_ok()
                    })
                    .map(move |(who, _)| format!("{name} by {who}"))
            })
            .collect();
        let stage = h.dossier().stage;
        assert_eq!(
            accepted.is_empty(),
            stage.is_final(),
            "{path}: {accepted:?}"
        );
    }
}

#[test]
fn opening_a_dossier() {
    let procedure = procedure();
    let now = at(2026, 5, 11, 9, 0);
    let with = |components: Vec<ReceivedComponent>| Some(application(components));
    let cases: Vec<(Command, Actor, &str)> = vec![
        (command("submit"), applicant(), "=submitted"),
        (command("submit"), desk(), "!role"),
        (
            Command::Receive {
                application: with(complete_components()),
                channel: Channel::Counter,
            },
            desk(),
            "=received",
        ),
        (
            Command::Receive {
                application: with(complete_components()),
                channel: Channel::Post,
            },
            applicant(),
            "!role",
        ),
        (
            Command::Receive {
                application: with(complete_components()),
                channel: Channel::Post,
            },
            processing(),
            "!role",
        ),
        (
            Command::RequestCompletion {
                application: with(vec![component(FORM)]),
                channel: Channel::Counter,
                missing: vec![ID_COPY.into()],
                reason: String::new(),
            },
            desk(),
            "=completion_requested",
        ),
        (
            Command::RequestCompletion {
                application: with(vec![component(FORM)]),
                channel: Channel::Counter,
                missing: vec!["  ".into()],
                reason: String::new(),
            },
            desk(),
            "?missing",
        ),
        (
            Command::Refuse {
                application: with(Vec::new()),
                channel: Channel::Counter,
                reasons: "Không thuộc thẩm quyền".into(),
            },
            desk(),
            "=refused",
        ),
        (
            Command::Refuse {
                application: with(Vec::new()),
                channel: Channel::Counter,
                reasons: " ".into(),
            },
            desk(),
            "?reasons",
        ),
    ];
    let h = History::new();
    for (c, actor, want) in cases {
        let got = outcome(&h, h.try_decide(&procedure, &c, &actor, now), now);
        assert_eq!(got, want, "{} by {}", c.name(), actor.login());
    }

    // The application is checked whatever opens it.
    let mut wrong_code = application(complete_components());
    wrong_code.procedure = "OTHER".into();
    let mut no_name = application(complete_components());
    no_name.applicant.name = " ".into();
    let mut no_sets = application(complete_components());
    no_sets.sets = 0;
    let mut unknown = application(complete_components());
    unknown.components.push(component("Giấy tờ lạ"));
    for (a, field) in [
        (wrong_code, "procedure"),
        (no_name, "applicant.name"),
        (no_sets, "sets"),
        (unknown, "components"),
    ] {
        let submit = Command::Submit { application: a };
        let err = h
            .try_decide(&procedure, &submit, &applicant(), now)
            .unwrap_err();
        assert_eq!(err.field(), Some(field), "{err:?}");
    }

    // Received at the counter: the opening and the receipt, at once, with the appointment.
    let mut h = History::new();
    let receive = Command::Receive {
        application: with(complete_components()),
        channel: Channel::Counter,
    };
    let events = h.must(&procedure, &receive, &desk(), now);
    assert_eq!(
        events.iter().map(Event::kind).collect::<Vec<_>>(),
        ["opened", "received"]
    );
    let d = h.dossier();
    assert_eq!(d.version, 2);
    assert_eq!(d.received_at, Some(now.0));
    assert_eq!(d.due, Some(at(2026, 5, 25, 17, 0).0));
    // The desk's step has no budget: it is due by the close of the day of receipt.
    assert_eq!(d.step_due, Some(at(2026, 5, 11, 17, 0).0));
    assert_eq!(d.stage.national_code(), 2);
}

/// A dossier of the standard procedure received at the counter at `now`.
fn received(procedure: &Procedure, now: Instant) -> History {
    let mut h = History::new();
    let receive = Command::Receive {
        application: Some(application(complete_components())),
        channel: Channel::Counter,
    };
    h.must(procedure, &receive, &desk(), now);
    h
}

/// Handed over from the processing step to the approver's, who completes it, at `now`.
fn finish(h: &mut History, procedure: &Procedure, now: Instant) -> Vec<Event> {
    h.must(procedure, &command("hand_over"), &processing(), now);
    h.must(procedure, &command("complete"), &approver(), now)
}

fn supplement(second_reason: &str) -> Command {
    Command::RequestSupplement {
        reason: "Thiếu giấy tờ".into(),
        items: vec!["Bản vẽ".into()],
        applicant_due: "2026-06-30".into(),
        second_reason: second_reason.into(),
    }
}

#[test]
fn a_pause_moves_the_due_dates_by_the_working_time_paused() {
    let procedure = procedure();
    // Received Monday 11 May 09:00: due Monday 25 May 17:00.
    let mut h = received(&procedure, at(2026, 5, 11, 9, 0));
    h.must(
        &procedure,
        &command("hand_over"),
        &desk(),
        at(2026, 5, 11, 10, 0),
    );
    // Step 1 has 7 working days from Monday 10:00: Wednesday 20 May 10:00.
    assert_eq!(h.dossier().step_due, Some(at(2026, 5, 20, 10, 0).0));
    // Paused from Tuesday 12 May 10:00 to Thursday 14 May 10:00: two working days (2 × 450
    // minutes), over a night each.
    h.must(
        &procedure,
        &supplement(""),
        &processing(),
        at(2026, 5, 12, 10, 0),
    );
    assert_eq!(h.dossier().paused_since, Some(at(2026, 5, 12, 10, 0).0));
    assert_eq!(h.dossier().stage.national_code(), 5);
    let events = h.must(
        &procedure,
        &command("provide_supplement"),
        &applicant(),
        at(2026, 5, 14, 10, 0),
    );
    let Event::Resumed {
        paused_minutes,
        due,
        step_due,
        ..
    } = &events[0]
    else {
        panic!("{events:?}");
    };
    assert_eq!(*paused_minutes, 900);
    assert_eq!(*due, at(2026, 5, 27, 17, 0).0);
    assert_eq!(*step_due, at(2026, 5, 22, 10, 0).0);
    assert_eq!(h.dossier().paused_since, None);
    assert_eq!(h.dossier().stage, Stage::Processing);

    // A payment wait over a weekend: Friday 15 May 11:00 to Monday 18 May 14:00 is 30 + 210
    // (Friday) + 240 + 30 (Monday) = 510 working minutes; the lunch breaks do not count.
    let pay = Command::RequestPayment {
        amount: 1_000_000,
        reason: "Lệ phí".into(),
    };
    h.must(&procedure, &pay, &processing(), at(2026, 5, 15, 11, 0));
    assert_eq!(h.dossier().stage.national_code(), 6);
    let events = h.must(
        &procedure,
        &command("confirm_payment"),
        &desk(),
        at(2026, 5, 18, 14, 0),
    );
    let Event::Resumed {
        paused_minutes,
        due,
        ..
    } = &events[0]
    else {
        panic!("{events:?}");
    };
    assert_eq!(*paused_minutes, 510);
    // 27 May 17:00 plus 510 minutes: the 450 of Thursday 28 May, then 60 of Friday's morning.
    assert_eq!(*due, at(2026, 5, 29, 8, 30).0);
}

#[test]
fn a_second_supplement_request_needs_its_reason_and_makes_the_dossier_late() {
    let procedure = procedure();
    let mut h = received(&procedure, at(2026, 5, 11, 9, 0));
    h.must(
        &procedure,
        &command("hand_over"),
        &desk(),
        at(2026, 5, 11, 10, 0),
    );
    let first = h.must(
        &procedure,
        &supplement(""),
        &processing(),
        at(2026, 5, 11, 11, 0),
    );
    assert!(matches!(
        first[0],
        Event::SupplementRequested {
            counts_late: false,
            ..
        }
    ));
    h.must(
        &procedure,
        &command("provide_supplement"),
        &applicant(),
        at(2026, 5, 12, 8, 0),
    );
    assert_eq!(h.dossier().supplements, 1);
    assert!(!h.dossier().counts_late);

    // An early finish after one supplement is early.
    let mut once = h.clone();
    let done = finish(&mut once, &procedure, at(2026, 5, 13, 9, 0));
    assert!(
        matches!(
            done[0],
            Event::Completed {
                outcome: Finished::Early,
                ..
            }
        ),
        "{done:?}"
    );

    // The second needs its reason.
    for blank in ["", "   "] {
        let err = h
            .try_decide(
                &procedure,
                &supplement(blank),
                &processing(),
                at(2026, 5, 12, 9, 0),
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("second_reason"), "{err:?}");
    }
    let second = h.must(
        &procedure,
        &supplement("Kết quả xác minh thực địa khác hồ sơ"),
        &processing(),
        at(2026, 5, 12, 9, 0),
    );
    assert!(
        matches!(&second[0], Event::SupplementRequested { counts_late: true, second_reason, .. } if second_reason == "Kết quả xác minh thực địa khác hồ sơ"),
        "{second:?}"
    );
    assert_eq!(h.dossier().supplements, 2);
    assert!(h.dossier().counts_late);
    h.must(
        &procedure,
        &command("provide_supplement"),
        &desk(),
        at(2026, 5, 12, 14, 0),
    );
    // Finished the next day, well before the due date: late all the same.
    let done = finish(&mut h, &procedure, at(2026, 5, 13, 9, 0));
    assert!(
        matches!(
            done[0],
            Event::Completed {
                outcome: Finished::Late,
                ..
            }
        ),
        "{done:?}"
    );
    assert_eq!(h.dossier().outcome, Some(Finished::Late));
}

#[test]
fn supplement_requests_list_items_and_a_day_not_past() {
    let procedure = procedure();
    let mut h = received(&procedure, at(2026, 5, 11, 9, 0));
    h.must(
        &procedure,
        &command("hand_over"),
        &desk(),
        at(2026, 5, 11, 10, 0),
    );
    let now = at(2026, 5, 12, 9, 0);
    let with = |items: Vec<&str>, due: &str| Command::RequestSupplement {
        reason: "Thiếu".into(),
        items: items.into_iter().map(String::from).collect(),
        applicant_due: due.into(),
        second_reason: String::new(),
    };
    for (c, field) in [
        (with(vec![], "2026-06-30"), "items"),
        (with(vec![" "], "2026-06-30"), "items"),
        (with(vec!["Bản vẽ"], "30/06/2026"), "applicant_due"),
        (with(vec!["Bản vẽ"], "2026-05-11"), "applicant_due"),
    ] {
        let err = h
            .try_decide(&procedure, &c, &processing(), now)
            .unwrap_err();
        assert_eq!(err.field(), Some(field), "{c:?}: {err:?}");
    }
    // Today is not past.
    h.must(
        &procedure,
        &with(vec!["Bản vẽ"], "2026-05-12"),
        &processing(),
        now,
    );
}

fn extension(due: Instant) -> Command {
    Command::ProposeExtension {
        reason: "Cần xác minh thực địa".into(),
        due: due.0,
    }
}

#[test]
fn an_extension_comes_at_the_latest_one_working_day_before_the_due_date_once_and_later() {
    let procedure = procedure();
    // Received Monday 11 May 09:00: due Monday 25 May 17:00; the last moment for the apology
    // is one working day before: Friday 22 May 17:00.
    let mut h = received(&procedure, at(2026, 5, 11, 9, 0));
    h.must(
        &procedure,
        &command("hand_over"),
        &desk(),
        at(2026, 5, 11, 10, 0),
    );
    let due = at(2026, 5, 25, 17, 0);
    assert_eq!(h.dossier().due, Some(due.0));
    let new = at(2026, 6, 5, 17, 0);
    for late in [
        at(2026, 5, 22, 17, 1),
        at(2026, 5, 23, 9, 0),
        at(2026, 5, 25, 8, 0),
        at(2026, 5, 25, 16, 0),
        at(2026, 5, 26, 9, 0),
    ] {
        let err = h
            .try_decide(&procedure, &extension(new), &processing(), late)
            .unwrap_err();
        assert_eq!(err.field(), Some("due"), "{}: {err:?}", late.vn());
    }
    // Not after the current due date: the same instant, or earlier.
    for not_later in [due, at(2026, 5, 25, 16, 59), at(2026, 5, 20, 17, 0)] {
        let err = h
            .try_decide(
                &procedure,
                &extension(not_later),
                &processing(),
                at(2026, 5, 20, 9, 0),
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("due"), "{}: {err:?}", not_later.vn());
    }
    // A reason is needed.
    let no_reason = Command::ProposeExtension {
        reason: " ".into(),
        due: new.0,
    };
    let err = h
        .try_decide(&procedure, &no_reason, &processing(), at(2026, 5, 20, 9, 0))
        .unwrap_err();
    assert_eq!(err.field(), Some("reason"));

    // At the very last moment it is accepted, and the due date moves.
    let events = h.must(
        &procedure,
        &extension(new),
        &processing(),
        at(2026, 5, 22, 17, 0),
    );
    assert_eq!(
        events,
        vec![Event::ExtensionProposed {
            reason: "Cần xác minh thực địa".into(),
            previous_due: due.0,
            due: new.0,
        }]
    );
    let d = h.dossier();
    assert_eq!(
        (d.due, d.original_due, d.extended),
        (Some(new.0), Some(due.0), true)
    );
    // Once only, even long before the new date, by the approver as well.
    h.must(
        &procedure,
        &command("hand_over"),
        &processing(),
        at(2026, 5, 25, 9, 0),
    );
    let err = h
        .try_decide(
            &procedure,
            &extension(at(2026, 6, 19, 17, 0)),
            &approver(),
            at(2026, 5, 25, 9, 0),
        )
        .unwrap_err();
    assert_eq!(err.field(), Some("due"), "{err:?}");
    // Finished on the new date: on time, against the new date.
    let done = h.must(
        &procedure,
        &command("complete"),
        &approver(),
        at(2026, 6, 5, 16, 0),
    );
    assert!(
        matches!(
            done[0],
            Event::Completed {
                outcome: Finished::OnTime,
                ..
            }
        ),
        "{done:?}"
    );
}

#[test]
fn stop_is_refused_once_decided() {
    let procedure = procedure();
    let now = table_now();
    for path in ["done", "returned", "refused", "stopped"] {
        let h = reach(path, &procedure);
        let stage = h.dossier().stage;
        let err = h
            .try_decide(&procedure, &command("stop"), &desk(), now)
            .unwrap_err();
        assert_eq!(
            err,
            Refusal::Stage {
                action: "stop",
                stage
            },
            "{path}"
        );
        let err = h
            .try_decide(
                &procedure,
                &command("request_withdrawal"),
                &applicant(),
                now,
            )
            .unwrap_err();
        assert_eq!(
            err,
            Refusal::Stage {
                action: "request_withdrawal",
                stage
            },
            "{path}"
        );
    }
    // Before a decision, even paused, the desk stops it; the stop needs a reason.
    for path in [
        "submitted",
        "received",
        "processing",
        "supplement_requested",
        "payment_requested",
        "withdrawal_requested",
    ] {
        let mut h = reach(path, &procedure);
        let blank = Command::Stop {
            reason: "  ".into(),
        };
        let err = h.try_decide(&procedure, &blank, &desk(), now).unwrap_err();
        assert_eq!(err.field(), Some("reason"), "{path}");
        h.must(&procedure, &command("stop"), &desk(), now);
        let d = h.dossier();
        assert_eq!(
            (d.stage, d.finished_at, d.paused_since),
            (Stage::Stopped, Some(now.0), None)
        );
        assert_eq!(d.stage.national_code(), 8);
    }
}

#[test]
fn receipt_needs_every_required_component() {
    let procedure = procedure();
    let now = at(2026, 5, 11, 9, 0);
    let receive = |components: Vec<ReceivedComponent>| Command::Receive {
        application: Some(application(components)),
        channel: Channel::Counter,
    };
    let nothing = ReceivedComponent {
        originals: 0,
        copies: 0,
        ..component(ID_COPY)
    };
    let scanned = ReceivedComponent {
        originals: 0,
        copies: 0,
        files: vec!["ab".repeat(32)],
        ..component(ID_COPY)
    };
    let h = History::new();
    for missing in [
        vec![],
        vec![component(FORM)],
        vec![component(ID_COPY), component(MANDATE)],
        vec![component(FORM), nothing],
    ] {
        let err = h
            .try_decide(&procedure, &receive(missing.clone()), &desk(), now)
            .unwrap_err();
        assert_eq!(err.field(), Some("components"), "{missing:?}: {err:?}");
    }
    // A scan counts; a component needed only in a case may be missing.
    for enough in [vec![component(FORM), scanned], complete_components()] {
        h.try_decide(&procedure, &receive(enough), &desk(), now)
            .unwrap();
    }

    // Submitted online without the copy: the desk cannot receive it, asks for it, and receives
    // it once completed; completing it with something still missing is refused.
    let mut h = History::new();
    let submit = Command::Submit {
        application: application(vec![component(FORM)]),
    };
    h.must(&procedure, &submit, &applicant(), now);
    let err = h
        .try_decide(&procedure, &command("receive"), &desk(), now)
        .unwrap_err();
    assert_eq!(err.field(), Some("components"));
    h.must(&procedure, &command("request_completion"), &desk(), now);
    let partial = Command::ProvideCompletion {
        components: vec![component(ID_COPY)],
    };
    let err = h
        .try_decide(&procedure, &partial, &applicant(), now)
        .unwrap_err();
    assert_eq!(err.field(), Some("components"));
    h.must(
        &procedure,
        &command("provide_completion"),
        &applicant(),
        now,
    );
    assert_eq!(h.dossier().application.components, complete_components());
    h.must(
        &procedure,
        &command("receive"),
        &desk(),
        at(2026, 5, 12, 9, 0),
    );
    assert_eq!(h.dossier().channel, Channel::Online);
    assert_eq!(h.dossier().submitted_at, now.0);
    assert_eq!(h.dossier().received_at, Some(at(2026, 5, 12, 9, 0).0));
}

#[test]
fn the_worked_example_of_domain_6_holds_through_receive() {
    // 3 working days, received Wednesday 29 April 2026 at 16:00: 30 April and 1 May are
    // holidays, 2–3 May a weekend; counting Monday 4, Tuesday 5, Wednesday 6 May.
    let procedure = procedure_of("3", "2", "1");
    let received_at = at(2026, 4, 29, 16, 0);
    let expected = at(2026, 5, 6, 17, 0);
    let h = received(&procedure, received_at);
    assert_eq!(h.dossier().due, Some(expected.0));
    assert_eq!(expected.vn(), "06/05/2026 17:00");
    let Event::Received { due, duration, .. } = &h.events[1].0 else {
        panic!("{:?}", h.events);
    };
    assert_eq!(*due, expected.0);
    assert_eq!(duration.centi, 300);
    // The same submitted online the day before and received then.
    let mut online = History::new();
    let submit = Command::Submit {
        application: application(complete_components()),
    };
    online.must(&procedure, &submit, &applicant(), at(2026, 4, 28, 20, 0));
    online.must(&procedure, &command("receive"), &desk(), received_at);
    assert_eq!(online.dossier().due, Some(expected.0));
    // Finished on Wednesday 6 May is on time, on Thursday 7 late, on Tuesday 5 early.
    for (finished, outcome) in [
        (at(2026, 5, 5, 16, 0), Finished::Early),
        (at(2026, 5, 6, 16, 59), Finished::OnTime),
        (at(2026, 5, 7, 8, 0), Finished::Late),
    ] {
        let mut h = online.clone();
        h.must(&procedure, &command("hand_over"), &desk(), received_at);
        let done = finish(&mut h, &procedure, finished);
        assert!(
            matches!(done[0], Event::Completed { outcome: o, .. } if o == outcome),
            "{done:?}"
        );
    }
}

#[test]
fn a_step_s_written_actions_restrict_and_extend_its_role_s() {
    let mut procedure = procedure();
    // The processing step may only hand over and mark done; the desk's receipt step may
    // propose an extension.
    procedure.workflow[1].actions = vec![StepAction::HandOver, StepAction::MarkDone];
    procedure.workflow[0].actions = vec![
        StepAction::Receive,
        StepAction::HandOver,
        StepAction::ProposeExtension,
    ];
    let now = table_now();
    let at_processing = reach("processing", &procedure);
    for name in [
        "send_back",
        "request_supplement",
        "request_payment",
        "propose_extension",
        "consult",
        "answer_consult",
    ] {
        let err = at_processing
            .try_decide(&procedure, &command(name), &processing(), now)
            .unwrap_err();
        assert_eq!(err.field(), Some("action"), "{name}: {err:?}");
    }
    at_processing
        .try_decide(&procedure, &command("hand_over"), &processing(), now)
        .unwrap();
    let at_desk = reach("received", &procedure);
    at_desk
        .try_decide(&procedure, &command("propose_extension"), &desk(), now)
        .unwrap();
    let err = at_desk
        .try_decide(&procedure, &command("request_supplement"), &desk(), now)
        .unwrap_err();
    assert_eq!(err.field(), Some("action"));

    // A person with several roles acts by the step's role: the desk and processing officer
    // hands over at both steps, but cannot approve at the approver's.
    let both = Actor::Staff {
        login: "cb.kiemnhiem".into(),
        roles: vec![Role::DeskOfficer, Role::ProcessingOfficer],
    };
    let procedure = fixture::procedure();
    let mut h = reach("received", &procedure);
    h.must(&procedure, &command("hand_over"), &both, now);
    h.must(&procedure, &command("hand_over"), &both, now);
    assert_eq!(h.dossier().step, 2);
    let err = h
        .try_decide(&procedure, &command("complete"), &both, now)
        .unwrap_err();
    assert!(matches!(err, Refusal::Role { .. }), "{err:?}");
    // Other roles of the organisation act on no step.
    for role in [
        Role::AgencyAdmin,
        Role::ProvinceAdmin,
        Role::Auditor,
        Role::ProcedureController,
    ] {
        let someone = staff("khac", role);
        let h = reach("processing", &procedure);
        for name in COMMANDS {
            assert!(
                h.try_decide(&procedure, &command(name), &someone, now)
                    .is_err(),
                "{name} by {role:?}"
            );
        }
    }
}

#[test]
fn a_hand_over_names_the_next_officer_and_starts_the_step_s_budget() {
    let procedure = procedure();
    let mut h = reach("received", &procedure);
    let now = at(2026, 5, 11, 14, 0);
    let to = Command::HandOver {
        to_user: Some("cv.xuly".into()),
        note: " Hồ sơ đất ".into(),
    };
    let events = h.must(&procedure, &to, &desk(), now);
    assert_eq!(
        events,
        vec![Event::HandedOver {
            from_step: 0,
            to_step: 1,
            to_user: Some("cv.xuly".into()),
            // 7 working days of 450 minutes from Monday 14:00.
            step_due: at(2026, 5, 20, 14, 0).0,
            note: "Hồ sơ đất".into(),
        }]
    );
    assert_eq!(h.dossier().assignee.as_deref(), Some("cv.xuly"));
    // Back to the desk, to nobody in particular (a blank name is nobody).
    let back = Command::SendBack {
        to_user: Some(" ".into()),
        reason: "Thiếu chữ ký".into(),
    };
    h.must(&procedure, &back, &processing(), now);
    assert_eq!((h.dossier().step, h.dossier().assignee.clone()), (0, None));
    let no_reason = Command::SendBack {
        to_user: None,
        reason: String::new(),
    };
    h.must(&procedure, &command("hand_over"), &desk(), now);
    let err = h
        .try_decide(&procedure, &no_reason, &processing(), now)
        .unwrap_err();
    assert_eq!(err.field(), Some("reason"));
}

fn demo() -> Catalogue {
    serde_json::from_str(include_str!("../../../data/demo/catalogue.json")).unwrap()
}

#[test]
fn every_demo_procedure_goes_through_its_own_workflow() {
    let catalogue = demo();
    assert_eq!(catalogue.procedures.len(), 206);
    let received_at = at(2026, 5, 11, 9, 0);
    for procedure in &catalogue.procedures {
        let agency = procedure.implementing_agency.clone();
        let mut a = application(Vec::new());
        a.procedure = procedure.code.clone();
        a.deciding_agency = agency.clone();
        a.components = procedure
            .components
            .iter()
            .filter(|c| c.case.is_empty())
            .map(|c| component(&c.name))
            .collect();
        let mut h = History::new();
        let receive = Command::Receive {
            application: Some(a),
            channel: Channel::Counter,
        };
        h.must(procedure, &receive, &desk(), received_at);
        let due = h.dossier().due.unwrap();
        assert!(due > received_at.0, "{}", procedure.code);
        let (_, steps) = procedure.workflow_for(&agency);
        let mut now = received_at;
        // Along the steps: whoever the step names completes it if the step allows, else hands
        // it over; the return step is never reached by a hand-over.
        loop {
            now = Instant(now.0 + 60 * 1_000_000);
            let step = &steps[h.dossier().step];
            let role = Role::from_code(&step.role).unwrap();
            let actor = staff("x", role);
            if h.run(procedure, &command("complete"), &actor, now).is_ok() {
                break;
            }
            h.must(procedure, &command("hand_over"), &actor, now);
            assert!(h.dossier().step + 1 < steps.len(), "{}", procedure.code);
        }
        assert_eq!(
            h.dossier().step + 2,
            steps.len(),
            "{}: completed before the last step",
            procedure.code
        );
        h.must(procedure, &command("return"), &desk(), now);
        assert_eq!(h.dossier().stage, Stage::Returned);
        assert_eq!(h.replayed().as_ref(), Some(h.dossier()));
    }
}

#[test]
fn a_same_day_civil_status_procedure() {
    let catalogue = demo();
    let procedure = catalogue
        .procedures
        .iter()
        .find(|p| p.code == "MS.HT.001")
        .unwrap();
    let mut a = application(Vec::new());
    a.procedure = procedure.code.clone();
    a.deciding_agency = "commune".into();
    a.components = procedure
        .components
        .iter()
        .filter(|c| c.case.is_empty())
        .map(|c| component(&c.name))
        .collect();
    for (received_at, due) in [
        // Before the 15:00 cut-off: the same day at closing.
        (at(2026, 5, 11, 9, 0), at(2026, 5, 11, 17, 0)),
        (at(2026, 5, 11, 15, 0), at(2026, 5, 11, 17, 0)),
        // After it: the next working day, which after Wednesday 29 April is Monday 4 May.
        (at(2026, 5, 11, 15, 1), at(2026, 5, 12, 17, 0)),
        (at(2026, 4, 29, 16, 0), at(2026, 5, 4, 17, 0)),
        // On a Saturday: the next working day.
        (at(2026, 5, 9, 10, 0), at(2026, 5, 11, 17, 0)),
    ] {
        let mut h = History::new();
        let receive = Command::Receive {
            application: Some(a.clone()),
            channel: Channel::Counter,
        };
        h.must(procedure, &receive, &desk(), received_at);
        assert_eq!(h.dossier().due, Some(due.0), "{}", received_at.vn());
    }
}

#[test]
fn completing_is_only_from_the_last_step_before_the_return() {
    let now = table_now();
    // The four steps: the processing officer may mark done by the usual actions of the role,
    // but completing at step 1 would skip the approver's step.
    let procedure = procedure();
    let h = reach("processing", &procedure);
    let err = h
        .try_decide(&procedure, &command("complete"), &processing(), now)
        .unwrap_err();
    assert_eq!(err.field(), Some("action"), "{err:?}");
    assert!(
        err.vietnamese().contains("Thẩm định hồ sơ"),
        "{}",
        err.vietnamese()
    );
    let h = reach("approval", &procedure);
    h.try_decide(&procedure, &command("complete"), &approver(), now)
        .unwrap();

    // Without a workflow (desk, processing officer, desk), the processing officer completes.
    let mut plain = procedure.clone();
    plain.workflow.clear();
    let mut h = reach("received", &plain);
    h.must(&plain, &command("hand_over"), &desk(), now);
    assert_eq!(h.dossier().step, 1);
    let err = h
        .try_decide(&plain, &command("hand_over"), &processing(), now)
        .unwrap_err();
    assert_eq!(err.field(), Some("action"));
    h.must(&plain, &command("complete"), &processing(), now);
    assert_eq!(h.dossier().stage, Stage::Done);

    // An approver followed by a processing step (issuing the certificate): the approver hands
    // over, and the last processing step completes.
    let mut issued = procedure.clone();
    let mut issue = issued.workflow[1].clone();
    issue.name = "Cấp Giấy chứng nhận".into();
    issued.workflow.insert(3, issue);
    let mut h = reach("approval", &issued);
    let err = h
        .try_decide(&issued, &command("complete"), &approver(), now)
        .unwrap_err();
    assert_eq!(err.field(), Some("action"));
    h.must(&issued, &command("hand_over"), &approver(), now);
    assert_eq!(h.dossier().step, 3);
    h.must(&issued, &command("complete"), &processing(), now);
    assert_eq!(h.dossier().stage, Stage::Done);
}

#[test]
fn commands_and_events_survive_their_json() {
    let procedure = procedure();
    for name in COMMANDS {
        let c = command(name);
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains(&format!("\"action\":\"{name}\"")), "{json}");
        assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), c, "{json}");
    }
    // The defaults of a command typed by hand: the counter, no application.
    let typed: Command = serde_json::from_str(r#"{"action":"receive"}"#).unwrap();
    assert_eq!(typed, command("receive"));
    let err = serde_json::from_str::<Command>(r#"{"action":"stop","reason":"x","why":"y"}"#);
    assert!(err.is_err());
    // The kinds no path above reaches, made by hand.
    let by_hand = [
        Event::CompletionProvided { components: vec![] },
        Event::SentBack {
            from_step: 2,
            to_step: 1,
            to_user: None,
            step_due: 0,
            reason: "Thiếu chữ ký".into(),
        },
        Event::Resumed {
            pause: Pause::Payment,
            paused_minutes: 60,
            due: 0,
            step_due: 0,
            components: vec![],
        },
        Event::ExtensionProposed {
            reason: "Chờ ý kiến liên thông".into(),
            previous_due: 0,
            due: 1,
        },
        Event::Consulted {
            agency: "H99.01".into(),
            request: "Xin ý kiến".into(),
        },
        Event::ConsultAnswered {
            agency: "H99.01".into(),
            answer: "Đồng ý".into(),
        },
    ];
    let on_paths = PATHS[1..]
        .iter()
        .flat_map(|path| reach(path, &procedure).events.into_iter().map(|(e, _)| e));
    let mut kinds = std::collections::BTreeSet::new();
    for event in on_paths.chain(by_hand) {
        let json = serde_json::to_string(&event).unwrap();
        assert!(
            json.contains(&format!("\"kind\":\"{}\"", event.kind())),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<Event>(&json).unwrap(),
            event,
            "{json}"
        );
        // The public timeline reads only a line of each stored event: it says the same.
        assert_eq!(
            serde_json::from_str::<Line>(&json).unwrap().describe(&[]),
            event.vietnamese(),
            "{json}"
        );
        // And its line, kept in the dossier's timeline text, reads back the same.
        let entry = timeline_entry(42, &json).unwrap();
        assert_eq!(
            read_timeline(&entry).unwrap(),
            [(42, serde_json::from_str::<Line>(&json).unwrap())],
            "{entry}"
        );
        assert!(!event.vietnamese().starts_with("Sự kiện"), "{json}");
        kinds.insert(event.kind());
    }
    assert_eq!(
        kinds.len(),
        17,
        "every kind of event is on a path: {kinds:?}"
    );
}

#[test]
fn the_test_procedures_pass_the_catalogue_check() {
    // Their budgets add up to the legal time, as an imported procedure's must.
    let known = motcua_domain::catalogue::Known {
        agency: &|_| true,
        desk: &|_, _| true,
    };
    for p in [procedure(), procedure_of("3", "2", "1")] {
        assert_eq!(p.check(&known), vec![], "{}", p.code);
    }
    let mut unbalanced = procedure();
    unbalanced.workflow[1].days = "8".into();
    assert_eq!(unbalanced.check(&known).len(), 1);
}
