//! Journey sessions end after a spell without activity, not at a fixed time.

use std::time::Duration;

use skafada_store::{NewSite, Store, unix_now};

use crate::deletion::{fresh_path, remove, study};

#[tokio::test]
async fn an_active_session_is_extended_and_an_idle_one_ends() {
    let path = fresh_path();
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let study_id = store.create_study(&study("2099-12-31")).await.unwrap();
    let site = store
        .add_site(&study_id, &NewSite::default())
        .await
        .unwrap();
    let active = store
        .create_session(&site.id, None, Duration::from_secs(1))
        .await
        .unwrap();
    let idle = store
        .create_session(&site.id, None, Duration::from_secs(1))
        .await
        .unwrap();
    store
        .extend_session(&active, Duration::from_secs(600))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let kept = store.session(&active).await.unwrap().expect("kept");
    assert!(kept.expires_at >= unix_now() + 590, "{}", kept.expires_at);
    assert!(store.session(&idle).await.unwrap().is_none(), "ended");
    // An ended session cannot be brought back.
    store
        .extend_session(&idle, Duration::from_secs(600))
        .await
        .unwrap();
    assert!(store.session(&idle).await.unwrap().is_none());
    drop(store);
    remove(&path);
}
