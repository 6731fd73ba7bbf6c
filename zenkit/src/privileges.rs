//! User and group accounts: resolving `--user`/`--group` and dropping root
//! privileges.
//!
//! An account is given by name or by numeric id and resolved to its name and
//! id (`[name, id]` in the configuration, as pyzenkit stores it). Dropping
//! privileges sets the supplementary groups first (the user's groups, or only
//! the target group when no user is given), then the group id, then the user
//! id, and finally checks that root cannot be regained.

use std::ffi::CString;
use std::fmt;

use nix::errno::Errno;
use nix::unistd::{self, Gid, Group, Uid, User};
use serde_json::Value;

use crate::{Error, Result};

/// A resolved user or group account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Account {
    /// The account name.
    pub name: String,
    /// The numeric id (uid or gid).
    pub id: u32,
}

impl Account {
    /// The account as stored in the configuration: `[name, id]`.
    pub fn to_json(&self) -> Value {
        serde_json::json!([self.name, self.id])
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' ({})", self.name, self.id)
    }
}

#[derive(Clone, Copy)]
enum Kind {
    User,
    Group,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
        }
    }

    fn by_name(self, name: &str) -> nix::Result<Option<Account>> {
        match self {
            Kind::User => User::from_name(name).map(|u| {
                u.map(|u| Account {
                    name: u.name,
                    id: u.uid.as_raw(),
                })
            }),
            Kind::Group => Group::from_name(name).map(|g| {
                g.map(|g| Account {
                    name: g.name,
                    id: g.gid.as_raw(),
                })
            }),
        }
    }

    fn by_id(self, id: u32) -> nix::Result<Option<Account>> {
        match self {
            Kind::User => User::from_uid(Uid::from_raw(id)).map(|u| {
                u.map(|u| Account {
                    name: u.name,
                    id: u.uid.as_raw(),
                })
            }),
            Kind::Group => Group::from_gid(Gid::from_raw(id)).map(|g| {
                g.map(|g| Account {
                    name: g.name,
                    id: g.gid.as_raw(),
                })
            }),
        }
    }
}

/// Turns a lookup result into an account or an error. Some name services
/// report a missing entry as one of these errors rather than as no entry.
fn found(kind: Kind, shown: &str, result: nix::Result<Option<Account>>) -> Result<Option<Account>> {
    match result {
        Ok(account) => Ok(account),
        Err(Errno::ENOENT | Errno::ESRCH | Errno::EBADF | Errno::EPERM) => Ok(None),
        Err(err) => Err(Error::setup(format!(
            "cannot look up {} {shown}: {}",
            kind.noun(),
            err.desc()
        ))),
    }
}

fn unknown(kind: Kind, shown: &str) -> Error {
    let noun = kind.noun();
    Error::setup(format!(
        "unknown {noun} {shown}: no such account on this system; check --{noun} or the `{noun}` configuration key"
    ))
}

fn resolve(kind: Kind, spec: &Value) -> Result<Account> {
    let by_id = |id: u32| {
        let shown = format!("id {id}");
        found(kind, &shown, kind.by_id(id))?.ok_or_else(|| unknown(kind, &shown))
    };
    match spec {
        Value::String(name) => {
            let name = name.trim();
            if name.is_empty() {
                return Err(Error::config(format!(
                    "configuration key `{}` is empty: give an account name or a numeric id",
                    kind.noun()
                )));
            }
            let shown = format!("'{name}'");
            if let Some(account) = found(kind, &shown, kind.by_name(name))? {
                return Ok(account);
            }
            match name.parse::<u32>() {
                Ok(id) => by_id(id),
                Err(_) => Err(unknown(kind, &shown)),
            }
        }
        Value::Number(number) => match number.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(id) => by_id(id),
            None => Err(Error::config(format!(
                "configuration key `{}` is {number}, which is not a valid {} id",
                kind.noun(),
                kind.noun()
            ))),
        },
        // The resolved form `[name, id]`, as found in a configuration dump.
        Value::Array(pair) if pair.len() == 2 && pair[0].is_string() => resolve(kind, &pair[1]),
        other => Err(Error::config(format!(
            "configuration key `{}` must be an account name or a numeric id, not {other}",
            kind.noun()
        ))),
    }
}

/// Resolves a user given by name or uid (a configuration value: a string, a
/// number, or the resolved `[name, uid]`). A string is looked up as a name
/// first, then as a number.
pub fn resolve_user(spec: &Value) -> Result<Account> {
    resolve(Kind::User, spec)
}

/// Resolves a group given by name or gid, like [`resolve_user`].
pub fn resolve_group(spec: &Value) -> Result<Account> {
    resolve(Kind::Group, spec)
}

fn describe(user: Option<&Account>, group: Option<&Account>) -> String {
    match (user, group) {
        (Some(u), Some(g)) => format!("user {u} and group {g}"),
        (Some(u), None) => format!("user {u}"),
        (None, Some(g)) => format!("group {g}"),
        (None, None) => String::from("the current account"),
    }
}

fn current_account() -> String {
    let uid = unistd::geteuid();
    match User::from_uid(uid) {
        Ok(Some(user)) => format!("user '{}' ({uid})", user.name),
        _ => format!("uid {uid}"),
    }
}

/// Drops privileges to `user` and/or `group`.
///
/// The supplementary groups become the user's (`initgroups`) or, when only a
/// group is given, just that group; then the group id is set (the given
/// group, else the user's primary group), then the user id, and finally
/// `setuid(0)` must fail. Nothing happens when both are `None` or the process
/// already runs as the requested account. A process that is not root cannot
/// switch to another account: that is a setup error saying so.
pub fn drop_privileges(user: Option<&Account>, group: Option<&Account>) -> Result<()> {
    if user.is_none() && group.is_none() {
        return Ok(());
    }
    let target = describe(user, group);
    let gid = match (group, user) {
        (Some(group), _) => Gid::from_raw(group.id),
        (None, Some(user)) => match User::from_uid(Uid::from_raw(user.id)) {
            Ok(Some(entry)) => entry.gid,
            Ok(None) | Err(_) => return Err(unknown(Kind::User, &format!("'{}'", user.name))),
        },
        (None, None) => return Ok(()),
    };
    let uid = user.map(|u| Uid::from_raw(u.id));

    let uid_matches = uid.is_none_or(|uid| unistd::getuid() == uid && unistd::geteuid() == uid);
    let gid_matches = group.is_none() || (unistd::getgid() == gid && unistd::getegid() == gid);
    if uid_matches && gid_matches {
        return Ok(());
    }

    let fail = |step: &str, err: Errno| -> Error {
        if err == Errno::EPERM {
            Error::setup(format!(
                "cannot switch to {target}: the process runs as {}, not root; start it as root or leave out --user and --group",
                current_account()
            ))
        } else {
            Error::setup(format!(
                "cannot switch to {target}: {step} failed: {}",
                err.desc()
            ))
        }
    };

    match user {
        Some(user) => {
            let name = CString::new(user.name.as_str()).map_err(|_| {
                Error::setup(format!("user name {:?} contains a NUL byte", user.name))
            })?;
            unistd::initgroups(&name, gid).map_err(|e| fail("initgroups", e))?;
        }
        None => unistd::setgroups(&[gid]).map_err(|e| fail("setgroups", e))?,
    }
    unistd::setgid(gid).map_err(|e| fail("setgid", e))?;
    if let Some(uid) = uid {
        unistd::setuid(uid).map_err(|e| fail("setuid", e))?;
    }

    let ids_ok = unistd::getgid() == gid
        && unistd::getegid() == gid
        && uid.is_none_or(|uid| unistd::getuid() == uid && unistd::geteuid() == uid);
    if !ids_ok {
        return Err(Error::setup(format!(
            "switching to {target} left the process as {}, group {}",
            current_account(),
            unistd::getegid()
        )));
    }
    if uid.is_some_and(|uid| !uid.is_root()) && unistd::setuid(Uid::from_raw(0)).is_ok() {
        return Err(Error::setup(format!(
            "privileges were not dropped: after switching to {target} the process could become root again"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_names_and_ids() {
        let root = Account {
            name: "root".into(),
            id: 0,
        };
        assert_eq!(resolve_user(&json!("root")).unwrap(), root);
        assert_eq!(resolve_user(&json!(0)).unwrap(), root);
        assert_eq!(resolve_user(&json!("0")).unwrap(), root);
        assert_eq!(resolve_user(&json!(["root", 0])).unwrap(), root);
        assert_eq!(resolve_group(&json!("root")).unwrap(), root);
        assert_eq!(resolve_group(&json!(0)).unwrap(), root);
        let nogroup = resolve_group(&json!("nogroup")).unwrap();
        assert_eq!(nogroup.name, "nogroup");
        assert_eq!(resolve_group(&json!(nogroup.id)).unwrap(), nogroup);
        assert_eq!(root.to_json(), json!(["root", 0]));
    }

    #[test]
    fn unknown_accounts_and_bad_values_are_clear_errors() {
        let err = resolve_user(&json!("no-such-user-zk")).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Setup);
        assert_eq!(
            err.message(),
            "unknown user 'no-such-user-zk': no such account on this system; check --user or the `user` configuration key"
        );
        let err = resolve_group(&json!(4_000_000_000u32)).unwrap_err();
        assert_eq!(
            err.message(),
            "unknown group id 4000000000: no such account on this system; check --group or the `group` configuration key"
        );
        assert_eq!(
            resolve_user(&json!(-1)).unwrap_err().kind(),
            crate::ErrorKind::Config
        );
        assert_eq!(
            resolve_user(&json!(true)).unwrap_err().kind(),
            crate::ErrorKind::Config
        );
        assert_eq!(
            resolve_user(&json!(" ")).unwrap_err().kind(),
            crate::ErrorKind::Config
        );
    }

    #[test]
    fn nothing_to_do_without_accounts_or_as_the_same_account() {
        drop_privileges(None, None).unwrap();
        let me = resolve_user(&json!(unistd::geteuid().as_raw())).unwrap();
        drop_privileges(Some(&me), None).unwrap();
        assert_eq!(unistd::geteuid().as_raw(), me.id);
    }

    /// Environment variable that turns [`privilege_probe`] on in a child
    /// test process: `<user>|<group>|<user to regain>`, empty for none.
    const PROBE_ENV: &str = "ZENKIT_PRIVILEGE_PROBE";

    /// Drops privileges as [`PROBE_ENV`] says and prints the `Uid`, `Gid`
    /// and `Groups` lines of /proc/self/status (whitespace normalised), or
    /// the error. A no-op in an ordinary test run. Privileges are dropped in
    /// a process of its own because they are the whole process's.
    #[test]
    fn privilege_probe() {
        let Ok(spec) = std::env::var(PROBE_ENV) else {
            return;
        };
        let account = |part: Option<&str>, resolve: fn(&Value) -> Result<Account>| {
            part.filter(|p| !p.is_empty())
                .map(|p| resolve(&json!(p)).unwrap())
        };
        let mut parts = spec.split('|');
        let user = account(parts.next(), resolve_user);
        let group = account(parts.next(), resolve_group);
        let regain = account(parts.next(), resolve_user);
        let mut result = drop_privileges(user.as_ref(), group.as_ref());
        if let (Ok(()), Some(root)) = (&result, regain) {
            result = drop_privileges(Some(&root), None);
        }
        let text = match result {
            Err(err) => err.to_string(),
            Ok(()) => std::fs::read_to_string("/proc/self/status")
                .unwrap_or_default()
                .lines()
                .filter(|l| {
                    l.starts_with("Uid:") || l.starts_with("Gid:") || l.starts_with("Groups:")
                })
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        println!("<probe>{text}</probe>");
    }

    /// Runs [`privilege_probe`] in a new process of this test binary.
    fn probe(user: Option<&Account>, group: Option<&Account>, regain: Option<&Account>) -> String {
        let name = |a: Option<&Account>| a.map(|a| a.name.clone()).unwrap_or_default();
        let spec = format!("{}|{}|{}", name(user), name(group), name(regain));
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "privileges::tests::privilege_probe",
                "--nocapture",
            ])
            .args(["--test-threads", "1"])
            .env(PROBE_ENV, spec)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let start = stdout.find("<probe>").map(|i| i + "<probe>".len());
        let end = stdout.find("</probe>");
        match (start, end) {
            (Some(start), Some(end)) => stdout[start..end].to_string(),
            _ => panic!("the probe printed nothing: {stdout}"),
        }
    }

    fn ids_after_drop(user: Option<&Account>, group: Option<&Account>) -> String {
        probe(user, group, None)
    }

    #[test]
    fn drops_to_nobody_in_a_child_process() {
        if !unistd::geteuid().is_root() {
            println!("skipped: not root");
            return;
        }
        let nobody = resolve_user(&json!("nobody")).unwrap();
        let nogroup = resolve_group(&json!("nogroup")).unwrap();
        let primary = User::from_uid(Uid::from_raw(nobody.id))
            .unwrap()
            .unwrap()
            .gid
            .as_raw();
        let (u, g, p) = (nobody.id, nogroup.id, primary);

        assert_eq!(
            ids_after_drop(Some(&nobody), Some(&nogroup)),
            format!("Uid: {u} {u} {u} {u}\nGid: {g} {g} {g} {g}\nGroups: {g}")
        );
        assert_eq!(
            ids_after_drop(Some(&nobody), None),
            format!("Uid: {u} {u} {u} {u}\nGid: {p} {p} {p} {p}\nGroups: {p}")
        );
        assert_eq!(
            ids_after_drop(None, Some(&nogroup)),
            format!("Uid: 0 0 0 0\nGid: {g} {g} {g} {g}\nGroups: {g}")
        );

        let root = resolve_user(&json!("root")).unwrap();
        let regained = probe(Some(&nobody), Some(&nogroup), Some(&root));
        assert_eq!(
            regained,
            format!(
                "cannot switch to user 'root' (0): the process runs as user 'nobody' ({u}), not root; \
                 start it as root or leave out --user and --group"
            )
        );
    }
}
