//! GUI responsiveness on a large project, headless (the real app in an egui context, no
//! window or GPU): the CPU time of each frame (UI code and tessellation) while switching
//! documents, and while a suggestion run works in the background. Prints the figures of
//! BENCHMARKS.md ("GUI at scale").
//!
//! `MARGINALIA_SCALE_DOCS=10000 cargo bench --bench gui_scale` (default 2,000 documents);
//! `MARGINALIA_JOB_SECONDS` caps how long the background run is watched (default 30 s);
//! `MARGINALIA_SWITCHES` sets how many document switches are timed (default 40).

use marginalia::app::{AppCommand, MarginaliaApp, RightTab, ScriptedDialogs, Settings};
use marginalia::session::Op;
use std::time::{Duration, Instant};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU time of the calling thread: tells the UI thread's own work from time it waited for a
/// core (on a 2-core machine with a background job and other programs running).
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to write into.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// A frame's wall-clock time and the UI thread's CPU time in it.
#[derive(Clone, Copy)]
struct Frame {
    wall: Duration,
    cpu: Duration,
}

impl std::ops::Add for Frame {
    type Output = Frame;
    fn add(self, other: Frame) -> Frame {
        Frame {
            wall: self.wall + other.wall,
            cpu: self.cpu + other.cpu,
        }
    }
}

/// The app in a 1600 x 1000 window.
struct Window {
    ctx: egui::Context,
    app: MarginaliaApp,
}

impl Window {
    /// One frame, timed.
    fn step(&mut self) -> Frame {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1600.0, 1000.0),
            )),
            focused: true,
            ..Default::default()
        };
        let (t, cpu) = (Instant::now(), thread_cpu_time());
        let output = self.ctx.run_ui(input, |ui| self.app.ui_for_tests(ui));
        self.ctx.tessellate(output.shapes, output.pixels_per_point);
        Frame {
            wall: t.elapsed(),
            cpu: thread_cpu_time() - cpu,
        }
    }
}

fn summary(label: &str, frames: Vec<Frame>) {
    if frames.is_empty() {
        return;
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let describe = |mut times: Vec<Duration>| {
        times.sort();
        let at = |q: f64| ms(times[((times.len() - 1) as f64 * q) as usize]);
        format!(
            "median {:.2} ms, p99 {:.2} ms, max {:.2} ms, over 16 ms: {}",
            at(0.5),
            at(0.99),
            at(1.0),
            times.iter().filter(|d| ms(**d) > 16.0).count()
        )
    };
    println!("{label}: {} frames", frames.len());
    println!(
        "  wall: {}",
        describe(frames.iter().map(|f| f.wall).collect())
    );
    println!(
        "  UI thread CPU: {}",
        describe(frames.iter().map(|f| f.cpu).collect())
    );
}

fn main() {
    // `cargo bench` passes `--bench`; this harness takes no arguments.
    let documents = env_number("MARGINALIA_SCALE_DOCS", 2_000) as usize;
    let watch = Duration::from_secs(env_number("MARGINALIA_JOB_SECONDS", 30));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("scale.ron");
    let project = marginalia::testkit::synthetic_project(documents, 1);
    marginalia::store::save(&project, &path).expect("saves");
    drop(project);

    let t = Instant::now();
    let app = MarginaliaApp::with_project_path(
        Some(&path),
        Settings::default(),
        Box::new(ScriptedDialogs {
            answers: vec![],
            asked: vec![],
        }),
    );
    println!(
        "{documents} documents: open in the app {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut w = Window {
        ctx: egui::Context::default(),
        app,
    };
    for _ in 0..10 {
        w.step();
    }

    // Document switch: the frames from the command until the view is settled (the view
    // lays out the new text in the first one).
    let mut switches = Vec::new();
    let mut idle = Vec::new();
    for i in 0..env_number("MARGINALIA_SWITCHES", 40) {
        w.app.push(if i % 4 == 3 {
            AppCommand::PreviousDocument
        } else {
            AppCommand::NextDocument
        });
        switches.push(w.step() + w.step());
        idle.push(w.step());
    }
    summary("document switch (2 frames)", switches);
    summary("idle frame", idle);

    // A suggestion run with every engine over the whole project, frames stepped back to
    // back while it works (as a busy analyst's frames would be).
    w.app.right_tab = RightTab::Suggestions;
    w.step();
    let (t, cpu) = (Instant::now(), thread_cpu_time());
    w.app
        .suggestions
        .start(&mut w.app.session.review, &w.app.session.project, &w.ctx);
    let begin = Frame {
        wall: t.elapsed(),
        cpu: thread_cpu_time() - cpu,
    };
    summary("frame that starts the run", vec![begin + w.step()]);
    let began = Instant::now();
    let mut during = Vec::new();
    let mut switches = Vec::new();
    while w.app.session.review.is_running() && began.elapsed() < watch {
        if during.len() % 50 == 49 {
            w.app.push(AppCommand::NextDocument);
            switches.push(w.step() + w.step());
        }
        during.push(w.step());
    }
    let finished = !w.app.session.review.is_running();
    println!(
        "background run {} after {:.1} s",
        if finished {
            "finished"
        } else {
            "still running"
        },
        began.elapsed().as_secs_f64()
    );
    summary("frame during the run", during);
    if !switches.is_empty() {
        summary("document switch during the run", switches);
    }
    if finished {
        let mut after = Vec::new();
        for _ in 0..20 {
            after.push(w.step());
        }
        summary("frame with the results shown", after);
        // Accepting one suggestion is an edit: every pending suggestion is checked again.
        let mut edits = Vec::new();
        for _ in 0..10 {
            let Some(ghost) = w.app.view.ghosts.first().cloned() else {
                break;
            };
            w.app.push(AppCommand::Op(Op::Accept {
                entities: vec![ghost],
                relations: Vec::new(),
            }));
            edits.push(w.step() + w.step());
        }
        summary(
            "accepting a suggestion with the results listed (2 frames)",
            edits,
        );
    } else {
        w.app.session.review.cancel();
    }
}
