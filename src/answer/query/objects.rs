//! Registry objects as the renderers see them: a borrowed view of one
//! stored object with its display key and provenance, so that no
//! protocol module reads the parser's types or the snapshot's tables.

use super::ObjRef;
use crate::snapshot::Snapshot;

/// True when the operator serves persons' personal data (`personal-data`);
/// else the loader withheld it and no answer holds any.
pub fn personal_data_served(snap: &Snapshot) -> bool {
    snap.personal_data()
}

/// One stored object (network, entity, aut-num, domain), borrowed.
#[derive(Clone, Copy)]
pub struct ObjectView<'a> {
    snap: &'a Snapshot,
    r: ObjRef,
    object: crate::rpsl::ObjectRef<'a>,
}

impl<'a> ObjectView<'a> {
    /// The object behind a reference.
    pub fn of(snap: &'a Snapshot, r: ObjRef) -> Self {
        let object = match r {
            ObjRef::Network(i) => snap.net(i).object,
            ObjRef::Entity(i) => snap.entity_at(i).object,
            ObjRef::AutNum(i) => snap.autnum_at(i).object.view(),
            ObjRef::Domain(i) => snap.domain_at(i).object.view(),
        };
        ObjectView { snap, r, object }
    }

    /// True for a person's object whose personal data is served (not the
    /// placeholder a withheld or dummified person becomes): what RIPE-style
    /// per-client limits count.
    pub fn is_personal(&self) -> bool {
        match self.r {
            ObjRef::Entity(i) => {
                let e = self.snap.entity_at(i);
                e.class == crate::model::EntityClass::Person
                    && !crate::model::is_dummy_contact(e.handle_text(), e.name())
            }
            _ => false,
        }
    }

    /// The reference, for comparing objects.
    pub fn reference(&self) -> ObjRef {
        self.r
    }

    /// The class (`inetnum`, `organisation`, ...).
    pub fn class(&self) -> &'a str {
        self.object.class()
    }

    /// The primary key as written.
    pub fn key(&self) -> &'a str {
        self.object.key()
    }

    /// The key the object is known by: `nic-hdl` for roles and persons.
    pub fn display_key(&self) -> &'a str {
        match self.r {
            ObjRef::Entity(i) => self.snap.entity_at(i).handle_text(),
            _ => self.object.key(),
        }
    }

    /// The `source:` value, or "".
    pub fn source(&self) -> &'a str {
        self.object.get("source").unwrap_or("")
    }

    /// The first value of an attribute (name in lower case).
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.object.get(name)
    }

    /// The first value of an attribute as text, `created` and
    /// `last-modified` included (see `Object::get_value`).
    pub fn get_value(&self, name: &str) -> Option<std::borrow::Cow<'a, str>> {
        self.object.get_value(name)
    }

    /// `created` and `last-modified` read in one pass (see
    /// `ObjectRef::get_times`).
    pub fn get_times(&self) -> [Option<super::AttrTime<'a>>; 2] {
        self.object.get_times()
    }

    /// Every value of an attribute (name in lower case).
    pub fn get_all(&self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.object.get_all(name)
    }

    /// Every attribute, in order: `(name, value)`.
    pub fn attrs(&self) -> impl Iterator<Item = (&'a str, std::borrow::Cow<'a, str>)> + 'a {
        self.object.attrs()
    }

    /// Appends the object as RPSL text.
    pub fn render(&self, out: &mut String) {
        self.object.render(out)
    }

    /// `file:line` the object was read from.
    pub fn origin(&self) -> String {
        let snap = self.snap;
        let file = match self.r {
            ObjRef::Network(i) => snap.net(i).file,
            ObjRef::Entity(i) => snap.entity_at(i).file,
            ObjRef::AutNum(i) => snap.autnum_at(i).file,
            ObjRef::Domain(i) => snap.domain_at(i).file,
        };
        snap.origin(file, self.object.line)
    }

    /// The `admin-c` and `tech-c` contacts, one per handle, in the
    /// object's order; those the registry's public dump replaced by its
    /// placeholder are counted as removed instead.
    pub fn contacts(&self) -> Contacts<'a> {
        use crate::model::is_dummy_contact;
        let snap = self.snap;
        let mut c = Contacts::default();
        for (admin, value) in self.object.get_both("admin-c", "tech-c") {
            let tech = !admin;
            if let Some(seen) = c
                .shown
                .iter_mut()
                .find(|x| x.handle.eq_ignore_ascii_case(value))
            {
                seen.administrative |= admin;
                seen.technical |= tech;
                continue;
            }
            let e = if is_dummy_contact(value, None) {
                None
            } else {
                snap.entity_index(value).map(|i| EntityView::new(snap, i))
            };
            if is_dummy_contact(value, e.and_then(|e| e.name())) {
                c.removed_administrative |= admin;
                c.removed_technical |= tech;
                continue;
            }
            c.shown.push(Contact {
                handle: value,
                name: e.and_then(|e| e.name()).unwrap_or(value),
                kind: e.map_or(ContactKind::Group, |e| e.kind()),
                entity: e,
                administrative: admin,
                technical: tech,
            });
        }
        c
    }
}

/// An object's contacts.
#[derive(Default)]
pub struct Contacts<'a> {
    pub shown: Vec<Contact<'a>>,
    /// An administrative contact was a registry placeholder (removed).
    pub removed_administrative: bool,
    /// A technical contact was a registry placeholder (removed).
    pub removed_technical: bool,
}

/// One contact of a network.
pub struct Contact<'a> {
    pub handle: &'a str,
    pub name: &'a str,
    pub kind: ContactKind,
    /// Its object, when it is loaded here (so a link to it answers).
    pub entity: Option<EntityView<'a>>,
    pub administrative: bool,
    pub technical: bool,
}

/// What kind of party a contact is (the vCard `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactKind {
    Individual,
    Organisation,
    Group,
}

/// A contact-like object (organisation, role, person, irt, mntner), borrowed.
#[derive(Clone, Copy)]
pub struct EntityView<'a> {
    snap: &'a Snapshot,
    i: u32,
}

impl<'a> EntityView<'a> {
    pub(crate) fn new(snap: &'a Snapshot, i: u32) -> Self {
        EntityView { snap, i }
    }

    fn entity(&self) -> crate::model::EntityRef<'a> {
        self.snap.entity_at(self.i)
    }

    /// The same object.
    pub fn same(&self, other: &EntityView) -> bool {
        self.i == other.i
    }

    /// Its key is its handle: every entity but RIPE-style persons and
    /// roles, whose key is their name and handle their `nic-hdl`.
    pub fn keyed_by_handle(&self) -> bool {
        use crate::model::EntityClass;
        let e = self.entity();
        !matches!(e.class, EntityClass::Person | EntityClass::Role)
            || e.object.get("nic-hdl").is_none()
    }

    /// The handle as written (`nic-hdl` for roles and persons).
    pub fn handle(&self) -> &'a str {
        self.entity().handle_text()
    }

    /// The display name (org-name, role, person, irt), if any.
    pub fn name(&self) -> Option<&'a str> {
        self.entity().name()
    }

    /// The name, else the handle.
    pub fn display_name(&self) -> &'a str {
        self.name().unwrap_or(self.handle())
    }

    /// What kind of party it is.
    pub fn kind(&self) -> ContactKind {
        use crate::model::EntityClass;
        match self.entity().class {
            EntityClass::Organisation => ContactKind::Organisation,
            EntityClass::Person => ContactKind::Individual,
            _ => ContactKind::Group,
        }
    }

    /// A maintainer object (not a party to show in searches).
    pub fn is_maintainer(&self) -> bool {
        self.entity().class == crate::model::EntityClass::Mntner
    }

    pub fn abuse_mailbox(&self) -> Option<&'a str> {
        self.entity().abuse_mailbox()
    }

    pub fn object(&self) -> ObjectView<'a> {
        ObjectView::of(self.snap, ObjRef::Entity(self.i))
    }
}

/// An aut-num or as-block, borrowed.
#[derive(Clone, Copy)]
pub struct AutNumView<'a> {
    snap: &'a Snapshot,
    i: u32,
}

impl<'a> AutNumView<'a> {
    pub(crate) fn new(snap: &'a Snapshot, i: u32) -> Self {
        AutNumView { snap, i }
    }

    fn autnum(&self) -> &'a crate::model::AutNum {
        self.snap.autnum_at(self.i)
    }

    pub fn key(&self) -> &'a str {
        self.autnum().object.key()
    }

    /// First and last AS number.
    pub fn first(&self) -> u32 {
        self.autnum().first
    }
    pub fn last(&self) -> u32 {
        self.autnum().last
    }

    /// An `as-block` rather than one AS number.
    pub fn is_block(&self) -> bool {
        self.autnum().block
    }

    /// `as-name`.
    pub fn name(&self) -> Option<&'a str> {
        self.autnum().object.get("as-name")
    }

    /// The organisation it names, loaded here: `(handle, name)`.
    pub fn organisation(&self) -> Option<(&'a str, &'a str)> {
        let e = self.snap.entity_sym(self.autnum().org)?;
        Some((e.object.key(), e.name().unwrap_or(e.object.key())))
    }

    pub fn object(&self) -> ObjectView<'a> {
        ObjectView::of(self.snap, ObjRef::AutNum(self.i))
    }
}

/// Appends attributes as an RPSL object (for objects tenure writes, such
/// as a lease shown in the style of its source).
pub fn render_attrs(attrs: Vec<(&str, &str)>, line: u32, out: &mut String) {
    crate::rpsl::Object::from_attrs(attrs, line).render(out);
}
