//! Minimal hand-written SVG charts for the benchmark report (no plotting dependency).

use std::fmt::Write as _;

const W: f64 = 640.0;
const H: f64 = 360.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;
const COLORS: [&str; 8] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn nice_max(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= v {
            return m * p;
        }
    }
    10.0 * p
}

fn frame(s: &mut String, title: &str, unit: &str, ymax: f64) {
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{}" y="22" text-anchor="middle" font-size="15">{}</text>
"#,
        (LEFT + W - RIGHT) / 2.0,
        esc(title)
    );
    let ph = H - TOP - BOTTOM;
    for i in 0..=4 {
        let v = ymax * i as f64 / 4.0;
        let y = TOP + ph - ph * i as f64 / 4.0;
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            fmt_num(v)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="16" y="{:.1}" transform="rotate(-90 16 {:.1})" text-anchor="middle">{}</text>"#,
        TOP + ph / 2.0,
        TOP + ph / 2.0,
        esc(unit)
    );
}

fn fmt_num(v: f64) -> String {
    if v >= 100.0 || v == 0.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn legend(s: &mut String, names: &[&str]) {
    for (i, n) in names.iter().enumerate() {
        let y = TOP + 10.0 + 18.0 * i as f64;
        let _ = writeln!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            W - RIGHT + 12.0,
            y - 10.0,
            COLORS[i % COLORS.len()],
            W - RIGHT + 30.0,
            y,
            esc(n)
        );
    }
}

/// Stacked bars: one bar per category, one stacked segment per series.
pub fn stacked_bars(
    title: &str,
    unit: &str,
    categories: &[String],
    series: &[(&str, Vec<f64>)],
) -> String {
    let totals: Vec<f64> = (0..categories.len())
        .map(|i| {
            series
                .iter()
                .map(|(_, v)| v.get(i).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let ymax = nice_max(totals.iter().copied().fold(0.0, f64::max));
    let mut s = String::new();
    frame(&mut s, title, unit, ymax);
    let pw = W - LEFT - RIGHT;
    let ph = H - TOP - BOTTOM;
    let n = categories.len().max(1) as f64;
    let slot = pw / n;
    let bw = (slot * 0.6).min(60.0);
    for (i, cat) in categories.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bw) / 2.0;
        let mut base = 0.0;
        for (k, (_, vals)) in series.iter().enumerate() {
            let v = vals.get(i).copied().unwrap_or(0.0);
            let y0 = TOP + ph - ph * (base / ymax);
            let hgt = ph * (v / ymax);
            let _ = writeln!(
                s,
                r#"<rect x="{x:.1}" y="{:.1}" width="{bw:.1}" height="{hgt:.1}" fill="{}"/>"#,
                y0 - hgt,
                COLORS[k % COLORS.len()]
            );
            base += v;
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x + bw / 2.0,
            H - BOTTOM + 18.0,
            esc(cat)
        );
    }
    let names: Vec<&str> = series.iter().map(|(n, _)| *n).collect();
    legend(&mut s, &names);
    s.push_str("</svg>\n");
    s
}

/// Lines with markers: x = categories, one line per series.
pub fn lines(
    title: &str,
    unit: &str,
    categories: &[String],
    series: &[(&str, Vec<f64>)],
) -> String {
    let ymax = nice_max(
        series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .fold(0.0, f64::max),
    );
    let mut s = String::new();
    frame(&mut s, title, unit, ymax);
    let pw = W - LEFT - RIGHT;
    let ph = H - TOP - BOTTOM;
    let n = categories.len().max(1) as f64;
    let slot = pw / n;
    let xs: Vec<f64> = (0..categories.len())
        .map(|i| LEFT + slot * i as f64 + slot / 2.0)
        .collect();
    for (i, cat) in categories.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            xs[i],
            H - BOTTOM + 18.0,
            esc(cat)
        );
    }
    for (k, (_, vals)) in series.iter().enumerate() {
        let c = COLORS[k % COLORS.len()];
        let pts: Vec<String> = vals
            .iter()
            .zip(&xs)
            .map(|(v, x)| format!("{x:.1},{:.1}", TOP + ph - ph * (v / ymax)))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{c}" stroke-width="2"/>"#,
            pts.join(" ")
        );
        for p in &pts {
            let mut it = p.split(',');
            if let (Some(x), Some(y)) = (it.next(), it.next()) {
                let _ = writeln!(s, r#"<circle cx="{x}" cy="{y}" r="3.5" fill="{c}"/>"#);
            }
        }
    }
    let names: Vec<&str> = series.iter().map(|(n, _)| *n).collect();
    legend(&mut s, &names);
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_well_formed() {
        let cats = vec!["0".to_string(), "1".to_string()];
        let a = stacked_bars(
            "t",
            "ms",
            &cats,
            &[("a", vec![1.0, 2.0]), ("b<", vec![3.0, 0.5])],
        );
        assert!(a.starts_with("<svg") && a.ends_with("</svg>\n") && a.contains("b&lt;"));
        let l = lines("t", "bytes", &cats, &[("size", vec![10.0, 12.0])]);
        assert!(l.contains("<polyline"));
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(730.0), 1000.0);
    }
}
