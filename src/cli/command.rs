//! The command line: serving (the default) or one of the client's subcommands.

use clap::{Parser, Subcommand};

use crate::config::Settings;

/// Command line: an optional subcommand and the settings.
#[derive(Debug, Parser)]
#[command(
    name = "burnbox",
    version,
    about = "One-time secrets over Redis: the server, and its command-line client",
    after_help = "Serve: `burnbox` (settings below). Share: `echo hunter2 | burnbox share --ttl 10m`.\nOpen: `burnbox open - < link.txt` (or `burnbox open <link>`). `burnbox <command> --help` tells more.",
    args_override_self = true
)]
pub struct Cli {
    /// What to do; serving is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The service's settings.
    #[command(
        flatten,
        next_help_heading = "Server settings (for serving; each also a BURNBOX_* variable)"
    )]
    pub settings: Settings,
}

/// The subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Share a text from stdin, or a file, encrypted on this machine: prints the link.
    #[command(
        after_help = "Example:\n  echo hunter2 | burnbox share --ttl 10m\n  burnbox share --passphrase-prompt < key.pem\n  burnbox share --ttl 1d report.pdf      (a file: its bytes, name and type)\n  burnbox share --text password.txt      (the file's content, as a text secret)"
    )]
    Share(super::ShareArgs),
    /// Open a link: a text goes to stdout, a file into the current directory, once.
    #[command(
        after_help = "Example:\n  printf '%s\\n' \"$LINK\" | burnbox open - | docker login --password-stdin registry.example\n  burnbox open -o ~/Downloads/ - < link.txt      (a file, saved under its own name)\n\nA file is saved under its own name made safe, and never over an existing file.\n\nWith `-`, the link comes from stdin, out of sight of other local users (`ps`) and of\nshell history (printf is a shell builtin: no process of its own shows the link).\n\nExit codes: 0 done, 1 not found (already read, burned or expired), 2 usage,\n3 wrong or missing passphrase, 4 rate limited or unavailable."
    )]
    Open(super::OpenArgs),
    /// Show what happened to a shared secret, or burn it unread.
    Receipt(super::ReceiptArgs),
    /// Ask someone for a secret: prints the link to send them; the link that reads their
    /// answer (its key made on this machine) goes to stderr.
    #[command(after_help = "Example:\n  burnbox request --note 'the staging DB password' --ttl 1d")]
    Request(super::RequestArgs),
    /// Fill a request from stdin or a file, sealed on this machine to the requester's key.
    #[command(
        after_help = "Example:\n  printf '%s\\n' \"$REQUEST_LINK\" | burnbox answer - password.txt\n\nWith `-`, the link comes from stdin and the secret from FILE: a link on the command\nline is visible to other local users (`ps`), who could answer first, and stays in\nshell history."
    )]
    Answer(super::AnswerArgs),
    /// Exit 0 when the server at BURNBOX_BIND answers `GET /health` (for container checks).
    Healthcheck,
    /// Print the OpenAPI document and exit.
    Openapi,
}
