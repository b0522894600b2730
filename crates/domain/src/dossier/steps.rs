//! Where a dossier's time went, step by step: each event that ends a workflow step (a hand-over,
//! a send-back, the decision) with the step it ended and the time that step had. The control
//! sheet, the printed Mẫu 06 and the late-dossier report all read it, so they judge alike.

use motcua_calendar::{Finished, Granularity, Instant, deadline};

use super::Event;

/// One step's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepEnd {
    /// The event's position in the list given.
    pub index: usize,
    pub at: i64,
    /// The workflow step that ended.
    pub step: usize,
    /// When that step's time ran out, if it had a limit.
    pub due: Option<i64>,
}

impl StepEnd {
    /// Early, on time or late, by the day, as every other judgement of time.
    pub fn outcome(&self) -> Option<Finished> {
        self.due.map(|due| {
            deadline::classify_finished(Instant(self.at), Instant(due), Granularity::Day)
        })
    }
}

/// The step ends of a dossier's events (instant and event, in order).
pub fn step_ends<'a>(events: impl IntoIterator<Item = (i64, &'a Event)>) -> Vec<StepEnd> {
    let mut out = Vec::new();
    let (mut step, mut due) = (0usize, None);
    for (index, (at, e)) in events.into_iter().enumerate() {
        if matches!(
            e,
            Event::HandedOver { .. } | Event::SentBack { .. } | Event::Completed { .. }
        ) {
            out.push(StepEnd {
                index,
                at,
                step,
                due,
            });
        }
        match e {
            Event::Received { first_step_due, .. } => due = Some(*first_step_due),
            Event::HandedOver {
                to_step, step_due, ..
            }
            | Event::SentBack {
                to_step, step_due, ..
            } => {
                step = *to_step;
                due = Some(*step_due);
            }
            Event::Resumed { step_due, .. } => due = Some(*step_due),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_calendar::Date;

    fn at(d: u32, h: u16) -> i64 {
        Instant::from_local(Date::from_ymd(2026, 3, d).unwrap(), h * 60).0
    }

    #[test]
    fn each_end_carries_the_time_its_step_had() {
        let received = Event::Received {
            duration: motcua_calendar::Duration {
                unit: motcua_calendar::Unit::WorkingDays,
                centi: 300,
            },
            policy: motcua_calendar::Policy::default(),
            due: at(6, 17),
            first_step_due: at(2, 17),
        };
        let hand = |to_step, step_due| Event::HandedOver {
            from_step: to_step - 1,
            to_step,
            to_user: None,
            step_due,
            note: String::new(),
        };
        let first = hand(1, at(4, 17));
        let second = hand(2, at(5, 17));
        let done = Event::Completed {
            result: String::new(),
            outcome: Finished::OnTime,
        };
        let events = [
            (at(2, 9), &received),
            (at(2, 10), &first),
            (at(5, 9), &second),
            (at(5, 16), &done),
        ];
        let ends = step_ends(events);
        let seen: Vec<(usize, usize, Option<Finished>)> = ends
            .iter()
            .map(|e| (e.index, e.step, e.outcome()))
            .collect();
        assert_eq!(
            seen,
            [
                (1, 0, Some(Finished::OnTime)),
                (2, 1, Some(Finished::Late)),
                (3, 2, Some(Finished::OnTime)),
            ]
        );
    }
}
