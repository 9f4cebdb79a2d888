//! A certificate cannot be joined to answers, and a study past its deletion date takes
//! no one. Each runs on SQLite and PostgreSQL.

use std::collections::BTreeSet;

use skafada_store::{StudySettings, hash_secret, today};
use sqlx::Row;

use crate::admin::{accounts, signed_in};
use crate::helpers::TestApp;
use crate::on_both;
use crate::training::{downloaded_code, reach_certificate};

/// What a certificate record may hold: what the certificate states.
const CERTIFICATE_COLUMNS: [&str; 5] = [
    "code",
    "issued_month",
    "learning_minutes",
    "module_title",
    "module_version",
];

/// The first column of every row a query gives, as text.
async fn texts(pool: &sqlx::AnyPool, sql: &str, bind: Option<&str>) -> Vec<String> {
    let mut query = sqlx::query(sql);
    if let Some(value) = bind {
        query = query.bind(value);
    }
    query
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|row| row.try_get(0).unwrap())
        .collect()
}

/// Every table of the database with its columns.
async fn tables(pool: &sqlx::AnyPool, sqlite: bool) -> Vec<(String, Vec<String>)> {
    let (list_tables, list_columns) = if sqlite {
        (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
            "SELECT name FROM pragma_table_info($1) ORDER BY name",
        )
    } else {
        (
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' ORDER BY table_name",
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name",
        )
    };
    let mut all = Vec::new();
    for table in texts(pool, list_tables, None).await {
        let columns = texts(pool, list_columns, Some(&table)).await;
        assert!(!columns.is_empty(), "{table} has columns");
        all.push((table, columns));
    }
    all
}

/// Every value of a column, as text (NULLs left out). Binary values (a response's
/// packed answers) are read as their bytes, so that text packed inside them shows as
/// itself: on SQLite as lossy UTF-8, on PostgreSQL escaped (printable ASCII as is).
async fn values(pool: &sqlx::AnyPool, sqlite: bool, table: &str, column: &str) -> Vec<String> {
    if sqlite {
        let mut out: Vec<String> = sqlx::query(&format!(
            "SELECT CAST({column} AS TEXT) FROM {table} WHERE typeof({column}) != 'blob'"
        ))
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{table}.{column}: {e}"))
        .iter()
        .filter_map(|row| row.try_get::<Option<String>, _>(0).unwrap())
        .collect();
        let blobs = sqlx::query(&format!(
            "SELECT {column} FROM {table} WHERE typeof({column}) = 'blob'"
        ))
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{table}.{column}: {e}"));
        out.extend(blobs.iter().map(|row| {
            String::from_utf8_lossy(&row.try_get::<Vec<u8>, _>(0).unwrap()).into_owned()
        }));
        return out;
    }
    let binary = sqlx::query(
        "SELECT data_type::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2",
    )
    .bind(table)
    .bind(column)
    .fetch_one(pool)
    .await
    .unwrap_or_else(|e| panic!("{table}.{column}: {e}"))
    .try_get::<String, _>(0)
    .unwrap()
        == "bytea";
    let text = if binary {
        format!("encode({column}, 'escape')")
    } else {
        format!("CAST({column} AS TEXT)")
    };
    sqlx::query(&format!("SELECT {text} FROM {table}"))
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{table}.{column}: {e}"))
        .iter()
        .filter_map(|row| row.try_get::<Option<String>, _>(0).unwrap())
        .collect()
}

/// Whether text is, or holds, a day (YYYY-MM-DD) or a time of day.
fn finer_than_a_month(value: &str) -> bool {
    let bytes = value.as_bytes();
    let day = bytes.windows(10).any(|w| {
        w.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
    });
    day || value.contains(':')
}

async fn a_verification_code_is_found_only_in_the_certificates_table_and_joins_nothing(
    app: &TestApp,
) {
    accounts(app).await;
    reach_certificate(app).await;
    let first = app
        .download("/certificate", &[("name", "Sam Example")])
        .await;
    let second = app
        .download("/certificate", &[("name", "Sam Example")])
        .await;
    let codes = [downloaded_code(&first), downloaded_code(&second)];
    // The code as printed, as typed (no hyphens) and hashed: none may be stored anywhere
    // but in the certificate's own record.
    let forms: Vec<(String, String)> = codes
        .iter()
        .flat_map(|code| {
            let bare = code.replace('-', "");
            [
                (code.clone(), bare.clone()),
                (code.clone(), hash_secret(code)),
                (code.clone(), hash_secret(&bare)),
            ]
        })
        .collect();

    let sqlite = app.database_url.starts_with("sqlite:");
    let pool = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let tables = tables(&pool, sqlite).await;
    // The search below covers the answers, packed in their responses' rows.
    assert!(
        tables
            .iter()
            .any(|(t, columns)| t == "responses" && columns.iter().any(|c| c == "answers")),
        "{tables:?}"
    );
    let packed = values(&pool, sqlite, "responses", "answers").await;
    assert_eq!(
        packed.len(),
        2,
        "both surveys' answers are searched: {packed:?}"
    );

    // Every identifier of a respondent, response, session or site, and every stored day.
    let mut ids = BTreeSet::new();
    for (table, column) in [
        ("respondents", "id"),
        ("responses", "id"),
        ("responses", "respondent_id"),
        ("sessions", "token_hash"),
        ("sessions", "respondent_id"),
        ("sites", "id"),
        ("sites", "link_token"),
        ("respondents", "resume_hash"),
    ] {
        ids.extend(values(&pool, sqlite, table, column).await);
    }
    assert!(
        ids.len() >= 5,
        "the respondent, their responses and session: {ids:?}"
    );
    let mut days = BTreeSet::new();
    for (table, column) in [
        ("respondents", "created_on"),
        ("responses", "started_on"),
        ("responses", "submitted_on"),
        ("training_sections", "completed_on"),
    ] {
        days.extend(values(&pool, sqlite, table, column).await);
    }
    assert!(days.contains(&today().to_string()));

    let mut found = Vec::new();
    for (table, columns) in &tables {
        for column in columns {
            for value in values(&pool, sqlite, table, column).await {
                let upper = value.to_uppercase().replace('-', "");
                for (code, form) in &forms {
                    if value.contains(form.as_str())
                        || upper.contains(&form.to_uppercase().replace('-', ""))
                    {
                        found.push((table.clone(), column.clone(), code.clone()));
                    }
                }
                if table == "certificates" {
                    assert!(!ids.contains(&value), "certificates.{column} holds an id");
                    assert!(!days.contains(&value), "certificates.{column} holds a day");
                    assert!(
                        !finer_than_a_month(&value),
                        "certificates.{column} holds {value:?}, finer than a month"
                    );
                }
            }
        }
    }
    found.sort();
    found.dedup();
    let expected: Vec<(String, String, String)> = {
        let mut e: Vec<_> = codes
            .iter()
            .map(|code| ("certificates".to_owned(), "code".to_owned(), code.clone()))
            .collect();
        e.sort();
        e
    };
    assert_eq!(
        found, expected,
        "each code is stored once, in its own record only"
    );

    let (_, columns) = tables.iter().find(|(t, _)| t == "certificates").unwrap();
    assert_eq!(
        columns, &CERTIFICATE_COLUMNS,
        "no respondent, session, time or order"
    );
    let months = values(&pool, sqlite, "certificates", "issued_month").await;
    assert_eq!(months, vec![today().month(); 2]);
    if sqlite {
        assert!(
            sqlx::query("SELECT rowid FROM certificates")
                .fetch_all(&pool)
                .await
                .is_err(),
            "no rowid, so no order of insertion"
        );
    }
    pool.close().await;

    // The record-level exports carry no certificate column and no code.
    let admin = signed_in(app, "admin@example.org").await;
    for survey in ["pre", "post"] {
        for format in ["csv", "codebook"] {
            let export = admin
                .get(&format!(
                    "/admin/studies/{}/export?survey={survey}&format={format}&purpose=Checking+the+join",
                    app.study_id
                ))
                .await;
            assert_eq!(export.status, 200, "{survey} {format}");
            if format == "csv" {
                let header = export.body.lines().next().unwrap().to_lowercase();
                assert!(header.contains("respondent"), "{header}");
                assert!(!header.contains("certificate"), "{survey}: {header}");
            }
            for code in &codes {
                assert!(!export.body.contains(code.as_str()), "{survey} {format}");
            }
        }
    }
}
on_both!(a_verification_code_is_found_only_in_the_certificates_table_and_joins_nothing);

async fn a_study_past_its_deletion_date_is_closed_at_every_entry_at_once(app: &TestApp) {
    let resume = app.consent().await;
    assert!(
        app.current().await.starts_with("/survey/pre/"),
        "open before the date"
    );
    let study = app.store.study(&app.study_id).await.unwrap().unwrap();
    let settings = StudySettings {
        retain_until: today(),
        ..StudySettings::of(&study)
    };
    app.store
        .update_study(&study, &settings, "tester")
        .await
        .unwrap();
    // No retention run: the date alone closes it.
    let closed = |page: &crate::helpers::Page, what: &str| {
        assert_eq!(page.status, 410, "{what}: {}", page.body);
        assert_eq!(page.h1(), "This survey is closed", "{what}");
    };
    closed(
        &app.get(&format!("/s/{}", app.token)).await,
        "the start page",
    );
    closed(
        &app.post(&format!("/s/{}", app.token), &[]).await,
        "start now",
    );
    closed(&app.get("/consent").await, "the consent page");
    closed(
        &app.post("/consent", &[("consent-take-part", "1")]).await,
        "consenting",
    );
    closed(&app.get("/continue").await, "carrying on");
    app.forget_cookie();
    let resumed = app.post("/resume", &[("code", resume.as_str())]).await;
    closed(&app.get(&resumed.location()).await, "resuming");
}
on_both!(a_study_past_its_deletion_date_is_closed_at_every_entry_at_once);
