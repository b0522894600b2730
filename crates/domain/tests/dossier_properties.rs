//! Properties of random lifecycles: from a received dossier, each step is a command `decide`
//! accepts, picked at random among those tried, by a random person, at a random later moment of
//! office hours. Whatever the path, the dates stay honest (pauses are added to the due date
//! exactly, never counted against the agency), final stages stay final, and the events replay to
//! the state they were folded into.

use motcua_calendar::{Date, Finished, Instant, OfficeHours};
use motcua_domain::catalogue::Procedure;
use motcua_domain::dossier::decide::Actor;
use motcua_domain::dossier::status::Channel;
use motcua_domain::dossier::{Command, Dossier, Event, ReturnChannel, Stage};
use proptest::prelude::*;

#[path = "common/dossier_fixture.rs"]
mod fixture;
use fixture::*;

/// The moment `at` if it is in office hours, else the next opening (07:30 or 13:30); days off
/// are left as they are (nothing stops a person from acting on a Saturday).
fn in_office(at: Instant) -> Instant {
    let hours = OfficeHours::default();
    let (date, minute, _) = at.to_local();
    let morning = hours.morning_start..hours.morning_end;
    let afternoon = hours.afternoon_start..hours.afternoon_end;
    if morning.contains(&minute) || afternoon.contains(&minute) {
        at
    } else if minute < hours.morning_start {
        Instant::from_local(date, hours.morning_start)
    } else if minute < hours.afternoon_start {
        Instant::from_local(date, hours.afternoon_start)
    } else {
        Instant::from_local(date.add_days(1), hours.morning_start)
    }
}

/// A moment of office hours on a day of 2026.
fn start() -> impl Strategy<Value = Instant> {
    let first = Date::from_ymd(2026, 1, 1).unwrap();
    (0..365i32, 0..450u32).prop_map(move |(day, offset)| {
        let minute = OfficeHours::default().minute_at(offset);
        in_office(Instant::from_local(first.add_days(day), minute))
    })
}

/// Minutes to the next step: often within the hour, sometimes days.
fn gap() -> impl Strategy<Value = i64> {
    prop_oneof![0..90i64, 0..3 * 24 * 60i64]
}

/// Which procedure: 10 working days in four steps, 3 in four steps, or 10 with no workflow of
/// its own (the plain one: desk, processing officer, desk).
fn which_procedure() -> impl Strategy<Value = u8> {
    0..3u8
}

fn procedure_for(which: u8) -> Procedure {
    match which {
        0 => procedure(),
        1 => procedure_of("3", "2", "1"),
        _ => {
            let mut p = procedure();
            p.workflow.clear();
            p
        }
    }
}

fn people() -> [Actor; 4] {
    [applicant(), desk(), processing(), approver()]
}

/// Commands worth trying on a received dossier at `now`, with their payloads made from its
/// state; `ending` adds those that end it early (withdrawal and stop), which would otherwise cut
/// most lifecycles short.
fn commands(d: &Dossier, now: Instant, ending: bool) -> Vec<Command> {
    let text = |s: &str| s.to_string();
    let applicant_due = now.local_date().add_days(10).to_string();
    let mut out = vec![
        Command::HandOver {
            to_user: None,
            note: String::new(),
        },
        Command::HandOver {
            to_user: Some(text("cv.xuly")),
            note: text("Chuyển xử lý"),
        },
        Command::SendBack {
            to_user: None,
            reason: text("Cần kiểm tra lại"),
        },
        Command::RequestSupplement {
            reason: text("Thiếu giấy tờ"),
            items: vec![text("Bản vẽ")],
            applicant_due: applicant_due.clone(),
            second_reason: String::new(),
        },
        Command::RequestSupplement {
            reason: text("Thiếu giấy tờ"),
            items: vec![text("Bản vẽ")],
            applicant_due,
            second_reason: text("Kết quả xác minh khác hồ sơ"),
        },
        Command::ProvideSupplement {
            components: vec![component("Bản vẽ")],
        },
        Command::RequestPayment {
            amount: 250_000,
            reason: text("Lệ phí"),
        },
        Command::ConfirmPayment {},
        Command::Consult {
            agency: text("H99.21"),
            request: text("Ý kiến về nghĩa vụ tài chính"),
        },
        Command::AnswerConsult {
            agency: text("H99.21"),
            answer: text("Đồng ý"),
        },
        Command::Complete {
            result: text("Giấy chứng nhận"),
        },
        Command::Return {
            channel: ReturnChannel::Post,
        },
    ];
    if let Some(due) = d.due {
        // Later by 1, 3 or 10 working days; and one not later, always refused.
        for days in [0, 1, 3, 10] {
            out.push(Command::ProposeExtension {
                reason: text("Cần xác minh thực địa"),
                due: rules()
                    .add_working_minutes(Instant(due), days * 450)
                    .unwrap()
                    .0,
            });
        }
    }
    if ending {
        out.push(Command::RequestWithdrawal {
            reason: text("Không còn nhu cầu"),
        });
        out.push(Command::Stop {
            reason: text("Theo đề nghị của người nộp"),
        });
    }
    out
}

/// Every command there is, for checking that a final dossier accepts none: those above, those
/// that open or act before receipt, with and without an application.
fn every_command(d: &Dossier, now: Instant) -> Vec<Command> {
    let mut out = commands(d, now, true);
    let full = || Some(application(complete_components()));
    out.extend([
        Command::Submit {
            application: application(complete_components()),
        },
        Command::Receive {
            application: None,
            channel: Channel::Counter,
        },
        Command::Receive {
            application: full(),
            channel: Channel::Counter,
        },
        Command::RequestCompletion {
            application: None,
            channel: Channel::Online,
            missing: vec![ID_COPY.into()],
            reason: String::new(),
        },
        Command::ProvideCompletion {
            components: complete_components(),
        },
        Command::Refuse {
            application: None,
            channel: Channel::Counter,
            reasons: "Không thuộc thẩm quyền".into(),
        },
        Command::Refuse {
            application: full(),
            channel: Channel::Counter,
            reasons: "Không thuộc thẩm quyền".into(),
        },
    ]);
    out
}

/// A step of a lifecycle as proptest draws it: minutes later, and which command to try first.
#[derive(Debug, Clone)]
struct Draw {
    gap: i64,
    pick: u32,
}

fn draws() -> impl Strategy<Value = Vec<Draw>> {
    prop::collection::vec(
        (gap(), any::<u32>()).prop_map(|(gap, pick)| Draw { gap, pick }),
        1..40,
    )
}

/// What a lifecycle went through, for the properties that look at it whole.
#[derive(Default)]
struct Seen {
    /// Working minutes paused and working minutes added by extensions, so far.
    paused: i64,
    extended: i64,
    supplements: u32,
    completed: Option<Finished>,
}

/// One random lifecycle, checked at each step; its history, or what went wrong.
fn lifecycle(
    which: u8,
    channel: Channel,
    start: Instant,
    draws: &[Draw],
) -> Result<History, TestCaseError> {
    let procedure = procedure_for(which);
    let r = rules();
    let mut h = History::new();
    if channel == Channel::Online {
        let submit = Command::Submit {
            application: application(complete_components()),
        };
        h.must(&procedure, &submit, &applicant(), start);
        let receive = Command::Receive {
            application: None,
            channel,
        };
        h.must(&procedure, &receive, &desk(), start);
    } else {
        let receive = Command::Receive {
            application: Some(application(complete_components())),
            channel,
        };
        h.must(&procedure, &receive, &desk(), start);
    }
    let received = h.dossier().received_at.unwrap();
    let first_due = h.dossier().due.unwrap();
    prop_assert!(first_due > received);
    let mut seen = Seen::default();
    let mut now = start;
    let people = people();

    for draw in draws {
        now = in_office(Instant(now.0 + draw.gap * 60 * 1_000_000));
        let before = h.dossier().clone();
        // A few random tries, then every candidate in turn from a random one; the commands
        // that end a dossier early only one time in five, or when nothing else is accepted.
        let mut accepted = None;
        for ending in [draw.pick % 5 == 0, true] {
            let candidates = commands(&before, now, ending);
            let n = candidates.len() * people.len();
            let order = (0..6u32)
                .map(|k| (draw.pick.wrapping_mul(2_654_435_761).rotate_left(5 * k) as usize) % n)
                .chain((0..n).map(|i| (draw.pick as usize + i) % n));
            for i in order {
                let (command, actor) = (&candidates[i / people.len()], &people[i % people.len()]);
                if let Ok(events) = h.try_decide(&procedure, command, actor, now) {
                    accepted = Some((command.clone(), events));
                    break;
                }
            }
            if accepted.is_some() {
                break;
            }
        }
        let Some((command, events)) = accepted else {
            // Nothing to do: it must be over, and then nothing at all is accepted.
            prop_assert!(before.stage.is_final(), "stuck at {:?}", before.stage);
            for command in every_command(&before, now) {
                for actor in &people {
                    let result = h.try_decide(&procedure, &command, actor, now);
                    prop_assert!(
                        result.is_err(),
                        "{} by {} accepted when {:?}",
                        command.name(),
                        actor.login(),
                        before.stage
                    );
                }
            }
            break;
        };
        prop_assert!(
            !before.stage.is_final(),
            "{} accepted when final",
            command.name()
        );
        prop_assert_eq!(events.len(), 1);
        let event = &events[0];
        for event in &events {
            h.events.push((event.clone(), now.0));
            h.dossier.as_mut().unwrap().evolve(event, now.0);
        }
        let d = h.dossier().clone();

        // What each event says of the dates.
        match event {
            Event::Resumed {
                paused_minutes,
                due,
                step_due,
                ..
            } => {
                let since = before.paused_since.expect("paused");
                let paused = r.working_minutes_between(Instant(since), now).unwrap();
                prop_assert!(paused >= 0);
                prop_assert_eq!(*paused_minutes, paused);
                let moved = r
                    .working_minutes_between(Instant(before.due.unwrap()), Instant(*due))
                    .unwrap();
                prop_assert_eq!(moved, paused, "due moved by the pause");
                let step_moved = r
                    .working_minutes_between(Instant(before.step_due.unwrap()), Instant(*step_due))
                    .unwrap();
                prop_assert_eq!(step_moved, paused, "step due moved by the pause");
                seen.paused += paused;
            }
            Event::ExtensionProposed {
                previous_due, due, ..
            } => {
                prop_assert!(!before.extended, "extended twice");
                prop_assert_eq!(Some(*previous_due), before.due);
                prop_assert!(due > previous_due);
                let latest = r.latest_extension_request(Instant(*previous_due)).unwrap();
                prop_assert!(now <= latest, "{} after {}", now.vn(), latest.vn());
                seen.extended += r
                    .working_minutes_between(Instant(*previous_due), Instant(*due))
                    .unwrap();
            }
            Event::SupplementRequested {
                counts_late,
                second_reason,
                ..
            } => {
                prop_assert_eq!(*counts_late, seen.supplements > 0);
                if seen.supplements > 0 {
                    prop_assert!(!second_reason.trim().is_empty());
                }
                seen.supplements += 1;
            }
            Event::Completed { outcome, .. } => {
                let due = Instant(d.due.unwrap());
                // Late after a second supplement whatever the dates; else by the day of the
                // appointment (a limit in working days is judged by the day).
                let expected = if seen.supplements >= 2 || now.local_date() > due.local_date() {
                    Finished::Late
                } else if now.local_date() < due.local_date() {
                    Finished::Early
                } else {
                    Finished::OnTime
                };
                prop_assert_eq!(*outcome, expected);
                seen.completed = Some(*outcome);
            }
            _ => {}
        }

        // What holds of the state after any step.
        prop_assert!((1..=10).contains(&d.stage.national_code()));
        prop_assert_eq!(d.version as usize, h.events.len());
        prop_assert_eq!(d.received_at, Some(received));
        let due = d.due.unwrap();
        prop_assert!(due > received, "due {} before receipt", Instant(due).vn());
        // The due date is the appointment moved by exactly the pauses and the extension.
        prop_assert_eq!(
            r.working_minutes_between(Instant(first_due), Instant(due))
                .unwrap(),
            seen.paused + seen.extended
        );
        prop_assert_eq!(d.supplements, seen.supplements);
        prop_assert_eq!(d.counts_late, seen.supplements >= 2);
        prop_assert_eq!(d.outcome, seen.completed);
        if matches!(d.stage, Stage::Received | Stage::Processing) {
            prop_assert_eq!(d.paused_since, None);
        }
        if matches!(
            d.stage,
            Stage::SupplementRequested | Stage::PaymentRequested
        ) {
            prop_assert_eq!(d.paused_since, Some(now.0));
        }
    }

    // The events, replayed, are the state folded step by step; and they survive their JSON.
    let replayed = h.replayed();
    prop_assert_eq!(replayed.as_ref(), Some(h.dossier()));
    for (event, _) in &h.events {
        let json = serde_json::to_string(event).unwrap();
        let back: Event =
            serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{json}: {e}")))?;
        prop_assert_eq!(&back, event);
    }
    let json = serde_json::to_string(h.dossier()).unwrap();
    prop_assert_eq!(
        &serde_json::from_str::<Dossier>(&json).unwrap(),
        h.dossier()
    );
    Ok(h)
}

fn channel() -> impl Strategy<Value = Channel> {
    prop_oneof![
        Just(Channel::Counter),
        Just(Channel::Online),
        Just(Channel::Post)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn random_lifecycles_keep_their_dates_and_their_ends(
        which in which_procedure(),
        channel in channel(),
        start in start(),
        draws in draws(),
    ) {
        lifecycle(which, channel, start, &draws)?;
    }
}

/// The lifecycles above do reach every stage and the interesting events: a check on the
/// generator, so that the properties are not vacuously true.
#[test]
fn the_random_lifecycles_reach_every_stage_after_receipt() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let mut stages = std::collections::BTreeSet::new();
    let mut kinds = std::collections::BTreeSet::new();
    let mut second_supplements = 0;
    for _ in 0..300 {
        let (which, channel, start, draws) = (which_procedure(), channel(), start(), draws())
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let h = lifecycle(which, channel, start, &draws).unwrap();
        let mut d: Option<Dossier> = None;
        for (e, at) in &h.events {
            match &mut d {
                None => d = Dossier::open(e, *at),
                Some(d) => d.evolve(e, *at),
            }
            stages.insert(d.as_ref().unwrap().stage.code());
            kinds.insert(e.kind());
        }
        if h.dossier().supplements >= 2 {
            second_supplements += 1;
        }
    }
    for stage in [
        "processing",
        "supplement_requested",
        "payment_requested",
        "withdrawal_requested",
        "stopped",
        "done",
        "returned",
    ] {
        assert!(stages.contains(stage), "{stage} never reached: {stages:?}");
    }
    for kind in [
        "resumed",
        "extension_proposed",
        "sent_back",
        "consulted",
        "completed",
    ] {
        assert!(kinds.contains(kind), "{kind} never happened: {kinds:?}");
    }
    assert!(second_supplements > 0);
}
