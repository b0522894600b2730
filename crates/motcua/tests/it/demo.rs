//! The demo province and the first administrator, through the binary.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::{motcua, stderr_lines};

fn password_in(out: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix("Mật khẩu ban đầu: "))
        .expect("the initial password is printed")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_loads_once_into_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("d.db").display());
    let first = motcua(dir.path())
        .args(["--database-url", &url, "demo"])
        .output()
        .unwrap();
    assert!(first.status.success(), "{first:?}");
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(out.contains("Tỉnh Minh Sơn (dữ liệu mẫu"), "{out}");
    assert!(out.contains("206 thủ tục hành chính"), "{out}");
    assert_eq!(password_in(&out).len(), 14);
    for login in [
        "quantri",
        "thanhtra",
        "kiemsoat.vp",
        "cchc.snv",
        "motcua.tinh",
        "chuyenvien.nnmt",
        "lanhdao.nnmt",
        "quantri.nnmt",
    ] {
        assert!(out.contains(login), "{login} missing from:\n{out}");
    }
    let again = motcua(dir.path())
        .args(["--database-url", &url, "demo"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    let lines = stderr_lines(&again);
    assert!(
        lines[0].contains("already holds an organisation"),
        "{lines:?}"
    );

    let db = motcua_store::Db::connect(&url, &Default::default())
        .await
        .unwrap();
    // Before 1 July 2025 the province had four districts; after, twenty commune-level units.
    let before = db.units_as_of("2025-06-30").await.unwrap();
    let after = db.units_as_of("2025-07-01").await.unwrap();
    assert_eq!(
        before
            .iter()
            .filter(|u| ["district", "town", "provincial_city"].contains(&u.kind.as_str()))
            .count(),
        4
    );
    assert_eq!(after.iter().filter(|u| u.parent_id.is_some()).count(), 20);
    assert!(
        after
            .iter()
            .all(|u| !["district", "town", "provincial_city"].contains(&u.kind.as_str()))
    );
    let ward = db
        .agency_by_identifier("H99.31", "2026-01-01")
        .await
        .unwrap();
    assert_eq!(ward.name, "Ủy ban nhân dân phường Minh Sơn");
    let centre = db
        .agency_by_identifier("H99.01.50", "2026-01-01")
        .await
        .unwrap();
    assert_eq!(db.desks_of(centre.id).await.unwrap().len(), 5);
    let staff = db.staff(None).await.unwrap();
    assert_eq!(staff.len(), 11);
    assert!(
        staff
            .iter()
            .all(|s| s.must_change_password && s.password_hash.starts_with("$argon2id$"))
    );
    let roles: std::collections::BTreeSet<String> = {
        let mut all = std::collections::BTreeSet::new();
        for s in &staff {
            for g in db.grants_of(s.id).await.unwrap() {
                all.insert(g.role);
            }
        }
        all
    };
    assert_eq!(roles.len(), 8, "every role has someone: {roles:?}");
    // The sample catalogue: every procedure checked and in force, land the largest sector.
    let procedures = db.procedures_in_force("2026-11-01").await.unwrap();
    assert!(procedures.len() >= 150, "{}", procedures.len());
    let land = procedures.iter().filter(|p| p.sector == "DD").count();
    let largest = procedures.iter().fold(
        std::collections::BTreeMap::<&str, usize>::new(),
        |mut m, p| {
            *m.entry(p.sector.as_str()).or_default() += 1;
            m
        },
    );
    assert_eq!(
        largest.values().max(),
        Some(&land),
        "land is the largest sector: {largest:?}"
    );
    assert!(
        procedures.iter().any(|p| p.level == "commune")
            && procedures.iter().any(|p| p.level == "province")
    );
    db.close().await;
}

#[test]
fn the_first_start_loads_the_demo_and_the_password_works_once() {
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        let mut child = motcua(dir.path())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = Vec::new();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "motcua stopped: {lines:?}"
            );
            let done = line.starts_with("motcua serves");
            lines.push(line);
            if done {
                break;
            }
        }
        std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(child.wait().unwrap().success());
        lines.concat()
    };
    let first = start();
    assert!(first.contains("Mật khẩu ban đầu: "), "{first}");
    let second = start();
    assert!(
        !second.contains("Mật khẩu ban đầu"),
        "the demo loads only once: {second}"
    );
}

#[test]
fn a_demo_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("motcua.toml"), "demo = false\n").unwrap();
    let mut child = motcua(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    assert!(line.starts_with("motcua serves"), "{line}");
}

#[test]
fn the_first_administrator_is_created_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("motcua.toml"), "demo = false\n").unwrap();
    let created = motcua(dir.path())
        .args([
            "user",
            "create",
            "--login",
            "Admin.Tinh",
            "--full-name",
            "Nguyễn Quản Trị",
            "--admin",
        ])
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    let out = String::from_utf8_lossy(&created.stdout);
    assert!(out.contains("admin.tinh"));
    assert_eq!(password_in(&out).len(), 14);
    for (args, expected) in [
        (
            &["--login", "admin.tinh", "--full-name", "X"][..],
            "exists already",
        ),
        (&["--login", "có dấu", "--full-name", "X"][..], "--login"),
        (&["--login", "abc", "--full-name", " "][..], "--full-name"),
        (
            &["--login", "abcd", "--full-name", "X", "--agency", "H98.01"][..],
            "--agency",
        ),
    ] {
        let mut all = vec!["user", "create"];
        all.extend_from_slice(args);
        let output = motcua(dir.path()).args(&all).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        let lines = stderr_lines(&output);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains(expected), "{args:?}: {}", lines[0]);
    }
}
