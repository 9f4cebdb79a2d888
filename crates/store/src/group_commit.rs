//! Page saves, committed together on SQLite.

use std::collections::BTreeMap;

use crate::{Saved, Status, Store, StoreError};

impl Store {
    /// Saves one page in one transaction: sets each answer in `set` (an upsert, so a
    /// page posted twice stores the same values), deletes the variables in `clear`, and
    /// records the page the respondent goes to next. Nothing changes once the response
    /// is submitted.
    #[tracing::instrument(skip_all)]
    pub async fn save_page(
        &self,
        response_id: &str,
        set: &[(String, String)],
        clear: &[String],
        next_page: &str,
    ) -> Result<Saved, StoreError> {
        let page = PageSave {
            response_id: response_id.to_owned(),
            set: set.to_vec(),
            clear: clear.to_vec(),
            next_page: next_page.to_owned(),
        };
        let Some(pending) = &self.pending_pages else {
            // PostgreSQL: one transaction per page; the server batches WAL flushes of
            // concurrent commits itself. (`write` takes no turn there: there is none.)
            let mut tx = self.write().await?;
            let saved = apply_page(&mut tx, &page).await?;
            tx.commit().await?;
            return Ok(saved);
        };
        // SQLite: group commit. The page joins the queue; whoever holds the write turn
        // commits every queued page in one transaction (one WAL fsync) and only then
        // answers each of them, so no page is acknowledged before it is on disk.
        //
        // Not `Store::write`: the turn is taken before the transaction is known to be
        // needed (another holder of the turn may have committed this page meanwhile),
        // and one turn may hold several transactions (see `commit_pages`).
        let (done, mut answer) = tokio::sync::oneshot::channel();
        lock(pending).push((page, done));
        let _turn = self.write_turn().await;
        if let Ok(result) = answer.try_recv() {
            return result;
        }
        let batch = std::mem::take(&mut *lock(pending));
        self.commit_pages(batch).await;
        answer
            .await
            .unwrap_or_else(|_| Err(StoreError::Corrupt("a page save was lost".to_owned())))
    }

    /// Commits queued page saves in one transaction and answers each; when that fails,
    /// each page gets a transaction of its own, so one bad page fails only itself.
    ///
    /// The caller holds the write turn: the transactions here are begun on the pool, not
    /// with `Store::write`, which would wait for the turn the caller holds.
    async fn commit_pages(&self, batch: Vec<(PageSave, PageDone)>) {
        let together = async {
            let mut tx = self.pool.begin().await?;
            let mut results = Vec::with_capacity(batch.len());
            for (page, _) in &batch {
                results.push(apply_page(&mut tx, page).await?);
            }
            tx.commit().await?;
            Ok::<_, StoreError>(results)
        }
        .await;
        match together {
            Ok(results) => {
                for ((_, done), saved) in batch.into_iter().zip(results) {
                    let _ = done.send(Ok(saved));
                }
            }
            Err(_) => {
                for (page, done) in batch {
                    let alone = async {
                        let mut tx = self.pool.begin().await?;
                        let saved = apply_page(&mut tx, &page).await?;
                        tx.commit().await?;
                        Ok(saved)
                    }
                    .await;
                    let _ = done.send(alone);
                }
            }
        }
    }
}

/// One page of answers to save.
#[derive(Debug)]
pub(crate) struct PageSave {
    response_id: String,
    set: Vec<(String, String)>,
    clear: Vec<String>,
    next_page: String,
}

/// Where the outcome of a queued page save goes.
pub(crate) type PageDone = tokio::sync::oneshot::Sender<Result<Saved, StoreError>>;

/// Page saves waiting for the SQLite write turn.
pub(crate) type PendingPages = std::sync::Mutex<Vec<(PageSave, PageDone)>>;

fn lock(pending: &PendingPages) -> std::sync::MutexGuard<'_, Vec<(PageSave, PageDone)>> {
    pending
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Applies one page inside a transaction: records the next page, upserts the answers
/// in one statement and deletes the cleared variables in another (a few round trips,
/// whatever the page's length). Nothing changes once the response is submitted.
async fn apply_page(conn: &mut sqlx::AnyConnection, page: &PageSave) -> Result<Saved, StoreError> {
    let updated =
        sqlx::query("UPDATE responses SET current_page = $1 WHERE id = $2 AND status IN ($3, $4)")
            .bind(&page.next_page)
            .bind(&page.response_id)
            .bind(Status::Consented.as_str())
            .bind(Status::Started.as_str())
            .execute(&mut *conn)
            .await?;
    if updated.rows_affected() == 0 {
        return Ok(Saved::AlreadySubmitted);
    }
    // The last value of a variable given twice wins, as it would one by one
    // (PostgreSQL refuses to upsert one row twice in one statement).
    let set: BTreeMap<&str, &str> = page
        .set
        .iter()
        .map(|(variable, value)| (variable.as_str(), value.as_str()))
        .collect();
    if !set.is_empty() {
        let rows: Vec<String> = (0..set.len())
            .map(|i| format!("($1, ${}, ${})", 2 * i + 2, 2 * i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO answers (response_id, variable, value) VALUES {} \
             ON CONFLICT (response_id, variable) DO UPDATE SET value = excluded.value",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(&page.response_id);
        for (variable, value) in &set {
            query = query.bind(*variable).bind(*value);
        }
        query.execute(&mut *conn).await?;
    }
    if !page.clear.is_empty() {
        let list: Vec<String> = (0..page.clear.len())
            .map(|i| format!("${}", i + 2))
            .collect();
        let sql = format!(
            "DELETE FROM answers WHERE response_id = $1 AND variable IN ({})",
            list.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(&page.response_id);
        for variable in &page.clear {
            query = query.bind(variable);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(Saved::Saved)
}

#[cfg(test)]
mod group_commit_tests {
    #![allow(clippy::unwrap_used)]
    use std::time::Duration;

    use super::*;
    use crate::{NewSite, NewStudy, Phase, random_token};

    /// A store on a new SQLite file with one study, one site and `n` consented
    /// respondents; returns their pre-training response ids.
    async fn respondents(n: usize) -> (Store, std::path::PathBuf, Vec<String>) {
        let path =
            std::env::temp_dir().join(format!("skafada-store-{}.sqlite", random_token().unwrap()));
        let store = Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let study = NewStudy {
            name: "Group commit".to_owned(),
            pre_instrument: String::new(),
            post_instrument: String::new(),
            module_id: "m".to_owned(),
            module_sources: BTreeMap::new(),
            opens_on: "2020-01-01".to_owned(),
            closes_on: "2099-12-31".to_owned(),
            retain_until: "2099-12-31".to_owned(),
            analysis_plan: String::new(),
            training_needs: String::new(),
            framework: String::new(),
            waves: String::new(),
            participant_information: String::new(),
            synthetic: false,
        };
        let study_id = store.create_study(&study).await.unwrap();
        let site = store
            .add_site(&study_id, &NewSite::default())
            .await
            .unwrap();
        let mut ids = Vec::new();
        for _ in 0..n {
            let token = store
                .create_session(&site.id, None, Duration::from_secs(60))
                .await
                .unwrap();
            let consented = store.consent(&token, &site, &[], "first").await.unwrap();
            ids.push(
                store
                    .response(&consented.respondent_id, Phase::Pre)
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
            );
        }
        (store, path, ids)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_page_saves_are_each_committed_once_with_their_own_outcome() {
        let (store, path, ids) = respondents(24).await;
        // One response is already submitted: its save must be refused, the others kept.
        assert!(store.submit(&ids[0], Status::Submitted).await.unwrap());
        let saves = ids.iter().enumerate().map(|(i, id)| {
            let store = store.clone();
            let id = id.clone();
            tokio::spawn(async move {
                let set = vec![
                    ("a".to_owned(), format!("{i}")),
                    ("b".to_owned(), "first".to_owned()),
                    ("b".to_owned(), "last".to_owned()),
                ];
                store
                    .save_page(&id, &set, &["gone".to_owned()], "second")
                    .await
                    .unwrap()
            })
        });
        let outcomes: Vec<Saved> = futures_join(saves.collect()).await;
        assert_eq!(outcomes[0], Saved::AlreadySubmitted);
        for (i, id) in ids.iter().enumerate().skip(1) {
            assert_eq!(outcomes[i], Saved::Saved);
            let answers = store.answers(id).await.unwrap();
            assert_eq!(
                answers.get("a").map(String::as_str),
                Some(i.to_string().as_str())
            );
            assert_eq!(
                answers.get("b").map(String::as_str),
                Some("last"),
                "the last value wins"
            );
            assert_eq!(answers.len(), 2);
        }
        assert!(store.answers(&ids[0]).await.unwrap().is_empty());
        store.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    async fn futures_join(handles: Vec<tokio::task::JoinHandle<Saved>>) -> Vec<Saved> {
        let mut outcomes = Vec::new();
        for handle in handles {
            outcomes.push(handle.await.unwrap());
        }
        outcomes
    }
}
