//! The server's settings, in layers: built-in defaults, then a TOML file
//! (`--config FILE`, or `SKAFADA_CONFIG`), then `SKAFADA_*` environment variables, then
//! the command line. Secrets (the mail password) are wrapped so that `Debug` never prints
//! them, and an unknown `SKAFADA_*` variable is warned about, since it is most likely a
//! typing mistake that would otherwise be silently ignored.
//!
//! ```toml
//! database = "postgres://skafada@db.internal/skafada"
//! listen = "0.0.0.0:8080"
//! public-url = "https://survey.example.org"
//! min-cell-count = 5
//! session-idle-minutes = 180 # a respondent's session ends after this long without activity
//!
//! [mail]
//! host = "smtp.example.org"
//! port = 587
//! security = "starttls"      # or "tls", or "none" for a relay on the same machine
//! username = "survey"
//! password = "..."           # better: SKAFADA_MAIL_PASSWORD
//! from = "Workforce survey <survey@example.org>"
//! ```

use serde::Deserialize;
use skafada_web::{MailConfig, MailSecurity, Secret};

use super::serve::{DEFAULT_DATABASE, DEFAULT_LISTEN};

/// The settings file.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct FileSettings {
    database: Option<String>,
    listen: Option<String>,
    public_url: Option<String>,
    min_cell_count: Option<i64>,
    session_idle_minutes: Option<u64>,
    mail: Option<FileMail>,
}

/// The `[mail]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct FileMail {
    host: Option<String>,
    port: Option<u16>,
    security: Option<MailSecurity>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
}

/// What the command line gave (each overrides everything else).
#[derive(Debug, Default, Clone)]
pub struct Flags {
    /// `--database`.
    pub database: Option<String>,
    /// `--listen`.
    pub listen: Option<String>,
    /// `--public-url`.
    pub public_url: Option<String>,
}

/// The resolved settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The database URL.
    pub database: String,
    /// The address to listen on.
    pub listen: String,
    /// The address respondents use, if set.
    pub public_url: Option<String>,
    /// The smallest count shown to LA contacts in new studies.
    pub min_cell_count: i64,
    /// How long without activity ends a respondent's session, in minutes.
    pub session_idle_minutes: u64,
    /// The SMTP server for reminders, if configured.
    pub mail: Option<MailConfig>,
    /// Warnings to print (unknown `SKAFADA_*` variables).
    pub warnings: Vec<String>,
}

/// Why the settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file is not valid settings.
    #[error("{file} is not a valid settings file: {message}")]
    File {
        /// The file's name.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A value is unusable.
    #[error("{0}")]
    Value(String),
}

/// Environment variables that are read elsewhere or by tests, and are not settings.
const OTHER_VARIABLES: [&str; 7] = [
    "SKAFADA_TARGET",
    "SKAFADA_CONFIG",
    "SKAFADA_LOG",
    "SKAFADA_BIN",
    "SKAFADA_TEST_POSTGRES",
    "SKAFADA_TEST_EXTERNAL",
    "SKAFADA_TEST_POSTGRES_URL",
];

/// The settings variables, each with the key it sets.
const VARIABLES: [&str; 11] = [
    "SKAFADA_DATABASE",
    "SKAFADA_LISTEN",
    "SKAFADA_PUBLIC_URL",
    "SKAFADA_MIN_CELL_COUNT",
    "SKAFADA_SESSION_IDLE_MINUTES",
    "SKAFADA_MAIL_HOST",
    "SKAFADA_MAIL_PORT",
    "SKAFADA_MAIL_SECURITY",
    "SKAFADA_MAIL_USERNAME",
    "SKAFADA_MAIL_PASSWORD",
    "SKAFADA_MAIL_FROM",
];

/// Where a command that opens the database finds it: as `skafada serve` does (defaults,
/// then `--config`/`SKAFADA_CONFIG`, then `SKAFADA_DATABASE`, then `--database`).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// A settings file (TOML), also from `SKAFADA_CONFIG`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// The database: `sqlite://PATH` or `postgres://...`; also `SKAFADA_DATABASE`
    /// [default: sqlite://skafada.sqlite].
    #[arg(long)]
    pub database: Option<String>,
    /// Make a new SQLite database if there is none at the path (otherwise a missing file
    /// is an error: it usually means the wrong folder or settings).
    #[arg(long)]
    pub create: bool,
}

impl DatabaseArgs {
    /// The resolved settings.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        load(
            self.config.as_deref(),
            &Flags {
                database: self.database.clone(),
                ..Flags::default()
            },
        )
    }

    /// Opens the database, refusing to make a new SQLite file unless `--create` was given.
    pub async fn open(&self) -> anyhow::Result<(skafada_store::Store, Settings)> {
        use anyhow::Context as _;
        let settings = self.settings()?;
        if !self.create
            && let Some(path) = sqlite_path(&settings.database)
            && !path.exists()
        {
            anyhow::bail!(
                "There is no database at {}. Give the one skafada serve uses with --database, SKAFADA_DATABASE or --config, or add --create to make a new one.",
                path.display()
            );
        }
        let store = skafada_store::Store::connect(&settings.database)
            .await
            .with_context(|| {
                format!(
                    "Failed to open the database {}",
                    super::serve::redact(&settings.database)
                )
            })?;
        Ok((store, settings))
    }
}

/// The file of a `sqlite://` URL; `None` for other databases and in-memory SQLite.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then(|| std::path::PathBuf::from(path))
}

/// Reads the settings file (`--config`, else `SKAFADA_CONFIG`) if there is one and
/// resolves it with the environment and the flags, as [`resolve`] does.
pub fn load(config: Option<&std::path::Path>, flags: &Flags) -> anyhow::Result<Settings> {
    use anyhow::Context as _;
    let config_path = config
        .map(std::path::Path::to_path_buf)
        .or_else(|| std::env::var_os("SKAFADA_CONFIG").map(std::path::PathBuf::from));
    let file = config_path
        .as_ref()
        .map(|path| {
            std::fs::read_to_string(path)
                .map(|text| (path.display().to_string(), text))
                .with_context(|| format!("Failed to read the settings file {}", path.display()))
        })
        .transpose()?;
    let env: Vec<(String, String)> = std::env::vars().collect();
    Ok(resolve(
        file.as_ref()
            .map(|(name, text)| (name.as_str(), text.as_str())),
        &env,
        flags,
    )?)
}

/// Resolves the layers: defaults, then the settings file, then `SKAFADA_*`, then the
/// flags. `file` is the settings file's name and text, if any; `env` the process's
/// environment.
pub fn resolve(
    file: Option<(&str, &str)>,
    env: &[(String, String)],
    flags: &Flags,
) -> Result<Settings, SettingsError> {
    let mut settings = match file {
        Some((name, text)) => {
            toml::from_str::<FileSettings>(text).map_err(|e| SettingsError::File {
                file: name.to_owned(),
                message: e.message().to_owned(),
            })?
        }
        None => FileSettings::default(),
    };
    let mut warnings = Vec::new();
    let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    for (name, _) in env {
        if name.starts_with("SKAFADA_")
            && !VARIABLES.contains(&name.as_str())
            && !OTHER_VARIABLES.contains(&name.as_str())
            && !name.starts_with("SKAFADA_TEST_")
        {
            warnings.push(format!(
                "skafada: ignoring the unknown environment variable {name}"
            ));
        }
    }
    if let Some(value) = var("SKAFADA_DATABASE") {
        settings.database = Some(value);
    }
    if let Some(value) = var("SKAFADA_LISTEN") {
        settings.listen = Some(value);
    }
    if let Some(value) = var("SKAFADA_PUBLIC_URL") {
        settings.public_url = Some(value);
    }
    if let Some(value) = var("SKAFADA_MIN_CELL_COUNT") {
        settings.min_cell_count = Some(value.parse().map_err(|_| {
            SettingsError::Value(format!(
                "SKAFADA_MIN_CELL_COUNT must be a whole number, not {value:?}"
            ))
        })?);
    }
    if let Some(value) = var("SKAFADA_SESSION_IDLE_MINUTES") {
        settings.session_idle_minutes = Some(value.parse().map_err(|_| {
            SettingsError::Value(format!(
                "SKAFADA_SESSION_IDLE_MINUTES must be a whole number of minutes, not {value:?}"
            ))
        })?);
    }
    let mail_vars = [
        "SKAFADA_MAIL_HOST",
        "SKAFADA_MAIL_PORT",
        "SKAFADA_MAIL_SECURITY",
        "SKAFADA_MAIL_USERNAME",
        "SKAFADA_MAIL_PASSWORD",
        "SKAFADA_MAIL_FROM",
    ];
    if mail_vars.iter().any(|name| var(name).is_some()) {
        let mail = settings.mail.get_or_insert_with(FileMail::default);
        if let Some(value) = var("SKAFADA_MAIL_HOST") {
            mail.host = Some(value);
        }
        if let Some(value) = var("SKAFADA_MAIL_PORT") {
            mail.port = Some(value.parse().map_err(|_| {
                SettingsError::Value(format!(
                    "SKAFADA_MAIL_PORT must be a port number, not {value:?}"
                ))
            })?);
        }
        if let Some(value) = var("SKAFADA_MAIL_SECURITY") {
            mail.security = Some(match value.as_str() {
                "starttls" => MailSecurity::Starttls,
                "tls" => MailSecurity::Tls,
                "none" => MailSecurity::None,
                _ => {
                    return Err(SettingsError::Value(format!(
                        "SKAFADA_MAIL_SECURITY must be starttls, tls or none, not {value:?}"
                    )));
                }
            });
        }
        if let Some(value) = var("SKAFADA_MAIL_USERNAME") {
            mail.username = Some(value);
        }
        if let Some(value) = var("SKAFADA_MAIL_PASSWORD") {
            mail.password = Some(value);
        }
        if let Some(value) = var("SKAFADA_MAIL_FROM") {
            mail.from = Some(value);
        }
    }
    let min_cell_count = settings.min_cell_count.unwrap_or(5);
    if !(1..=100).contains(&min_cell_count) {
        return Err(SettingsError::Value(format!(
            "min-cell-count must be from 1 to 100, not {min_cell_count}"
        )));
    }
    let session_idle_minutes = settings.session_idle_minutes.unwrap_or(180);
    if !(1..=24 * 60).contains(&session_idle_minutes) {
        return Err(SettingsError::Value(format!(
            "session-idle-minutes must be from 1 to 1440 (a day), not {session_idle_minutes}"
        )));
    }
    let mail = settings.mail.map(mail_config).transpose()?;
    Ok(Settings {
        database: flags
            .database
            .clone()
            .or(settings.database)
            .unwrap_or_else(|| DEFAULT_DATABASE.to_owned()),
        listen: flags
            .listen
            .clone()
            .or(settings.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned()),
        public_url: flags.public_url.clone().or(settings.public_url),
        min_cell_count,
        session_idle_minutes,
        mail,
        warnings,
    })
}

/// The `[mail]` settings, with STARTTLS on port 587 unless told otherwise.
fn mail_config(mail: FileMail) -> Result<MailConfig, SettingsError> {
    let host = mail
        .host
        .filter(|h| !h.trim().is_empty())
        .ok_or_else(|| SettingsError::Value("the mail settings need a host".to_owned()))?;
    let from = mail
        .from
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| SettingsError::Value("the mail settings need a from address".to_owned()))?;
    let security = mail.security.unwrap_or(MailSecurity::Starttls);
    let credentials = match (mail.username, mail.password) {
        (Some(user), Some(password)) => Some((user, Secret(password))),
        (None, None) => None,
        _ => {
            return Err(SettingsError::Value(
                "the mail settings need both a username and a password, or neither".to_owned(),
            ));
        }
    };
    if security == MailSecurity::None && credentials.is_some() {
        return Err(SettingsError::Value(
            "a mail password is never sent without encryption: use security = \"starttls\" or \"tls\"".to_owned(),
        ));
    }
    Ok(MailConfig {
        port: mail.port.unwrap_or(match security {
            MailSecurity::Tls => 465,
            MailSecurity::Starttls => 587,
            MailSecurity::None => 25,
        }),
        host,
        security,
        credentials,
        from,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let settings = resolve(None, &[], &Flags::default()).unwrap();
        assert_eq!(settings.database, DEFAULT_DATABASE);
        assert_eq!(settings.listen, DEFAULT_LISTEN);
        assert_eq!(settings.min_cell_count, 5);
        assert_eq!(settings.session_idle_minutes, 180);
        assert!(settings.mail.is_none());
    }

    #[test]
    fn the_session_time_limit_is_set_in_minutes_and_kept_within_a_day() {
        let file = "session-idle-minutes = 30\n";
        let settings = resolve(Some(("skafada.toml", file)), &[], &Flags::default()).unwrap();
        assert_eq!(settings.session_idle_minutes, 30);
        let settings = resolve(
            Some(("skafada.toml", file)),
            &env(&[("SKAFADA_SESSION_IDLE_MINUTES", "1")]),
            &Flags::default(),
        )
        .unwrap();
        assert_eq!(settings.session_idle_minutes, 1);
        for wrong in ["0", "1441", "an hour"] {
            let refused = resolve(
                None,
                &env(&[("SKAFADA_SESSION_IDLE_MINUTES", wrong)]),
                &Flags::default(),
            );
            assert!(refused.is_err(), "{wrong}");
        }
    }

    #[test]
    fn the_environment_overrides_the_file_and_the_command_line_overrides_both() {
        let file = "database = \"sqlite://file.sqlite\"\nlisten = \"127.0.0.1:1\"\npublic-url = \"https://file.example\"\n";
        let settings = resolve(
            Some(("skafada.toml", file)),
            &env(&[
                ("SKAFADA_LISTEN", "127.0.0.1:2"),
                ("SKAFADA_PUBLIC_URL", "https://env.example"),
            ]),
            &Flags {
                public_url: Some("https://flag.example".into()),
                ..Flags::default()
            },
        )
        .unwrap();
        assert_eq!(settings.database, "sqlite://file.sqlite");
        assert_eq!(settings.listen, "127.0.0.1:2");
        assert_eq!(settings.public_url.as_deref(), Some("https://flag.example"));
    }

    #[test]
    fn mail_settings_default_to_starttls_and_keep_the_password_out_of_debug_output() {
        let file = "[mail]\nhost = \"smtp.example.org\"\nusername = \"survey\"\nfrom = \"Survey <s@example.org>\"\n";
        let settings = resolve(
            Some(("skafada.toml", file)),
            &env(&[("SKAFADA_MAIL_PASSWORD", "correct horse battery")]),
            &Flags::default(),
        )
        .unwrap();
        let mail = settings.mail.unwrap();
        assert_eq!((mail.security, mail.port), (MailSecurity::Starttls, 587));
        assert!(!format!("{mail:?}").contains("correct horse"));
    }

    #[test]
    fn unknown_variables_are_warned_about_and_unknown_keys_refused() {
        let settings = resolve(
            None,
            &env(&[("SKAFADA_DATABSE", "x"), ("SKAFADA_LOG", "info")]),
            &Flags::default(),
        )
        .unwrap();
        assert_eq!(settings.warnings.len(), 1);
        assert!(settings.warnings[0].contains("SKAFADA_DATABSE"));
        let error = resolve(
            Some(("skafada.toml", "databse = \"x\"")),
            &[],
            &Flags::default(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("skafada.toml"), "{error}");
    }

    #[test]
    fn a_mail_password_without_encryption_is_refused() {
        let file = "[mail]\nhost = \"localhost\"\nsecurity = \"none\"\nusername = \"u\"\npassword = \"p\"\nfrom = \"s@example.org\"\n";
        assert!(resolve(Some(("f", file)), &[], &Flags::default()).is_err());
    }
}
