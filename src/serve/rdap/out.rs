//! The parts of RDAP answers (RFC 9083 sections 4 and 5) that are gathered
//! before they are written: entities (merged by handle before writing),
//! remarks and paths. They borrow from the snapshot; `build` writes them
//! with [`super::json::Json`].

use std::borrow::Cow;

/// A path below the base path, in pieces.
pub type Path<'a> = [Cow<'a, str>; 4];

/// An entity (RFC 9083 section 5.1) with its jCard (RFC 7095): version,
/// `fn`, `kind` and an optional e-mail.
#[derive(Clone)]
pub struct Entity<'a> {
    pub handle: Cow<'a, str>,
    /// The jCard's `fn`.
    pub name: &'a str,
    /// The jCard's `kind`.
    pub kind: &'static str,
    pub roles: Roles,
    /// The jCard's e-mail, and whether it is preferred (`pref` 1: the abuse
    /// mailbox).
    pub email: Option<(&'a str, bool)>,
    pub remark: Option<Remark<'a>>,
    /// `registration` and `last changed` dates.
    pub events: [Option<crate::query::AttrTime<'a>>; 2],
    /// The handle as a path segment, for its `self` link (`entity/...`);
    /// `None`: no link (`entity/` would not answer it).
    pub link: Option<Cow<'a, str>>,
}

/// An entity's roles, in the order they were given, each once.
#[derive(Clone, Copy, Default)]
pub struct Roles {
    list: [&'static str; 6],
    len: usize,
}

impl Roles {
    pub fn of(roles: &[&'static str]) -> Self {
        let mut r = Roles::default();
        roles.iter().for_each(|x| r.add(x));
        r
    }

    /// Adds a role it does not have yet (at most six roles are kept: an
    /// answer gives no entity more than five).
    pub fn add(&mut self, role: &'static str) {
        if !self.contains(role) {
            if let Some(slot) = self.list.get_mut(self.len) {
                *slot = role;
                self.len += 1;
            }
        }
    }

    pub fn contains(&self, role: &str) -> bool {
        self.iter().any(|r| r == role)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.list[..self.len].iter().copied()
    }
}

#[derive(Clone)]
pub struct Remark<'a> {
    pub title: Option<&'static str>,
    pub description: Vec<Cow<'a, str>>,
}
