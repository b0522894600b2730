//! The file store: a folder where each file is named by the SHA-256 of its content
//! (`ab/abcdef…`), so a file is written once however often it is uploaded, and a name always
//! means the same bytes. The database keeps what the files are (`files`, `form_files`).

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("no file {0}")]
    Missing(String),
    #[error("the file store at {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// The SHA-256 of `bytes` in lower-case hex: file names, event chains, tokens and secrets.
pub fn sha256_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        hex.push(char::from(DIGITS[usize::from(b >> 4)]));
        hex.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    hex
}

fn valid_name(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl FileStore {
    pub fn new(dir: impl Into<PathBuf>) -> FileStore {
        FileStore { dir: dir.into() }
    }

    fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(&sha256[..2]).join(sha256)
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
        move |source| FileError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// Keeps `bytes` and returns their SHA-256. The file appears whole or not at all: it is
    /// written to a temporary name, synced, then renamed.
    pub fn put(&self, bytes: &[u8]) -> Result<String, FileError> {
        let sha256 = sha256_hex(bytes);
        let path = self.path(&sha256);
        if path.exists() {
            return Ok(sha256);
        }
        let folder = path.parent().expect("a file has a folder");
        std::fs::create_dir_all(folder).map_err(Self::io(folder))?;
        let temp = folder.join(format!(".{sha256}.{}", std::process::id()));
        let mut file = std::fs::File::create(&temp).map_err(Self::io(&temp))?;
        file.write_all(bytes).map_err(Self::io(&temp))?;
        file.sync_all().map_err(Self::io(&temp))?;
        std::fs::rename(&temp, &path).map_err(Self::io(&path))?;
        Ok(sha256)
    }

    /// The bytes named `sha256`. A name that is not a SHA-256 is missing, never a path.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, FileError> {
        if !valid_name(sha256) {
            return Err(FileError::Missing(sha256.to_string()));
        }
        let path = self.path(sha256);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(FileError::Missing(sha256.to_string()))
            }
            Err(e) => Err(Self::io(&path)(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_kept_once_under_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let a = store.put(b"to khai").unwrap();
        assert_eq!(store.put(b"to khai").unwrap(), a);
        assert_eq!(a, sha256_hex(b"to khai"));
        assert_eq!(store.get(&a).unwrap(), b"to khai");
        assert!(dir.path().join(&a[..2]).join(&a).is_file());
        // Nothing but a hash is a name: no path can be read through it.
        for bad in ["../etc/passwd", &a.to_uppercase(), "", &a[..63]] {
            assert!(
                matches!(store.get(bad), Err(FileError::Missing(_))),
                "{bad}"
            );
        }
        let other = sha256_hex(b"other");
        assert!(matches!(store.get(&other), Err(FileError::Missing(_))));
    }
}
