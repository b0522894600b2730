//! Dossier codes (Circular 03/2025 Art. 13): by default `<agency identifier>-YYMMDD-NNNN`, the
//! receiving agency, the day, and that agency's number for the day. The format is configuration:
//! a template with `{agency}`, `{yymmdd}`, `{yyyymmdd}` and `{seq:N}` (at least N digits).

use motcua_calendar::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFormat {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Agency,
    Yymmdd,
    Yyyymmdd,
    Seq(usize),
}

pub const DEFAULT_FORMAT: &str = "{agency}-{yymmdd}-{seq:4}";

impl CodeFormat {
    /// Reads a template; the message says what is wrong with a bad one.
    pub fn parse(template: &str) -> Result<CodeFormat, String> {
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("“{template}”: thiếu dấu }}"))?
                + open;
            let field = &rest[open + 1..close];
            parts.push(match field {
                "agency" => Part::Agency,
                "yymmdd" => Part::Yymmdd,
                "yyyymmdd" => Part::Yyyymmdd,
                _ => match field.strip_prefix("seq:").map(str::parse::<usize>) {
                    Some(Ok(n)) if (1..=10).contains(&n) => Part::Seq(n),
                    _ => return Err(format!("“{template}”: không hiểu “{{{field}}}”")),
                },
            });
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        if !parts.iter().any(|p| matches!(p, Part::Seq(_))) {
            return Err(format!("“{template}”: cần {{seq:N}} để mã không trùng"));
        }
        if !parts.iter().any(|p| matches!(p, Part::Agency)) {
            return Err(format!(
                "“{template}”: cần {{agency}} để mã không trùng giữa các cơ quan"
            ));
        }
        Ok(CodeFormat { parts })
    }

    /// The code of the `seq`-th dossier received by `agency` on `day`.
    pub fn code(&self, agency: &str, day: Date, seq: i64) -> String {
        let (y, m, d) = day.ymd();
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                Part::Agency => agency.to_string(),
                Part::Yymmdd => format!("{:02}{m:02}{d:02}", y.rem_euclid(100)),
                Part::Yyyymmdd => format!("{y:04}{m:02}{d:02}"),
                Part::Seq(n) => format!("{seq:0n$}", n = *n),
            })
            .collect()
    }
}

impl Default for CodeFormat {
    fn default() -> CodeFormat {
        CodeFormat::parse(DEFAULT_FORMAT).expect("the default format is valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_template() {
        let day = Date::parse("2026-03-02").unwrap();
        assert_eq!(
            CodeFormat::default().code("H99.01.50", day, 7),
            "H99.01.50-260302-0007"
        );
        assert_eq!(
            CodeFormat::default().code("H99.31", day, 12345),
            "H99.31-260302-12345"
        );
        let central = CodeFormat::parse("{agency}-{yyyymmdd}-TN{seq:6}").unwrap();
        assert_eq!(
            central.code("000.00.12.H56", day, 42),
            "000.00.12.H56-20260302-TN000042"
        );
    }

    #[test]
    fn a_template_that_could_repeat_codes_is_refused() {
        for bad in [
            "{agency}-{yymmdd}",
            "{yymmdd}-{seq:4}",
            "{agency}-{seq:0}",
            "{agency}-{x}-{seq:4}",
            "{agency",
        ] {
            assert!(CodeFormat::parse(bad).is_err(), "{bad}");
        }
    }
}
