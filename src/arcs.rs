//! Where relation arcs and type labels go above a line of text, as brat draws them: pure
//! geometry (numbers in, numbers out, no window), so the rules are tested on their own.
//!
//! Each text row has a band above it: type labels stacked just above the words, and above
//! them the arcs, one lane per arc where arcs would overlap. An arc between two rows is
//! drawn as one piece per row: from its end to the right edge on the first row, across on
//! the rows between, from the left edge to its other end on the last row, each labelled.

/// A horizontal stretch on one row, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub left: f32,
    pub right: f32,
}

impl Extent {
    pub fn new(left: f32, right: f32) -> Extent {
        Extent {
            left: left.min(right),
            right: left.max(right),
        }
    }

    pub fn width(&self) -> f32 {
        self.right - self.left
    }

    /// True when the two come closer than `gap`.
    pub fn overlaps(&self, other: &Extent, gap: f32) -> bool {
        self.left < other.right + gap && other.left < self.right + gap
    }

    fn union(&self, other: &Extent) -> Extent {
        Extent {
            left: self.left.min(other.left),
            right: self.right.max(other.right),
        }
    }
}

/// Stacks boxes on one row: each gets the lowest level where it keeps `gap` from every box
/// already there. Narrower boxes are placed first, so a box ends up above the narrower ones
/// it covers: short arcs nest inside the long arcs that span them, and an outer span's label
/// sits above its inner span's, as in brat. Returns each box's level and the level count.
pub fn stack(extents: &[Extent], gap: f32) -> (Vec<usize>, usize) {
    let mut order: Vec<usize> = (0..extents.len()).collect();
    order.sort_by(|&a, &b| {
        let (ea, eb) = (&extents[a], &extents[b]);
        ea.width()
            .total_cmp(&eb.width())
            .then(ea.left.total_cmp(&eb.left))
    });
    let mut levels = vec![0; extents.len()];
    let mut taken: Vec<Vec<Extent>> = Vec::new();
    for i in order {
        let e = extents[i];
        let level = taken
            .iter()
            .position(|placed| !placed.iter().any(|p| p.overlaps(&e, gap)))
            .unwrap_or(taken.len());
        if level == taken.len() {
            taken.push(Vec::new());
        }
        taken[level].push(e);
        levels[i] = level;
    }
    (levels, taken.len())
}

/// One end of a relation: the row its span's label is on and where the arc meets the label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArcEnd {
    pub row: usize,
    pub x: f32,
}

/// Which ends of a piece come down to a label (the others run to the row's edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceKind {
    /// Both ends on this row.
    Whole,
    /// The arc starts here (left leg) and runs on to the right edge.
    First,
    /// Passes across the row, edge to edge.
    Middle,
    /// Comes in from the left edge and ends here (right leg).
    Last,
}

impl PieceKind {
    pub fn left_leg(self) -> bool {
        matches!(self, PieceKind::Whole | PieceKind::First)
    }

    pub fn right_leg(self) -> bool {
        matches!(self, PieceKind::Whole | PieceKind::Last)
    }
}

/// The part of an arc drawn on one row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    pub row: usize,
    pub extent: Extent,
    pub kind: PieceKind,
}

/// Splits an arc between two ends into one piece per row it covers; `left` and `right` are
/// the edges of the text column.
pub fn split(a: ArcEnd, b: ArcEnd, left: f32, right: f32) -> Vec<Piece> {
    let (first, last) = if (a.row, a.x) <= (b.row, b.x) {
        (a, b)
    } else {
        (b, a)
    };
    if first.row == last.row {
        return vec![Piece {
            row: first.row,
            extent: Extent::new(first.x, last.x),
            kind: PieceKind::Whole,
        }];
    }
    let mut pieces = vec![Piece {
        row: first.row,
        extent: Extent::new(first.x, right.max(first.x)),
        kind: PieceKind::First,
    }];
    for row in first.row + 1..last.row {
        pieces.push(Piece {
            row,
            extent: Extent::new(left, right),
            kind: PieceKind::Middle,
        });
    }
    pieces.push(Piece {
        row: last.row,
        extent: Extent::new(left.min(last.x), last.x),
        kind: PieceKind::Last,
    });
    pieces
}

/// The arcs of one row, laid out: each piece's lane (0 is nearest the text), where its
/// label's centre goes, and how many lanes the row needs.
#[derive(Debug, Clone, PartialEq)]
pub struct RowArcs {
    pub lanes: Vec<usize>,
    pub label_centers: Vec<f32>,
    pub lane_count: usize,
}

/// Lays out the arc pieces of one row, each with its label's width. A piece takes the room
/// of its arc and of its label (centred on the arc), so two pieces in one lane never touch
/// and neither do their labels; pieces in different lanes have their labels at different
/// heights. A label is then slid along its arc, where there is room, off the legs of arcs in
/// higher lanes that come down through its lane.
pub fn lay_out_row(pieces: &[(Piece, f32)], gap: f32) -> RowArcs {
    let room: Vec<Extent> = pieces
        .iter()
        .map(|(p, width)| {
            let mid = (p.extent.left + p.extent.right) / 2.0;
            p.extent
                .union(&Extent::new(mid - width / 2.0, mid + width / 2.0))
        })
        .collect();
    let (lanes, lane_count) = stack(&room, gap);
    let label_centers = pieces
        .iter()
        .enumerate()
        .map(|(i, (p, width))| {
            let legs: Vec<f32> = pieces
                .iter()
                .zip(&lanes)
                .filter(|(_, lane)| **lane > lanes[i])
                .flat_map(|((q, _), _)| legs(q))
                .collect();
            label_center(p.extent, *width, &legs, gap)
        })
        .collect();
    RowArcs {
        lanes,
        label_centers,
        lane_count,
    }
}

/// The x of each leg of a piece.
pub fn legs(p: &Piece) -> impl Iterator<Item = f32> {
    let left = p.kind.left_leg().then_some(p.extent.left);
    let right = p.kind.right_leg().then_some(p.extent.right);
    left.into_iter().chain(right)
}

/// Where a label of `width` goes on an arc spanning `extent`: its middle, unless a leg in
/// `avoid` crosses it there; then the nearest place on the arc that no leg crosses (the
/// middle anyway when there is none).
pub fn label_center(extent: Extent, width: f32, avoid: &[f32], gap: f32) -> f32 {
    let mid = (extent.left + extent.right) / 2.0;
    let half = width / 2.0 + gap;
    let clear = |c: f32| !avoid.iter().any(|x| (x - c).abs() < half);
    if clear(mid) {
        return mid;
    }
    let (lo, hi) = (extent.left + width / 2.0, extent.right - width / 2.0);
    avoid
        .iter()
        .flat_map(|x| [x - half - 0.5, x + half + 0.5])
        .filter(|c| (lo..=hi).contains(c) && clear(*c))
        .min_by(|a, b| (a - mid).abs().total_cmp(&(b - mid).abs()))
        .unwrap_or(mid)
}

/// Where the ends of the arcs meeting one label go: spread over the label's width in the
/// order of where each arc goes (`toward`: the other end's x, far left or far right for
/// arcs that leave the row), so arcs into one span do not share a leg. Returns an x per end.
pub fn spread(label: Extent, toward: &[f32]) -> Vec<f32> {
    let mut order: Vec<usize> = (0..toward.len()).collect();
    order.sort_by(|&a, &b| toward[a].total_cmp(&toward[b]));
    let step = label.width() / (toward.len() as f32 + 1.0);
    let mut xs = vec![0.0; toward.len()];
    for (rank, i) in order.into_iter().enumerate() {
        xs[i] = label.left + step * (rank as f32 + 1.0);
    }
    xs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(left: f32, right: f32) -> Extent {
        Extent::new(left, right)
    }

    #[test]
    fn overlapping_boxes_get_different_levels_and_nested_ones_go_below() {
        // A long arc over two short ones that do not touch each other.
        let (levels, count) = stack(&[e(0.0, 300.0), e(10.0, 100.0), e(150.0, 250.0)], 4.0);
        assert_eq!(levels, vec![1, 0, 0]);
        assert_eq!(count, 2);
        // Three arcs into one point all overlap: three levels.
        let (levels, count) = stack(&[e(0.0, 100.0), e(50.0, 100.0), e(80.0, 100.0)], 4.0);
        assert_eq!(count, 3);
        assert_eq!(levels, vec![2, 1, 0]);
        // Boxes closer than the gap count as overlapping.
        let (_, count) = stack(&[e(0.0, 10.0), e(12.0, 20.0)], 4.0);
        assert_eq!(count, 2);
        let (_, count) = stack(&[], 4.0);
        assert_eq!(count, 0);
    }

    #[test]
    fn an_arc_over_three_rows_has_a_piece_on_each() {
        let pieces = split(
            ArcEnd { row: 4, x: 50.0 },
            ArcEnd { row: 2, x: 300.0 },
            0.0,
            600.0,
        );
        let kinds: Vec<(usize, PieceKind)> = pieces.iter().map(|p| (p.row, p.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (2, PieceKind::First),
                (3, PieceKind::Middle),
                (4, PieceKind::Last)
            ]
        );
        assert_eq!(
            pieces[0].extent,
            e(300.0, 600.0),
            "first: to the right edge"
        );
        assert_eq!(pieces[2].extent, e(0.0, 50.0), "last: from the left edge");
        let one = split(
            ArcEnd { row: 1, x: 90.0 },
            ArcEnd { row: 1, x: 20.0 },
            0.0,
            600.0,
        );
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].extent, e(20.0, 90.0));
        assert_eq!(one[0].kind, PieceKind::Whole);
    }

    #[test]
    fn labels_in_one_lane_never_overlap() {
        // Two short arcs side by side whose labels are wider than the arcs.
        let pieces = [
            (
                Piece {
                    row: 0,
                    extent: e(100.0, 120.0),
                    kind: PieceKind::Whole,
                },
                80.0,
            ),
            (
                Piece {
                    row: 0,
                    extent: e(125.0, 145.0),
                    kind: PieceKind::Whole,
                },
                80.0,
            ),
        ];
        let row = lay_out_row(&pieces, 4.0);
        assert_ne!(row.lanes[0], row.lanes[1], "their labels would touch");
        assert_eq!(row.lane_count, 2);
    }

    #[test]
    fn a_label_slides_off_a_leg_that_crosses_it() {
        // A wide arc in lane 0; a higher arc's leg comes down through its middle.
        let pieces = [
            (
                Piece {
                    row: 0,
                    extent: e(0.0, 200.0),
                    kind: PieceKind::Whole,
                },
                40.0,
            ),
            (
                Piece {
                    row: 0,
                    extent: e(100.0, 400.0),
                    kind: PieceKind::Whole,
                },
                40.0,
            ),
        ];
        let row = lay_out_row(&pieces, 4.0);
        assert_eq!(row.lanes, vec![0, 1]);
        let c = row.label_centers[0];
        assert!(
            (c - 100.0).abs() >= 24.0,
            "label at {c} still on the leg at 100"
        );
        assert!((20.0..=180.0).contains(&c), "label at {c} left its arc");
        assert_eq!(row.label_centers[1], 250.0);
    }

    #[test]
    fn arc_ends_spread_over_a_label_in_the_order_they_go() {
        let xs = spread(e(0.0, 40.0), &[500.0, -10.0, 20.0]);
        assert_eq!(xs, vec![30.0, 10.0, 20.0]);
    }
}
