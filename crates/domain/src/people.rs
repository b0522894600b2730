//! Accounts: login names and the password policy.

/// The shortest password accepted. Length matters more than character classes (NIST SP 800-63B).
pub const MIN_PASSWORD_LENGTH: usize = 10;

/// Passwords too common to accept, whatever their length (checked case-insensitively).
const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "0123456789",
    "1111111111",
    "matkhau123",
    "matkhau1234",
    "password123",
    "password1234",
    "qwertyuiop",
    "abc1234567",
    "motcua12345",
    "motcua@2026",
    "admin12345",
    "admin@1234",
    "vietnam123",
    "vietnam1234",
];

/// Checks a new password; the message says what to do, in Vietnamese.
pub fn check_password(password: &str, login: &str, full_name: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LENGTH {
        return Err(format!(
            "Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự (hiện có {length})."
        ));
    }
    if length > 200 {
        return Err("Mật khẩu dài quá 200 ký tự.".into());
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Err("Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác.".into());
    }
    let distinct: std::collections::BTreeSet<char> = lower.chars().collect();
    if distinct.len() < 4 {
        return Err("Mật khẩu lặp lại quá ít ký tự khác nhau.".into());
    }
    let login = login.trim().to_lowercase();
    if !login.is_empty() && lower.contains(&login) {
        return Err("Mật khẩu không được chứa tên đăng nhập.".into());
    }
    let name_parts = full_name.to_lowercase();
    if name_parts
        .split_whitespace()
        .filter(|p| p.chars().count() >= 4)
        .any(|p| lower.contains(p))
    {
        return Err("Mật khẩu không được chứa họ tên của bạn.".into());
    }
    Ok(())
}

/// A login name: 3–64 characters of lower-case letters, digits, `.`, `_`, `-`, `@` (so an
/// e-mail address works), stored lower-case.
pub fn normalise_login(text: &str) -> Result<String, String> {
    let login = text.trim().to_lowercase();
    let length = login.chars().count();
    if !(3..=64).contains(&length) {
        return Err("Tên đăng nhập dài từ 3 đến 64 ký tự.".into());
    }
    if !login
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err("Tên đăng nhập chỉ gồm chữ không dấu, chữ số và các dấu . _ - @.".into());
    }
    Ok(login)
}

/// How an applicant is reached and signs in: a Vietnamese phone number or an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    /// Ten digits starting with 0 (`+84` and spaces are accepted and removed).
    Phone(String),
    Email(String),
}

impl Contact {
    pub fn parse(text: &str) -> Result<Contact, String> {
        let t = text.trim();
        if t.contains('@') {
            let email = t.to_lowercase();
            let (local, domain) = email.split_once('@').unwrap_or(("", ""));
            let ok = !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
                && email.len() <= 120;
            return if ok {
                Ok(Contact::Email(email))
            } else {
                Err(format!("“{t}” không phải địa chỉ thư điện tử hợp lệ."))
            };
        }
        let digits: String = t
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        let national = match digits
            .strip_prefix("+84")
            .or_else(|| digits.strip_prefix("84").filter(|r| r.len() == 9))
        {
            Some(rest) => format!("0{rest}"),
            None => digits,
        };
        if national.len() == 10
            && national.starts_with('0')
            && national.bytes().all(|b| b.is_ascii_digit())
        {
            Ok(Contact::Phone(national))
        } else {
            Err(format!(
                "“{t}” không phải số điện thoại hợp lệ (10 chữ số, ví dụ 0912 345 678)."
            ))
        }
    }

    /// The login name an applicant signs in with.
    pub fn login(&self) -> &str {
        match self {
            Contact::Phone(p) => p,
            Contact::Email(e) => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        for (pw, why) in [
            ("ngắn", "ít nhất 10"),
            ("1234567890", "phổ biến"),
            ("MatKhau123", "phổ biến"),
            ("aaaaaaaaaaaa", "lặp lại"),
            ("xyz-nguyenvana-2026", "tên đăng nhập"),
            ("tuyet.voi.Phương2026", "họ tên"),
        ] {
            let err = check_password(pw, "nguyenvana", "Trần Thị Phương").unwrap_err();
            assert!(err.contains(why), "{pw}: {err}");
        }
        assert!(check_password("sông Hồng chảy về biển", "nguyenvana", "Nguyễn Văn A").is_ok());
    }

    #[test]
    fn contacts_are_normalised() {
        for text in [
            "0912345678",
            "0912 345 678",
            "+84 912 345 678",
            "84912345678",
            "091.234.5678",
        ] {
            assert_eq!(
                Contact::parse(text),
                Ok(Contact::Phone("0912345678".into())),
                "{text}"
            );
        }
        assert_eq!(
            Contact::parse(" Dan@Example.VN "),
            Ok(Contact::Email("dan@example.vn".into()))
        );
        for bad in [
            "12345",
            "09123456789",
            "+1 555 0100",
            "dan@",
            "@x.vn",
            "dan@x",
            "không có",
        ] {
            assert!(Contact::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn login_names() {
        assert_eq!(
            normalise_login(" NguyenVanA.STP ").unwrap(),
            "nguyenvana.stp"
        );
        assert_eq!(normalise_login("a@b.vn").unwrap(), "a@b.vn");
        assert!(normalise_login("ab").is_err());
        assert!(normalise_login("nguyễn").is_err());
        assert!(normalise_login("a b c").is_err());
    }
}
