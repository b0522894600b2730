//! The differences between two versions of a procedure, section by section, as a controller
//! reads them: each section is a few lines of Vietnamese, and a section's lines are compared as
//! a sequence (longest common subsequence), so a document inserted in the middle of the list
//! shows as one added line, not as every line after it changed.

use crate::catalogue::{Channel, Online, Procedure, WorkflowStep};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Same(String),
    Removed(String),
    Added(String),
}

/// A section that changed, with its lines old and new interleaved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionDiff {
    pub title: &'static str,
    pub lines: Vec<Line>,
}

fn policy_line(p: motcua_calendar::Policy) -> String {
    format!(
        "{}; {}",
        if p.count_receipt_day {
            "tính cả ngày tiếp nhận"
        } else {
            "tính từ ngày làm việc sau ngày tiếp nhận"
        },
        if p.cutoff_applies {
            "nhận sau giờ chốt tính từ ngày làm việc sau"
        } else {
            "không áp dụng giờ chốt"
        }
    )
}

fn step_lines(steps: &[WorkflowStep]) -> Vec<String> {
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let actions: Vec<&str> = s.actions.iter().map(|a| a.vietnamese()).collect();
            format!(
                "{}. {} — {} — {} — {} ngày{}",
                i + 1,
                s.name,
                s.role,
                s.agency,
                s.days,
                if actions.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", actions.join(", "))
                }
            )
        })
        .collect()
}

/// The procedure as titled sections of lines.
pub fn sections(p: &Procedure) -> Vec<(&'static str, Vec<String>)> {
    let one = |s: &str| {
        if s.trim().is_empty() {
            Vec::new()
        } else {
            vec![s.to_string()]
        }
    };
    let mut local = Vec::new();
    for l in &p.local {
        local.push(format!(
            "{}: {}{}",
            l.agency,
            l.counting
                .map(policy_line)
                .unwrap_or_else(|| "cách tính như chung".into()),
            if l.workflow_deviation.is_empty() {
                String::new()
            } else {
                format!(" (lý do khác thời hạn: {})", l.workflow_deviation)
            }
        ));
        local.extend(
            step_lines(&l.workflow)
                .into_iter()
                .map(|s| format!("{}: {s}", l.agency)),
        );
    }
    vec![
        ("Mã thủ tục", one(&p.code)),
        ("Tên thủ tục", one(&p.name)),
        ("Lĩnh vực", one(&p.sector)),
        ("Cấp thực hiện", vec![p.level.vietnamese().to_string()]),
        (
            "Quyết định công bố",
            vec![format!(
                "{}, ngày {}{}",
                p.publication.number,
                p.publication.date,
                if p.publication.law_effective.is_empty() {
                    String::new()
                } else {
                    format!("; văn bản có hiệu lực từ {}", p.publication.law_effective)
                }
            )],
        ),
        ("Đối tượng thực hiện", p.applicants.clone()),
        ("Cơ quan thực hiện", one(&p.implementing_agency)),
        ("Cơ quan có thẩm quyền", one(&p.competent_agency)),
        ("Cơ quan phối hợp", p.coordinating_agencies.clone()),
        ("Địa chỉ tiếp nhận", one(&p.receiving)),
        ("Nơi tiếp nhận (cơ quan, quầy)", p.offered_by.clone()),
        (
            "Cách thực hiện",
            p.methods
                .iter()
                .map(|m| {
                    format!(
                        "{} — {} {} — {} đồng{}{}",
                        match m.channel {
                            Channel::Counter => "Trực tiếp",
                            Channel::Online => "Trực tuyến",
                            Channel::Post => "Bưu chính",
                        },
                        m.amount,
                        m.unit.vietnamese(),
                        crate::text::thousands(m.fee),
                        if m.fee_note.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", m.fee_note)
                        },
                        if m.description.is_empty() {
                            String::new()
                        } else {
                            format!(" — {}", m.description)
                        }
                    )
                })
                .collect(),
        ),
        (
            "Thành phần hồ sơ",
            p.components
                .iter()
                .map(|c| {
                    format!(
                        "{}{} — {} bản chính, {} bản sao{}",
                        c.name,
                        if c.form.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", c.form)
                        },
                        c.originals,
                        c.copies,
                        if c.case.is_empty() {
                            String::new()
                        } else {
                            format!(" — {}", c.case)
                        }
                    )
                })
                .collect(),
        ),
        ("Trình tự thực hiện", p.steps.clone()),
        ("Kết quả", one(&p.result)),
        ("Yêu cầu, điều kiện", one(&p.conditions)),
        (
            "Căn cứ pháp lý",
            p.legal_basis
                .iter()
                .map(|b| format!("{} — {} — {} — {}", b.number, b.summary, b.date, b.issuer))
                .collect(),
        ),
        ("Từ khóa", p.keywords.clone()),
        (
            "Dịch vụ công trực tuyến",
            vec![format!(
                "{}{}",
                match p.online {
                    Online::Full => "Toàn trình",
                    Online::Partial => "Một phần",
                },
                if p.full_online_eligible {
                    "; đủ điều kiện toàn trình"
                } else {
                    ""
                }
            )],
        ),
        ("Cách tính thời hạn", vec![policy_line(p.counting)]),
        ("Quy trình nội bộ", step_lines(&p.workflow)),
        ("Lý do quy trình khác thời hạn", one(&p.workflow_deviation)),
        ("Cấu hình riêng theo cơ quan", local),
    ]
}

/// The sections that differ from `old` to `new`.
pub fn diff(old: &Procedure, new: &Procedure) -> Vec<SectionDiff> {
    sections(old)
        .into_iter()
        .zip(sections(new))
        .filter(|(a, b)| a.1 != b.1)
        .map(|((title, a), (_, b))| SectionDiff {
            title,
            lines: lines_diff(&a, &b),
        })
        .collect()
}

/// `a` turned into `b`: common lines kept in order, the rest removed or added.
fn lines_diff(a: &[String], b: &[String]) -> Vec<Line> {
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(Line::Same(a[i].clone()));
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(Line::Added(b[j].clone()));
            j += 1;
        } else {
            out.push(Line::Removed(a[i].clone()));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;

    fn sample() -> Procedure {
        let c: Catalogue =
            serde_json::from_str(include_str!("../tests/data/catalogue_sample.json")).unwrap();
        c.procedures[0].clone()
    }

    #[test]
    fn the_same_version_has_no_differences() {
        assert!(diff(&sample(), &sample()).is_empty());
    }

    #[test]
    fn an_inserted_document_is_one_added_line() {
        let old = sample();
        let mut new = old.clone();
        let mut extra = new.components[0].clone();
        extra.name = "Giấy chứng sinh".into();
        extra.form.clear();
        new.components.insert(0, extra);
        new.methods[0].fee = 8000;
        let d = diff(&old, &new);
        let titles: Vec<&str> = d.iter().map(|s| s.title).collect();
        assert_eq!(titles, ["Cách thực hiện", "Thành phần hồ sơ"]);
        let components = &d[1].lines;
        assert_eq!(components.len(), old.components.len() + 1);
        assert!(matches!(&components[0], Line::Added(l) if l.starts_with("Giấy chứng sinh")));
        assert!(components[1..].iter().all(|l| matches!(l, Line::Same(_))));
        let methods = &d[0].lines;
        assert!(matches!(&methods[0], Line::Added(l) if l.contains("8.000 đồng")));
        assert!(matches!(&methods[1], Line::Removed(l) if l.contains("— 0 đồng")));
    }

    #[test]
    fn lines_diff_keeps_order() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let d = lines_diff(&s(&["a", "b", "c"]), &s(&["a", "x", "c", "d"]));
        assert_eq!(
            d,
            vec![
                Line::Same("a".into()),
                Line::Added("x".into()),
                Line::Removed("b".into()),
                Line::Same("c".into()),
                Line::Added("d".into()),
            ]
        );
    }
}
