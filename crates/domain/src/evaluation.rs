//! The applicant's evaluation of a dossier after its result was returned (DOMAIN §8): nine
//! indicators, each scored 0, 1 or 2 (18 points in all), and an optional comment. Once per
//! dossier, by its applicant, and only when the dossier is returned.

use crate::dossier::Stage;

/// The longest comment kept, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// The highest score of one indicator.
pub const MAX_SCORE: u8 = 2;

/// The highest total: nine indicators of two points.
pub const MAX_TOTAL: u32 = 18;

/// One of the nine indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Indicator {
    /// Total time against the legal time limit.
    TotalTime,
    /// Time at each agency.
    AgencyTime,
    /// Number of contacts to complete the dossier.
    Contacts,
    /// Number of agencies contacted.
    AgenciesContacted,
    /// Handled at the one-stop desk.
    OneStop,
    /// The procedure publicly posted.
    PubliclyPosted,
    /// Staff attitude.
    StaffAttitude,
    /// Handling of feedback and complaints.
    FeedbackHandling,
    /// Online service quality.
    OnlineService,
}

/// The indicators in the order of the form, the store's columns and the API.
pub const INDICATORS: [Indicator; 9] = [
    Indicator::TotalTime,
    Indicator::AgencyTime,
    Indicator::Contacts,
    Indicator::AgenciesContacted,
    Indicator::OneStop,
    Indicator::PubliclyPosted,
    Indicator::StaffAttitude,
    Indicator::FeedbackHandling,
    Indicator::OnlineService,
];

impl Indicator {
    /// The field name in forms and the API, and the store's column.
    pub fn code(self) -> &'static str {
        match self {
            Indicator::TotalTime => "total_time",
            Indicator::AgencyTime => "agency_time",
            Indicator::Contacts => "contacts",
            Indicator::AgenciesContacted => "agencies_contacted",
            Indicator::OneStop => "one_stop",
            Indicator::PubliclyPosted => "publicly_posted",
            Indicator::StaffAttitude => "staff_attitude",
            Indicator::FeedbackHandling => "feedback_handling",
            Indicator::OnlineService => "online_service",
        }
    }

    pub fn from_code(code: &str) -> Option<Indicator> {
        INDICATORS.into_iter().find(|i| i.code() == code)
    }

    /// What the applicant is asked, in plain Vietnamese.
    pub fn question(self) -> &'static str {
        match self {
            Indicator::TotalTime => "Tổng thời gian giải quyết so với thời hạn theo quy định",
            Indicator::AgencyTime => "Thời gian giải quyết tại từng cơ quan, đơn vị",
            Indicator::Contacts => "Số lần phải liên hệ, đi lại để hoàn thiện hồ sơ",
            Indicator::AgenciesContacted => "Số cơ quan, đơn vị phải liên hệ",
            Indicator::OneStop => "Hồ sơ được tiếp nhận và trả kết quả tại Bộ phận Một cửa",
            Indicator::PubliclyPosted => "Thủ tục hành chính được niêm yết, công khai",
            Indicator::StaffAttitude => "Thái độ của cán bộ, công chức",
            Indicator::FeedbackHandling => "Tiếp nhận và xử lý phản ánh, kiến nghị",
            Indicator::OnlineService => "Chất lượng dịch vụ công trực tuyến",
        }
    }

    /// The answer that each score means, for 0, 1 and 2 points.
    pub fn labels(self) -> [&'static str; 3] {
        match self {
            Indicator::TotalTime => ["Trễ hẹn", "Đúng hẹn", "Sớm hơn hẹn"],
            Indicator::AgencyTime => [
                "Nhiều nơi giải quyết chậm",
                "Có một nơi giải quyết chậm",
                "Nơi nào cũng đúng hoặc sớm hơn hạn",
            ],
            Indicator::Contacts => [
                "Từ hai lần trở lên",
                "Một lần",
                "Không phải liên hệ thêm lần nào",
            ],
            Indicator::AgenciesContacted => ["Từ ba nơi trở lên", "Hai nơi", "Chỉ một nơi"],
            Indicator::OneStop => [
                "Không qua Bộ phận Một cửa",
                "Có, nhưng phải đến thêm nơi khác để nộp hoặc nhận",
                "Có, nộp và nhận kết quả đều tại Bộ phận Một cửa hoặc trực tuyến",
            ],
            Indicator::PubliclyPosted => [
                "Không thấy công khai",
                "Có, nhưng chưa đầy đủ hoặc khó tìm",
                "Đầy đủ, dễ tìm",
            ],
            Indicator::StaffAttitude => [
                "Thiếu lịch sự, gây phiền hà",
                "Bình thường",
                "Lịch sự, tận tình",
            ],
            Indicator::FeedbackHandling => [
                "Không được trả lời",
                "Được trả lời nhưng chậm hoặc chưa đầy đủ",
                "Được trả lời đầy đủ, đúng hạn, hoặc không có phản ánh",
            ],
            Indicator::OnlineService => [
                "Không dùng được",
                "Dùng được nhưng còn khó khăn",
                "Dễ dùng, thuận tiện, hoặc không sử dụng",
            ],
        }
    }

    /// The answer a score means.
    pub fn label(self, score: u8) -> &'static str {
        self.labels()[usize::from(score.min(MAX_SCORE))]
    }
}

/// A checked evaluation: every indicator scored 0, 1 or 2, the comment trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// In the order of [`INDICATORS`].
    pub scores: [u8; 9],
    pub comment: String,
}

/// Something wrong with what was typed: the field (an indicator's code, or `comment`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationProblem {
    pub field: String,
    pub reason: String,
}

/// Why a dossier may not be evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotEvaluable {
    /// The result has not been returned yet.
    NotReturned,
}

impl NotEvaluable {
    pub fn vietnamese(self) -> &'static str {
        match self {
            NotEvaluable::NotReturned => {
                "Chỉ đánh giá được sau khi hồ sơ đã trả kết quả; hồ sơ này chưa trả kết quả."
            }
        }
    }
}

/// Whether a dossier at `stage` may be evaluated (whether it already was is the store's to say).
pub fn may_evaluate(stage: Stage) -> Result<(), NotEvaluable> {
    if stage == Stage::Returned {
        Ok(())
    } else {
        Err(NotEvaluable::NotReturned)
    }
}

impl Evaluation {
    /// Reads the answers as typed (`answers[i]` for `INDICATORS[i]`; `None` when not given) and
    /// the comment, and reports every problem at once.
    pub fn check(
        answers: &[Option<String>; 9],
        comment: &str,
    ) -> Result<Evaluation, Vec<EvaluationProblem>> {
        let mut problems = Vec::new();
        let mut scores = [0u8; 9];
        for (i, indicator) in INDICATORS.into_iter().enumerate() {
            let problem = |reason: String| EvaluationProblem {
                field: indicator.code().to_string(),
                reason,
            };
            match answers[i].as_deref().map(str::trim) {
                None | Some("") => problems.push(problem(format!(
                    "Chọn một mức cho “{}”.",
                    indicator.question()
                ))),
                Some(text) => match text.parse::<u8>() {
                    Ok(score) if score <= MAX_SCORE => scores[i] = score,
                    _ => problems.push(problem(format!(
                        "“{text}” không phải mức đánh giá: chỉ nhận 0, 1 hoặc 2 điểm."
                    ))),
                },
            }
        }
        let comment = comment.trim();
        let length = comment.chars().count();
        if length > MAX_COMMENT_CHARS {
            problems.push(EvaluationProblem {
                field: "comment".into(),
                reason: format!("Góp ý dài {length} ký tự; tối đa {MAX_COMMENT_CHARS} ký tự."),
            });
        }
        if problems.is_empty() {
            Ok(Evaluation {
                scores,
                comment: comment.to_string(),
            })
        } else {
            Err(problems)
        }
    }

    /// The points, out of 18.
    pub fn total(&self) -> u32 {
        self.scores.iter().map(|s| u32::from(*s)).sum()
    }

    pub fn score(&self, indicator: Indicator) -> u8 {
        let i = INDICATORS
            .iter()
            .position(|x| *x == indicator)
            .expect("every indicator is listed");
        self.scores[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(texts: [&str; 9]) -> [Option<String>; 9] {
        texts.map(|t| Some(t.to_string()))
    }

    #[test]
    fn a_full_evaluation_totals_its_points() {
        let e = Evaluation::check(
            &answers(["2", "2", "1", "2", "2", "0", "2", "1", " 2 "]),
            "  Cán bộ hướng dẫn rõ ràng.  ",
        )
        .unwrap();
        assert_eq!(e.scores, [2, 2, 1, 2, 2, 0, 2, 1, 2]);
        assert_eq!(e.total(), 14);
        assert_eq!(e.comment, "Cán bộ hướng dẫn rõ ràng.");
        assert_eq!(e.score(Indicator::PubliclyPosted), 0);
        assert_eq!(e.score(Indicator::OnlineService), 2);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut given = answers(["2", "3", "", "-1", "x", "1", "2", "2", "2"]);
        given[8] = None;
        let long = "a".repeat(MAX_COMMENT_CHARS + 1);
        let problems = Evaluation::check(&given, &long).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "agency_time",
                "contacts",
                "agencies_contacted",
                "one_stop",
                "online_service",
                "comment"
            ]
        );
        assert!(problems[0].reason.contains("“3”"), "{problems:?}");
        assert!(problems[1].reason.contains("Số lần phải liên hệ"));
        assert!(problems[5].reason.contains("2001"));
    }

    #[test]
    fn the_maximum_is_eighteen_and_the_minimum_zero() {
        let best = Evaluation::check(&answers(["2"; 9]), "").unwrap();
        let worst = Evaluation::check(&answers(["0"; 9]), "").unwrap();
        assert_eq!((best.total(), worst.total()), (MAX_TOTAL, 0));
        assert_eq!(MAX_TOTAL, INDICATORS.len() as u32 * u32::from(MAX_SCORE));
    }

    #[test]
    fn only_a_returned_dossier_is_evaluated() {
        for stage in crate::dossier::ALL_STAGES {
            assert_eq!(
                may_evaluate(stage).is_ok(),
                stage == Stage::Returned,
                "{stage:?}"
            );
        }
    }

    #[test]
    fn codes_round_trip_and_every_indicator_has_three_plain_answers() {
        for indicator in INDICATORS {
            assert_eq!(Indicator::from_code(indicator.code()), Some(indicator));
            let labels = indicator.labels();
            assert!(labels.iter().all(|l| !l.is_empty()));
            assert_eq!(indicator.label(2), labels[2]);
        }
        assert_eq!(Indicator::from_code("nothing"), None);
    }
}
