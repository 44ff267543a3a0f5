//! Colours and visual style.

use crate::model::{Schema, parse_hex_color};
use egui::Color32;

/// The colour of an entity type, grey when the schema has none that parses.
pub fn type_color(schema: &Schema, ty: &str) -> Color32 {
    schema
        .entity_type(ty)
        .and_then(|t| parse_hex_color(&t.color))
        .map_or(Color32::from_gray(170), |[r, g, b]| {
            Color32::from_rgb(r, g, b)
        })
}

/// The text of an entity type's label over its spans: the short label (brat visual.conf's
/// abbreviation) when the schema has one, else the type's id.
pub fn type_label<'a>(schema: &'a Schema, ty: &'a str) -> &'a str {
    schema
        .entity_type(ty)
        .map(|t| t.short_label.as_str())
        .filter(|l| !l.is_empty())
        .unwrap_or(ty)
}

pub fn to_hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

pub fn apply(ctx: &egui::Context, dark: bool) {
    ctx.set_theme(if dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    });
}
