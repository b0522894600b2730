//! Agency electronic identifiers (mã định danh điện tử), Decision 20/2020/QĐ-TTg.
//!
//! Up to 35 characters: dot-separated groups of digits and capital letters, read from the most
//! general group left; the first group is a letter A–Y followed by two digits (`H56`,
//! `H56.12`, `H56.12.01`). Older data uses the 13-character form of QCVN 102:2016
//! (`000.00.12.H56`, read right to left), which is accepted and kept as written.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyIdentifier(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("an identifier cannot be empty")]
    Empty,
    #[error("'{0}' is longer than 35 characters")]
    TooLong(String),
    #[error("'{0}': groups are separated by single dots and hold only digits and capital letters")]
    Characters(String),
    #[error("'{0}': the first group must be a letter A–Y followed by two digits, e.g. H56")]
    FirstGroup(String),
}

impl IdentifierError {
    pub fn vietnamese(&self) -> String {
        match self {
            IdentifierError::Empty => "Mã định danh không được để trống.".into(),
            IdentifierError::TooLong(s) => format!("Mã “{s}” dài quá 35 ký tự."),
            IdentifierError::Characters(s) => format!(
                "Mã “{s}” chỉ gồm chữ số và chữ in hoa, các nhóm cách nhau bởi một dấu chấm."
            ),
            IdentifierError::FirstGroup(s) => format!(
                "Mã “{s}”: nhóm đầu phải là một chữ cái từ A đến Y và hai chữ số (ví dụ H56)."
            ),
        }
    }
}

fn first_group_ok(group: &str) -> bool {
    let b = group.as_bytes();
    b.len() == 3 && (b'A'..=b'Y').contains(&b[0]) && b[1].is_ascii_digit() && b[2].is_ascii_digit()
}

impl AgencyIdentifier {
    pub fn parse(text: &str) -> Result<AgencyIdentifier, IdentifierError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(IdentifierError::Empty);
        }
        if t.len() > 35 {
            return Err(IdentifierError::TooLong(t.to_string()));
        }
        let groups: Vec<&str> = t.split('.').collect();
        let groups_ok = groups.iter().all(|g| {
            !g.is_empty()
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        });
        if !groups_ok {
            return Err(IdentifierError::Characters(t.to_string()));
        }
        // QCVN 102: four groups (3.2.2.3 characters) with the province code last.
        let legacy = groups.len() == 4
            && [3, 2, 2, 3]
                == [
                    groups[0].len(),
                    groups[1].len(),
                    groups[2].len(),
                    groups[3].len(),
                ]
            && first_group_ok(groups[3]);
        if !legacy && !first_group_ok(groups[0]) {
            return Err(IdentifierError::FirstGroup(t.to_string()));
        }
        Ok(AgencyIdentifier(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is in the older QCVN 102 form.
    pub fn is_legacy(&self) -> bool {
        self.0.len() == 13 && !first_group_ok(self.0.split('.').next().unwrap_or(""))
    }
}

impl fmt::Display for AgencyIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AgencyIdentifier {
    type Error = IdentifierError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AgencyIdentifier::parse(&s)
    }
}

impl From<AgencyIdentifier> for String {
    fn from(id: AgencyIdentifier) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_identifiers() {
        for id in [
            "H56",
            "H56.12",
            "H56.12.01",
            "A01.1A.B2",
            "Y99.Z.0",
            "000.00.12.H56",
            "G01.36.12.15.01",
        ] {
            assert!(AgencyIdentifier::parse(id).is_ok(), "{id}");
        }
        assert!(
            AgencyIdentifier::parse("000.00.12.H56")
                .unwrap()
                .is_legacy()
        );
        assert!(!AgencyIdentifier::parse("H56.12").unwrap().is_legacy());
    }

    #[test]
    fn invalid_identifiers_say_why() {
        use IdentifierError::*;
        for (id, kind) in [
            ("", Empty),
            ("h56", Characters("h56".into())),
            ("H56..12", Characters("H56..12".into())),
            ("H56.12.", Characters("H56.12.".into())),
            ("H56-12", Characters("H56-12".into())),
            ("Z56", FirstGroup("Z56".into())),
            ("H5", FirstGroup("H5".into())),
            ("156.12", FirstGroup("156.12".into())),
            (
                "H56.1234567890.1234567890.1234567890",
                TooLong("H56.1234567890.1234567890.1234567890".into()),
            ),
        ] {
            assert_eq!(AgencyIdentifier::parse(id), Err(kind), "{id}");
        }
    }
}
