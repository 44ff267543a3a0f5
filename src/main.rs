use clap::{CommandFactory, Parser, error::ErrorKind};
use marginalia::cli::{BrokenPipe, Cli, run};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Usage errors exit with 2 (clap's convention); --help and --version with 0.
    let cli = Cli::parse();
    if let Some(path) = &cli.project
        && !path.exists()
        && path.extension().is_none_or(|e| e != "ron")
    {
        // Not a project file: most likely a mistyped subcommand.
        Cli::command()
            .error(
                ErrorKind::InvalidSubcommand,
                format!(
                    "unrecognized subcommand or project file '{}'",
                    path.display()
                ),
            )
            .exit();
    }
    let result = match cli.command {
        Some(command) => run(command),
        None => open_window(cli.project),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of stdout went away (`| head -1`): the work is done, nothing to say.
        Err(e) if e.is::<BrokenPipe>() => ExitCode::SUCCESS,
        Err(e) => {
            if writeln!(std::io::stderr(), "error: {}", message(&e)).is_err() {
                // stderr is gone too: the exit code is all that is left to tell.
            }
            ExitCode::from(1)
        }
    }
}

/// The error and its causes, each said once: core errors already put their cause in their
/// own message ("p.ron: No such file or directory"), so a cause the message holds is skipped.
fn message(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

#[cfg(feature = "gui")]
fn open_window(project: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    marginalia::app::run(project)
}

#[cfg(not(feature = "gui"))]
fn open_window(_project: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    anyhow::bail!("this build has no window (built without the `gui` feature); use a subcommand")
}
