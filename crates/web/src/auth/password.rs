//! Password hashing with argon2id (the library's recommended parameters), off the async threads:
//! a hash takes tens of milliseconds of CPU on purpose.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// Hashes a password in PHC form (`$argon2id$v=19$…`), with a fresh random salt.
pub fn hash_blocking(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 with its default parameters hashes any password")
        .to_string()
}

pub fn verify_blocking(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .expect("hashing does not panic")
}

/// Verifies a password; with no account, still spends the same time (against a fixed hash), so
/// the answer's delay does not tell which logins exist.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_blocking(&password, &h),
        None => {
            let _ = verify_blocking(&password, dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("no such account"))
}

/// An initial password people can read aloud and type: three groups of four letters and digits,
/// without look-alikes (0/O, 1/l/I).
pub fn initial_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_blocking("sông Hồng chảy về biển");
        let b = hash_blocking("sông Hồng chảy về biển");
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_blocking("sông Hồng chảy về biển", &a));
        assert!(!verify_blocking("sông Hồng chảy về biển!", &a));
    }

    #[test]
    fn initial_passwords_are_readable() {
        let p = initial_password();
        assert_eq!(p.len(), 14);
        assert_eq!(p.matches('-').count(), 2);
        assert!(!p.contains(['0', 'o', '1', 'l', 'i']));
        assert_ne!(p, initial_password());
    }
}
