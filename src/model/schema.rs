//! The annotation schema: entity types and relation types.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An entity type such as PER or ORG.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityType {
    /// Stable identifier stored in spans ("PER"). Never changes once spans use it.
    pub id: String,
    /// Human label shown in the UI ("Person").
    pub label: String,
    /// Highlight colour as "#rrggbb".
    pub color: String,
    /// Keyboard shortcut that tags the selection with this type ('1'..'9').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<char>,
    /// A shorter label for tight places (brat visual.conf's abbreviations).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub short_label: String,
}

/// A relation type and which entity types it may connect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationType {
    pub id: String,
    pub label: String,
    /// Entity types allowed as source; empty means any.
    #[serde(default)]
    pub source_types: Vec<String>,
    /// Entity types allowed as target; empty means any.
    #[serde(default)]
    pub target_types: Vec<String>,
    /// Symmetric relations (opposes) have no meaningful direction.
    #[serde(default)]
    pub symmetric: bool,
    /// A role of brat events (Theme, Cause): relations of this type from an event trigger
    /// span are the event's arguments.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub event_role: bool,
    /// How brat draws the arc (visual.conf `[drawing]` attributes such as
    /// `color:#3fa03f, dashArray:3-3`), kept to be written back.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub arc_style: String,
}

/// How a relation type's arcs are drawn, read from its brat `arc_style`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ArcDrawing {
    /// `color:#rrggbb`.
    pub color: Option<[u8; 3]>,
    /// `dashArray:3-3`: dash and gap lengths (one number: both).
    pub dash: Option<(f32, f32)>,
}

impl ArcDrawing {
    /// Reads brat's `[drawing]` attributes (`color:#3fa03f, dashArray:3-3`); attributes it
    /// does not draw (`arrowHead`, `labelArrow`) and values it cannot read are left out.
    pub fn parse(style: &str) -> ArcDrawing {
        let mut drawing = ArcDrawing::default();
        for attribute in style.split(',') {
            let Some((key, value)) = attribute.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "color" => drawing.color = parse_hex_color(value),
                "dashArray" => {
                    let lengths: Vec<f32> = value
                        .split(['-', ' '])
                        .filter_map(|n| n.trim().parse().ok())
                        .filter(|n: &f32| n.is_finite() && *n > 0.0)
                        .collect();
                    drawing.dash = match lengths[..] {
                        [dash] => Some((dash, dash)),
                        [dash, gap, ..] => Some((dash, gap)),
                        [] => None,
                    };
                }
                _ => {}
            }
        }
        drawing
    }
}

impl RelationType {
    /// How its arcs are drawn (brat's visual.conf style, when it came with one).
    pub fn arc_drawing(&self) -> ArcDrawing {
        ArcDrawing::parse(&self.arc_style)
    }

    pub fn allows(&self, source_type: &str, target_type: &str) -> bool {
        let ok = |allowed: &[String], t: &str| allowed.is_empty() || allowed.iter().any(|a| a == t);
        ok(&self.source_types, source_type) && ok(&self.target_types, target_type)
            || self.symmetric
                && ok(&self.source_types, target_type)
                && ok(&self.target_types, source_type)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    pub entity_types: Vec<EntityType>,
    pub relation_types: Vec<RelationType>,
    /// Which entity type each built-in knowledge class (`KnowledgeClass::id`, e.g.
    /// "country") is suggested as in this project, e.g. "country" -> "Location". Classes not
    /// listed follow what the analyst's annotations show, else the built-in default
    /// (`KnowledgeClass::default_type`) when the schema has that type.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub knowledge_types: BTreeMap<String, String>,
}

/// The kinds of thing the gazetteer lists and the rules recognise, independent of any
/// schema. A schema maps them onto its own entity types (`Schema::knowledge_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KnowledgeClass {
    Country,
    City,
    /// First-level administrative divisions: states, provinces, governorates, oblasts.
    Subdivision,
    Region,
    Organisation,
    ArmedGroup,
    PersonName,
    Nationality,
    /// Religious, ethnic and political groups.
    Religion,
    Date,
    Time,
    Quantity,
    Money,
    Role,
    Event,
}

impl KnowledgeClass {
    pub const ALL: [KnowledgeClass; 15] = [
        KnowledgeClass::Country,
        KnowledgeClass::City,
        KnowledgeClass::Subdivision,
        KnowledgeClass::Region,
        KnowledgeClass::Organisation,
        KnowledgeClass::ArmedGroup,
        KnowledgeClass::PersonName,
        KnowledgeClass::Nationality,
        KnowledgeClass::Religion,
        KnowledgeClass::Date,
        KnowledgeClass::Time,
        KnowledgeClass::Quantity,
        KnowledgeClass::Money,
        KnowledgeClass::Role,
        KnowledgeClass::Event,
    ];

    /// The id used in `Schema::knowledge_types`.
    pub fn id(self) -> &'static str {
        match self {
            KnowledgeClass::Country => "country",
            KnowledgeClass::City => "city",
            KnowledgeClass::Subdivision => "subdivision",
            KnowledgeClass::Region => "region",
            KnowledgeClass::Organisation => "organisation",
            KnowledgeClass::ArmedGroup => "armed_group",
            KnowledgeClass::PersonName => "person_name",
            KnowledgeClass::Nationality => "nationality",
            KnowledgeClass::Religion => "religion",
            KnowledgeClass::Date => "date",
            KnowledgeClass::Time => "time",
            KnowledgeClass::Quantity => "quantity",
            KnowledgeClass::Money => "money",
            KnowledgeClass::Role => "role",
            KnowledgeClass::Event => "event",
        }
    }

    pub fn from_id(id: &str) -> Option<KnowledgeClass> {
        KnowledgeClass::ALL.into_iter().find(|c| c.id() == id)
    }

    /// The default schema's type for the class.
    pub fn default_type(self) -> &'static str {
        match self {
            KnowledgeClass::Country | KnowledgeClass::City | KnowledgeClass::Subdivision => "GPE",
            KnowledgeClass::Region => "LOC",
            KnowledgeClass::Organisation | KnowledgeClass::ArmedGroup => "ORG",
            KnowledgeClass::PersonName => "PER",
            KnowledgeClass::Nationality | KnowledgeClass::Religion => "NORP",
            KnowledgeClass::Date | KnowledgeClass::Time => "DATE",
            KnowledgeClass::Quantity | KnowledgeClass::Money => "QUANTITY",
            KnowledgeClass::Role => "ROLE",
            KnowledgeClass::Event => "EVENT",
        }
    }
}

/// What a project's annotations show about one knowledge class (see
/// `crate::suggest::knowledge::learn_knowledge_types`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LearnedType {
    /// Most matches the analyst annotated carry this type.
    Type(String),
    /// The analyst leaves these matches unannotated: suggest nothing for the class.
    Nothing,
}

/// The default schema shipped in `assets/default-schema.ron`.
pub const DEFAULT_SCHEMA_RON: &str = include_str!("../../assets/default-schema.ron");

impl Schema {
    /// Removes an entity type and every relation constraint naming it.
    pub fn remove_entity_type(&mut self, id: &str) {
        self.entity_types.retain(|t| t.id != id);
        for r in &mut self.relation_types {
            r.source_types.retain(|t| t != id);
            r.target_types.retain(|t| t != id);
        }
    }

    /// The analyst-oriented default schema (PER, ORG, GPE, ... and member_of, leader_of, ...).
    pub fn default_schema() -> Schema {
        // The embedded asset is checked by a unit test, so this cannot fail at run time.
        ron::from_str(DEFAULT_SCHEMA_RON).expect("embedded default schema is valid RON")
    }

    /// The entity type to suggest for a knowledge class: the explicit `knowledge_types`
    /// entry, else what the annotations show (`learned`), else the built-in default when the
    /// schema has that type. Never a type the schema lacks; None: suggest nothing.
    pub fn knowledge_type<'a>(
        &'a self,
        class: KnowledgeClass,
        learned: Option<&'a LearnedType>,
    ) -> Option<&'a str> {
        let known = |t: &'a str| self.entity_type(t).is_some().then_some(t);
        if let Some(t) = self.knowledge_types.get(class.id()) {
            return known(t);
        }
        match learned {
            Some(LearnedType::Type(t)) => known(t),
            Some(LearnedType::Nothing) => None,
            None => known(class.default_type()),
        }
    }

    pub fn entity_type(&self, id: &str) -> Option<&EntityType> {
        self.entity_types.iter().find(|t| t.id == id)
    }

    pub fn relation_type(&self, id: &str) -> Option<&RelationType> {
        self.relation_types.iter().find(|t| t.id == id)
    }

    /// What the analyst reads for a relation type: its label, or the id when unknown.
    pub fn relation_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.relation_type(id).map_or(id, |t| t.label.as_str())
    }

    /// What the analyst reads for an entity type: its label, or the id when unknown.
    pub fn entity_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.entity_type(id).map_or(id, |t| t.label.as_str())
    }

    pub fn entity_type_for_key(&self, key: char) -> Option<&EntityType> {
        self.entity_types.iter().find(|t| t.key == Some(key))
    }

    /// Relation types allowed from a span of `source_type` to one of `target_type`.
    pub fn relation_types_between<'a>(
        &'a self,
        source_type: &'a str,
        target_type: &'a str,
    ) -> impl Iterator<Item = &'a RelationType> + 'a {
        self.relation_types
            .iter()
            .filter(move |r| r.allows(source_type, target_type))
    }

    /// Adds an entity type with a generated colour if it is not there yet. Returns true if added.
    pub fn ensure_entity_type(&mut self, id: &str) -> bool {
        if self.entity_type(id).is_some() {
            return false;
        }
        let color = FALLBACK_COLORS[self.entity_types.len() % FALLBACK_COLORS.len()].to_string();
        self.entity_types.push(EntityType {
            id: id.to_string(),
            label: id.to_string(),
            color,
            key: None,
            short_label: String::new(),
        });
        true
    }

    /// Adds an unconstrained relation type if it is not there yet. Returns true if added.
    pub fn ensure_relation_type(&mut self, id: &str) -> bool {
        if self.relation_type(id).is_some() {
            return false;
        }
        self.relation_types.push(RelationType {
            id: id.to_string(),
            label: id.replace('_', " "),
            source_types: Vec::new(),
            target_types: Vec::new(),
            symmetric: false,
            event_role: false,
            arc_style: String::new(),
        });
        true
    }
}

const FALLBACK_COLORS: [&str; 8] = [
    "#8dd3c7", "#fdb462", "#bebada", "#fb8072", "#80b1d3", "#b3de69", "#fccde5", "#bc80bd",
];

/// Parses "#rrggbb" into RGB bytes.
pub fn parse_hex_color(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schema_has_nine_keyed_types_and_ten_relations() {
        let s = Schema::default_schema();
        assert_eq!(s.entity_types.len(), 9);
        assert_eq!(s.relation_types.len(), 10);
        for (i, t) in s.entity_types.iter().enumerate() {
            let expected_key = char::from_digit(i as u32 + 1, 10);
            assert_eq!(t.key, expected_key, "{}", t.id);
            assert!(parse_hex_color(&t.color).is_some(), "{}", t.color);
        }
        for r in &s.relation_types {
            for t in r.source_types.iter().chain(&r.target_types) {
                assert!(
                    s.entity_type(t).is_some(),
                    "{} names unknown type {t}",
                    r.id
                );
            }
        }
    }

    #[test]
    fn relation_constraints_respect_direction_unless_symmetric() {
        let s = Schema::default_schema();
        let leader = s.relation_type("leader_of").unwrap();
        assert!(leader.allows("PER", "GPE"));
        assert!(!leader.allows("GPE", "PER"));
        let opposes = s.relation_type("opposes").unwrap();
        assert!(opposes.allows("GPE", "ORG") && opposes.allows("ORG", "GPE"));
        let names: Vec<_> = s
            .relation_types_between("PER", "ROLE")
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(names, vec!["has_role"]);
    }

    #[test]
    fn knowledge_types_explicit_then_learned_then_default() {
        let mut s = Schema::default_schema();
        let country = KnowledgeClass::Country;
        assert_eq!(s.knowledge_type(country, None), Some("GPE"));
        let loc = LearnedType::Type("LOC".into());
        assert_eq!(s.knowledge_type(country, Some(&loc)), Some("LOC"));
        assert_eq!(s.knowledge_type(country, Some(&LearnedType::Nothing)), None);
        s.knowledge_types.insert("country".into(), "GPE".into());
        assert_eq!(s.knowledge_type(country, Some(&loc)), Some("GPE"));
        // A type the schema lacks is never returned.
        let ghost = LearnedType::Type("Weapon".into());
        assert_eq!(s.knowledge_type(KnowledgeClass::City, Some(&ghost)), None);
        let custom = Schema {
            entity_types: vec![EntityType {
                id: "Location".into(),
                label: "Location".into(),
                color: "#ffffff".into(),
                key: None,
                short_label: String::new(),
            }],
            ..Schema::default()
        };
        assert_eq!(custom.knowledge_type(country, None), None);
        for c in KnowledgeClass::ALL {
            assert_eq!(KnowledgeClass::from_id(c.id()), Some(c));
            assert!(Schema::default_schema().knowledge_type(c, None).is_some());
        }
    }

    #[test]
    fn default_schema_files_do_not_change() {
        let s = Schema::default_schema();
        let ron = ron::to_string(&s).unwrap_or_default();
        assert!(!ron.contains("knowledge_types"), "{ron}");
        let back: Schema = ron::from_str(&ron).unwrap_or_default();
        assert_eq!(back, s);
    }

    #[test]
    fn hex_colours_parse() {
        assert_eq!(parse_hex_color("#ff8000"), Some([255, 128, 0]));
        assert_eq!(parse_hex_color("ff8000"), None);
        assert_eq!(parse_hex_color("#ff80"), None);
    }
}

#[cfg(test)]
mod arc_drawing_tests {
    use super::ArcDrawing;

    #[test]
    fn brat_arc_styles_are_read_and_odd_values_left_out() {
        assert_eq!(
            ArcDrawing::parse("color:#3fa03f, dashArray:3-3, arrowHead:triangle-5"),
            ArcDrawing {
                color: Some([0x3f, 0xa0, 0x3f]),
                dash: Some((3.0, 3.0)),
            }
        );
        assert_eq!(ArcDrawing::parse("dashArray:5").dash, Some((5.0, 5.0)));
        assert_eq!(
            ArcDrawing::parse("color:darkgreen, dashArray:x-y"),
            ArcDrawing::default()
        );
        assert_eq!(ArcDrawing::parse(""), ArcDrawing::default());
    }
}
