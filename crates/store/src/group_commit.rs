//! Page saves and journey starts, committed together on SQLite.

use sqlx::Row;

use crate::packed::{pack, unpack_owned};
use crate::{Backend, Day, RespondentId, ResponseId, Saved, SiteId, Status, Store, StoreError};

impl Store {
    /// Saves one page in one transaction: sets each answer in `set` (an upsert, so a
    /// page posted twice stores the same values), deletes the variables in `clear`, and
    /// records the page the respondent goes to next. Nothing changes once the response
    /// is submitted.
    #[tracing::instrument(skip_all)]
    pub async fn save_page(
        &self,
        response_id: &ResponseId,
        set: &[(String, String)],
        clear: &[String],
        next_page: &str,
    ) -> Result<Saved, StoreError> {
        // Keys are looked up (and new ones added) before the write turn is taken.
        let set_names: Vec<&str> = set.iter().map(|(variable, _)| variable.as_str()).collect();
        let keys = self.variable_keys(&set_names).await?;
        let mut names = self.variable_names().await?;
        if clear.iter().any(|variable| names.key(variable).is_none()) {
            names = self.reload_variable_names().await?;
        }
        let page = PageSave {
            response_id: response_id.clone(),
            // The last value of a variable given twice wins, as it would one by one.
            set: set
                .iter()
                .filter_map(|(variable, value)| keys.get(variable).map(|key| (*key, value.clone())))
                .collect(),
            // A variable never stored anywhere has nothing to clear.
            clear: clear
                .iter()
                .filter_map(|variable| names.key(variable))
                .collect(),
            next_page: next_page.to_owned(),
        };
        match self.queue(QueuedWrite::Page(page)).await? {
            Written::Page(saved) => Ok(saved),
            Written::Start => Err(StoreError::Corrupt(
                "a page save was answered as a start".to_owned(),
            )),
        }
    }

    /// Writes a page save or a journey start in a transaction: on PostgreSQL one of
    /// its own; on SQLite together with every other write queued meanwhile.
    pub(crate) async fn queue(&self, write: QueuedWrite) -> Result<Written, StoreError> {
        let Some(pending) = &self.pending_pages else {
            // PostgreSQL: one transaction per write; the server batches WAL flushes of
            // concurrent commits itself. (`write` takes no turn there: there is none.)
            let mut tx = self.write().await?;
            let written = apply(&mut tx, &write, self.backend).await?;
            tx.commit().await?;
            return Ok(written);
        };
        // SQLite: group commit. The write joins the queue; whoever holds the write turn
        // commits every queued write in one transaction (one WAL fsync) and only then
        // answers each of them, so nothing is acknowledged before it is on disk.
        //
        // Not `Store::write`: the turn is taken before the transaction is known to be
        // needed (another holder of the turn may have committed this write meanwhile),
        // and one turn may hold several transactions (see `commit_batch`).
        let (done, mut answer) = tokio::sync::oneshot::channel();
        lock(pending).push((write, done));
        let _turn = self.write_turn().await;
        if let Ok(result) = answer.try_recv() {
            return result;
        }
        let batch = std::mem::take(&mut *lock(pending));
        self.commit_batch(batch).await;
        answer
            .await
            .unwrap_or_else(|_| Err(StoreError::Corrupt("a queued write was lost".to_owned())))
    }

    /// Commits queued writes in one transaction and answers each; when that fails,
    /// each write gets a transaction of its own, so one bad write fails only itself.
    ///
    /// The caller holds the write turn: the transactions here are begun on the pool, not
    /// with `Store::write`, which would wait for the turn the caller holds.
    async fn commit_batch(&self, batch: Vec<(QueuedWrite, WriteDone)>) {
        let together = async {
            let mut tx = self.pool.begin().await?;
            let mut results = Vec::with_capacity(batch.len());
            for (write, _) in &batch {
                results.push(apply(&mut tx, write, self.backend).await?);
            }
            tx.commit().await?;
            Ok::<_, StoreError>(results)
        }
        .await;
        match together {
            Ok(results) => {
                for ((_, done), written) in batch.into_iter().zip(results) {
                    let _ = done.send(Ok(written));
                }
            }
            Err(_) => {
                for (write, done) in batch {
                    let alone = async {
                        let mut tx = self.pool.begin().await?;
                        let written = apply(&mut tx, &write, self.backend).await?;
                        tx.commit().await?;
                        Ok(written)
                    }
                    .await;
                    let _ = done.send(alone);
                }
            }
        }
    }
}

/// A write that joins the group commit.
#[derive(Debug)]
pub(crate) enum QueuedWrite {
    /// A page of answers.
    Page(PageSave),
    /// A journey session started.
    Start(SessionStart),
}

/// What a queued write did.
#[derive(Debug)]
pub(crate) enum Written {
    /// The page's outcome.
    Page(Saved),
    /// The session is stored.
    Start,
}

/// A journey session to store, with the day's start counted when it is one.
#[derive(Debug)]
pub(crate) struct SessionStart {
    pub(crate) token_hash: String,
    pub(crate) site_id: SiteId,
    pub(crate) respondent_id: Option<RespondentId>,
    pub(crate) expires: i64,
    pub(crate) wave: i64,
    /// The day to count the start on, when it is a journey started from the link.
    pub(crate) count_on: Option<Day>,
    /// Delete sessions that ended before this time, when a clean-up is due.
    pub(crate) delete_ended_before: Option<i64>,
}

async fn apply(
    conn: &mut sqlx::AnyConnection,
    write: &QueuedWrite,
    backend: Backend,
) -> Result<Written, StoreError> {
    match write {
        QueuedWrite::Page(page) => apply_page(conn, page, backend).await.map(Written::Page),
        QueuedWrite::Start(start) => apply_start(conn, start).await.map(|()| Written::Start),
    }
}

/// Stores a session, counts the start, and deletes ended sessions when due.
async fn apply_start(
    conn: &mut sqlx::AnyConnection,
    start: &SessionStart,
) -> Result<(), StoreError> {
    if let Some(before) = start.delete_ended_before {
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(before)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "INSERT INTO sessions (token_hash, site_id, respondent_id, expires_at, wave) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&start.token_hash)
    .bind(start.site_id.as_str())
    .bind(start.respondent_id.as_deref())
    .bind(start.expires)
    .bind(start.wave)
    .execute(&mut *conn)
    .await?;
    if let Some(day) = &start.count_on {
        // A journey started from the link: counted per site and day, nothing more.
        sqlx::query(
            "INSERT INTO site_starts (site_id, day, starts) VALUES ($1, $2, 1) \
             ON CONFLICT (site_id, day) DO UPDATE SET starts = site_starts.starts + 1",
        )
        .bind(start.site_id.as_str())
        .bind(day.to_string())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// One page of answers to save.
#[derive(Debug)]
pub(crate) struct PageSave {
    response_id: ResponseId,
    /// Variable keys and values to store.
    set: Vec<(u32, String)>,
    /// Variable keys to remove.
    clear: Vec<u32>,
    next_page: String,
}

/// Where the outcome of a queued write goes.
pub(crate) type WriteDone = tokio::sync::oneshot::Sender<Result<Written, StoreError>>;

/// Writes waiting for the SQLite write turn.
pub(crate) type PendingPages = std::sync::Mutex<Vec<(QueuedWrite, WriteDone)>>;

fn lock(pending: &PendingPages) -> std::sync::MutexGuard<'_, Vec<(QueuedWrite, WriteDone)>> {
    pending
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Applies one page inside a transaction: reads the response's packed answers (on
/// PostgreSQL locking its row, so that two saves of one response cannot both start
/// from the same answers), sets and clears the page's variables, and writes them back
/// with the page the respondent goes to next: two statements, whatever the page's
/// length. Nothing changes once the response is submitted.
async fn apply_page(
    conn: &mut sqlx::AnyConnection,
    page: &PageSave,
    backend: Backend,
) -> Result<Saved, StoreError> {
    let sql = match backend {
        // SQLite: the write turn already makes this the only writer.
        Backend::Sqlite => "SELECT status, answers FROM responses WHERE id = $1",
        Backend::Postgres => "SELECT status, answers FROM responses WHERE id = $1 FOR UPDATE",
    };
    let row = sqlx::query(sql)
        .bind(page.response_id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(Saved::AlreadySubmitted);
    };
    let status: String = row.try_get("status")?;
    if status != Status::Consented.as_str() && status != Status::Started.as_str() {
        return Ok(Saved::AlreadySubmitted);
    }
    let packed: Option<Vec<u8>> = row.try_get("answers")?;
    let mut answers = unpack_owned(packed.as_deref())?;
    for (key, value) in &page.set {
        answers.insert(*key, value.clone());
    }
    for key in &page.clear {
        answers.remove(key);
    }
    sqlx::query(
        "UPDATE responses SET current_page = $1, answers = $2, answer_count = $3 WHERE id = $4",
    )
    .bind(&page.next_page)
    .bind(pack(&answers)?)
    .bind(i64::try_from(answers.len()).unwrap_or(i64::MAX))
    .bind(page.response_id.as_str())
    .execute(&mut *conn)
    .await?;
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
    async fn respondents(n: usize) -> (Store, std::path::PathBuf, Vec<crate::ResponseId>) {
        let path =
            std::env::temp_dir().join(format!("skafada-store-{}.sqlite", random_token().unwrap()));
        let store = Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let study = NewStudy {
            name: "Group commit".to_owned(),
            module_id: "m".to_owned(),
            opens_on: "2020-01-01".parse().unwrap(),
            closes_on: "2099-12-31".parse().unwrap(),
            retain_until: "2099-12-31".parse().unwrap(),
            ..NewStudy::default()
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
