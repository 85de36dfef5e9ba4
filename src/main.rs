//! burnbox's entry point: logging, configuration, then serve (or a subcommand).

use std::process::ExitCode;
use std::time::Duration;

use burnbox::cli::{Cli, Command};
use burnbox::startup::Application;
use burnbox::{cli, healthcheck, openapi};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Share(args) => cli::run(cli::share(args)),
        Command::Open(args) => cli::run(cli::open(args)),
        Command::Receipt(args) => cli::run(cli::receipt(args)),
        Command::Request(args) => cli::run(cli::request(args)),
        Command::Answer(args) => cli::run(cli::answer(args)),
        Command::Openapi => {
            print!("{}", openapi::document_json(&cli.settings));
            ExitCode::SUCCESS
        }
        Command::Healthcheck => match healthcheck::probe(cli.settings.bind, Duration::from_secs(3))
        {
            Ok(true) => ExitCode::SUCCESS,
            _ => ExitCode::FAILURE,
        },
        Command::Serve => {
            env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
                .init();
            let served = actix_web::rt::System::new().block_on(async move {
                let application = Application::build(cli.settings).await?;
                log::info!("burnbox listening on port {}", application.port());
                application.run_until_stopped().await?;
                Ok::<_, burnbox::startup::StartupError>(())
            });
            match served {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    log::error!("{error}");
                    eprintln!("burnbox: {error}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
