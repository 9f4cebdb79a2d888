//! Each study's linking key: drawn when the study is made, stored apart from its content,
//! the same every time it is read and different for each study. (A study made before
//! keys existed gets one on first use: `migration.rs`.)

use std::path::PathBuf;

use skafada_store::{ContentPart, NewStudy, Store, random_token};

fn study(waves: &str) -> NewStudy {
    NewStudy {
        name: "Linking".to_owned(),
        module_id: "m".to_owned(),
        opens_on: "2020-01-01".parse().unwrap(),
        closes_on: "2099-12-31".parse().unwrap(),
        retain_until: "2099-12-31".parse().unwrap(),
        waves: waves.to_owned(),
        ..NewStudy::default()
    }
}

async fn each_study_has_its_own_stable_key_and_keeps_its_waves(store: &Store) {
    let waves = include_str!("../../../../waves/skafada.toml");
    let one = store.create_study(&study(waves)).await.unwrap();
    let two = store.create_study_by(&study(""), 10, None).await.unwrap();
    let key = store.linking_key(&one).await.unwrap();
    assert_eq!(key.to_bytes().len(), 32);
    assert_eq!(store.linking_key(&one).await.unwrap(), key);
    assert_ne!(store.linking_key(&two).await.unwrap(), key);

    let stored = store.study(&one).await.unwrap().unwrap();
    assert_eq!(stored.waves, waves);
    assert_eq!(stored.content_text(ContentPart::Waves), Some(waves));
    assert_eq!(
        stored.recorded_sha256(ContentPart::Waves),
        Some(stored.sha256(ContentPart::Waves).as_str())
    );
    // The key is no part of the study's content.
    let hex: String = key.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert!(!format!("{stored:?}").contains(&hex));

    // Past its retention date the study's key is deleted with its responses: a key read
    // afterwards is a new one, which links nothing to the old codes.
    let ended = store
        .create_study(&NewStudy {
            retain_until: "2021-01-01".parse().unwrap(),
            ..study(waves)
        })
        .await
        .unwrap();
    let old = store.linking_key(&ended).await.unwrap();
    store
        .run_retention("2021-01-02".parse().unwrap())
        .await
        .unwrap();
    assert_ne!(store.linking_key(&ended).await.unwrap(), old);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_study_has_its_own_stable_linking_key_on_sqlite() {
    let path: PathBuf = std::env::temp_dir().join(format!(
        "skafada-linking-{}.sqlite",
        random_token().unwrap()
    ));
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    each_study_has_its_own_stable_key_and_keeps_its_waves(&store).await;
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_study_has_its_own_stable_linking_key_on_postgres() {
    let Some(database) = crate::PostgresDatabase::create("linking").await else {
        return;
    };
    let store = Store::connect(&database.url).await.unwrap();
    each_study_has_its_own_stable_key_and_keeps_its_waves(&store).await;
    store.close().await;
    database.drop().await;
}
