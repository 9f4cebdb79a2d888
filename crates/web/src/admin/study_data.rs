//! A study's responses as analysis columns, read once and shared by every results view
//! (LA contacts' releases, dashboards, training needs, the study report), and a bound
//! on how many heavy computations run at once.
//!
//! Read once: the first view of a study reads its responses; views that arrive while
//! it is reading wait for the same read instead of starting their own. The columns are
//! then used for [`FRESH_FOR`]; a view after that is answered from them at once while
//! one read in the background brings them up to date, so responses submitted meanwhile
//! show a read later, and no view but the study's first waits for a read. A deletion
//! (a site's data, retention) is never answered from an older read: the study's
//! respondents are counted on every view (one indexed count), and fewer than the read
//! held means the view waits for a new read; a site's deletion or a change of settings
//! through this server forgets the study's read at once. A study's columns unused for
//! [`KEPT_UNUSED`] are dropped, so their memory is returned.
//!
//! Bounded: reading a study and every analysis, release and report run under one of
//! [`HEAVY_AT_ONCE`] permits; a burst of views queues rather than holding many copies
//! of a large study in memory together.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use skafada_analysis::data::{Dataset, Manifest};
use skafada_analysis::run::Analysis;
use skafada_store::{Study, StudyId};
use tokio::sync::{OnceCell, Semaphore};

use super::error::AdminError;
use super::pivot::stored_pre_and_post;
use crate::AppState;
use crate::content::StudyContent;

/// How long a read of a study's responses is used before a view starts a new one.
pub(crate) const FRESH_FOR: Duration = Duration::from_secs(60);

/// How long a study's read is kept when no view uses it.
pub(crate) const KEPT_UNUSED: Duration = Duration::from_secs(10 * 60);

/// How many heavy computations (reading a study, an analysis, a release, a report)
/// run at once; the rest wait their turn.
pub(crate) const HEAVY_AT_ONCE: usize = 2;

/// One read of a study's responses.
#[derive(Debug)]
pub(crate) struct StudyData {
    /// The responses, as the analysis reads them.
    pub(crate) dataset: Arc<Dataset>,
    /// The dashboard plan's analysis of every site, made when first needed.
    all_sites: OnceCell<Arc<Analysis>>,
    /// What every site's protected release shares, made when first needed.
    release_base: OnceCell<Arc<super::release::ReleaseBase>>,
    /// Each site's protected release (by site code and threshold), made when first
    /// needed.
    releases: Mutex<HashMap<(String, u64), ReleaseCell>>,
    respondents: i64,
}

type ReleaseCell = Arc<OnceCell<Arc<super::release::SiteRelease>>>;

impl StudyData {
    /// The analysis of every site with `plan`, made once per read.
    pub(crate) async fn all_sites(
        &self,
        cache: &StudyDataCache,
        plan: Arc<skafada_analysis::plan::Plan>,
    ) -> Result<Arc<Analysis>, AdminError> {
        self.all_sites
            .get_or_try_init(|| async {
                let dataset = self.dataset.clone();
                cache
                    .heavy(move || {
                        skafada_analysis::analyse(&plan, &dataset)
                            .map(Arc::new)
                            .map_err(|e| AdminError::Internal(e.to_string()))
                    })
                    .await?
            })
            .await
            .cloned()
    }

    /// The site's protected release at `threshold`, made by `make` once per read.
    pub(crate) async fn site_release<F, Fut>(
        &self,
        site_code: &str,
        threshold: u64,
        make: F,
    ) -> Result<Arc<super::release::SiteRelease>, AdminError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<super::release::SiteRelease, AdminError>>,
    {
        let cell = self
            .releases
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((site_code.to_owned(), threshold))
            .or_default()
            .clone();
        cell.get_or_try_init(|| async { make().await.map(Arc::new) })
            .await
            .cloned()
    }

    /// What every site's protected release shares, with the study's `plan`, made once
    /// per read.
    pub(crate) async fn release_base(
        &self,
        cache: &StudyDataCache,
        plan: Arc<skafada_analysis::plan::Plan>,
    ) -> Result<Arc<super::release::ReleaseBase>, AdminError> {
        self.release_base
            .get_or_try_init(|| async {
                let dataset = self.dataset.clone();
                cache
                    .heavy(move || Arc::new(super::release::ReleaseBase::new(&dataset, &plan)))
                    .await
            })
            .await
            .cloned()
    }
}

type Cell = Arc<OnceCell<Arc<StudyData>>>;

#[derive(Debug)]
struct Slot {
    /// When the current read started.
    started: Instant,
    /// When a view last used the slot.
    used: Instant,
    current: Cell,
    /// A read in the background that will replace `current`.
    next: Option<Cell>,
}

/// What a view does with a study's slot.
enum Use {
    /// Wait for this read (it may be done already).
    Wait(Cell),
    /// Answer from this read, and bring it up to date in the background with that one.
    Refresh(Arc<StudyData>, Cell),
}

/// Each study's current read, and the permits for heavy work.
#[derive(Debug)]
pub(crate) struct StudyDataCache {
    slots: Mutex<HashMap<StudyId, Slot>>,
    heavy: Arc<Semaphore>,
    sweeping: AtomicBool,
    fresh_for: Duration,
    kept_unused: Duration,
}

impl Default for StudyDataCache {
    fn default() -> Self {
        StudyDataCache {
            slots: Mutex::new(HashMap::new()),
            heavy: Arc::new(Semaphore::new(HEAVY_AT_ONCE)),
            sweeping: AtomicBool::new(false),
            fresh_for: FRESH_FOR,
            kept_unused: KEPT_UNUSED,
        }
    }
}

impl StudyDataCache {
    fn slots(&self) -> MutexGuard<'_, HashMap<StudyId, Slot>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `work` on a blocking thread under a heavy-work permit.
    pub(crate) async fn heavy<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AdminError> {
        let _permit = self
            .heavy
            .acquire()
            .await
            .map_err(|e| AdminError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AdminError::Internal(e.to_string()))
    }

    /// Forgets a study's read: after its settings change or its data is deleted.
    pub(crate) fn forget(&self, study_id: &StudyId) {
        self.slots().remove(study_id);
    }

    /// The study's responses: the current read, the one under way, or a new one.
    pub(crate) async fn get(
        self: &Arc<Self>,
        state: &AppState,
        study: &Study,
        content: &Arc<StudyContent>,
    ) -> Result<Arc<StudyData>, AdminError> {
        let respondents = state.store.study_respondent_count(&study.id).await?;
        let (state, study, content) = (state.clone(), study.clone(), content.clone());
        let study_id = study.id.clone();
        self.get_with(&study_id, respondents, move || async move {
            let started = Instant::now();
            let dataset = read_dataset(&state, &study, &content).await?;
            tracing::info!(
                study = %study.id,
                records = dataset.pre.len() + dataset.post.as_ref().map_or(0, |p| p.len()),
                milliseconds = started.elapsed().as_millis(),
                "read the study's responses for the results views"
            );
            Ok(dataset)
        })
        .await
    }

    /// As [`StudyDataCache::get`], with the study's current number of respondents and
    /// what reads its responses.
    async fn get_with<F, Fut>(
        self: &Arc<Self>,
        study_id: &StudyId,
        respondents: i64,
        read: F,
    ) -> Result<Arc<StudyData>, AdminError>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Dataset, AdminError>> + Send + 'static,
    {
        self.start_sweeping();
        let plan = {
            let mut slots = self.slots();
            let now = Instant::now();
            match slots.get_mut(study_id) {
                Some(slot) => {
                    slot.used = now;
                    match slot.current.get().cloned() {
                        // Some respondents were deleted since: never answer from it.
                        Some(data) if data.respondents > respondents => {
                            let cell = Cell::default();
                            *slot = Slot {
                                started: now,
                                used: now,
                                current: cell.clone(),
                                next: None,
                            };
                            Use::Wait(cell)
                        }
                        Some(data)
                            if slot.started.elapsed() >= self.fresh_for && slot.next.is_none() =>
                        {
                            let cell = Cell::default();
                            slot.next = Some(cell.clone());
                            Use::Refresh(data, cell)
                        }
                        Some(data) => return Ok(data),
                        None => Use::Wait(slot.current.clone()),
                    }
                }
                None => {
                    let cell = Cell::default();
                    slots.insert(
                        study_id.clone(),
                        Slot {
                            started: now,
                            used: now,
                            current: cell.clone(),
                            next: None,
                        },
                    );
                    Use::Wait(cell)
                }
            }
        };
        match plan {
            Use::Wait(cell) => self.fill(&cell, respondents, read).await,
            Use::Refresh(data, cell) => {
                let cache = self.clone();
                let study_id = study_id.to_owned();
                tokio::spawn(async move {
                    let outcome = cache.fill(&cell, respondents, read).await;
                    let mut slots = cache.slots();
                    if let Some(slot) = slots.get_mut(&study_id)
                        && slot
                            .next
                            .as_ref()
                            .is_some_and(|next| Arc::ptr_eq(next, &cell))
                    {
                        slot.next = None;
                        if outcome.is_ok() {
                            slot.current = cell;
                            slot.started = Instant::now();
                        }
                    }
                });
                Ok(data)
            }
        }
    }

    /// Makes the read `cell` holds, unless it is made or being made already.
    async fn fill<F, Fut>(
        &self,
        cell: &Cell,
        respondents: i64,
        read: F,
    ) -> Result<Arc<StudyData>, AdminError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Dataset, AdminError>>,
    {
        cell.get_or_try_init(|| async {
            let _permit = self
                .heavy
                .acquire()
                .await
                .map_err(|e| AdminError::Internal(e.to_string()))?;
            let dataset = read().await?;
            Ok::<_, AdminError>(Arc::new(StudyData {
                dataset: Arc::new(dataset),
                all_sites: OnceCell::new(),
                release_base: OnceCell::new(),
                releases: Mutex::default(),
                respondents,
            }))
        })
        .await
        .cloned()
    }

    /// Drops the reads of studies no view has used for [`KEPT_UNUSED`], checking every
    /// [`FRESH_FOR`], for as long as the cache lives: a study nobody looks at holds no
    /// memory.
    fn start_sweeping(self: &Arc<Self>) {
        if self.sweeping.swap(true, Ordering::Relaxed) {
            return;
        }
        let cache: Weak<StudyDataCache> = Arc::downgrade(self);
        let (every, kept) = (self.fresh_for, self.kept_unused);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(cache) = cache.upgrade() else { return };
                cache.slots().retain(|_, slot| slot.used.elapsed() < kept);
            }
        });
    }
}

/// Every pre- and post-training response of the study, read from the database.
async fn read_dataset(
    state: &AppState,
    study: &Study,
    content: &StudyContent,
) -> Result<Dataset, AdminError> {
    let sites = crate::export_folder::analysis_sites(&state.store, &study.id).await?;
    let (pre, post) = stored_pre_and_post(
        &state.store,
        &study.id,
        &sites,
        content,
        skafada_store::ReadOrder::AsStored,
    )
    .await?;
    Ok(Dataset {
        manifest: Manifest {
            format: "skafada-export".to_owned(),
            version: 1,
            study: study.name.clone(),
            synthetic: study.synthetic,
            pre: "pre-training survey".to_owned(),
            post: Some("post-training survey".to_owned()),
            follow_up: Vec::new(),
        },
        sites,
        pre_instrument: content.pre.clone(),
        post_instrument: Some(content.post.clone()),
        pre,
        post: Some(post),
        follow_up: Vec::new(),
        arms: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::atomic::AtomicUsize;

    use super::*;

    fn empty_dataset() -> Dataset {
        const PRE: &str = include_str!("../../../../instruments/skafada-pre.toml");
        Dataset {
            manifest: Manifest {
                format: "skafada-export".to_owned(),
                version: 1,
                study: "Test".to_owned(),
                synthetic: true,
                pre: "pre".to_owned(),
                post: None,
                follow_up: Vec::new(),
            },
            sites: Vec::new(),
            pre_instrument: skafada_instrument::load(PRE, "pre").unwrap(),
            post_instrument: None,
            pre: Default::default(),
            post: None,
            follow_up: Vec::new(),
            arms: Vec::new(),
        }
    }

    /// A cache whose reads count themselves and take a little while.
    fn counted(fresh_for: Duration) -> (Arc<StudyDataCache>, Arc<AtomicUsize>) {
        let cache = Arc::new(StudyDataCache {
            fresh_for,
            kept_unused: fresh_for * 3,
            ..StudyDataCache::default()
        });
        (cache, Arc::new(AtomicUsize::new(0)))
    }

    /// A read, equal only to itself (held, so no later read can take its address).
    #[derive(Debug, Clone)]
    struct Read(Arc<StudyData>);

    impl PartialEq for Read {
        fn eq(&self, other: &Read) -> bool {
            Arc::ptr_eq(&self.0, &other.0)
        }
    }

    async fn view(cache: &Arc<StudyDataCache>, reads: &Arc<AtomicUsize>, respondents: i64) -> Read {
        let reads = reads.clone();
        cache
            .get_with(&StudyId::new("study"), respondents, || async move {
                reads.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(empty_dataset())
            })
            .await
            .map(Read)
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn eleven_views_at_once_share_one_read_of_the_study() {
        let (cache, reads) = counted(FRESH_FOR);
        let views: Vec<_> = (0..11)
            .map(|_| {
                let (cache, reads) = (cache.clone(), reads.clone());
                tokio::spawn(async move { view(&cache, &reads, 10).await })
            })
            .collect();
        let mut answered = Vec::new();
        for v in views {
            answered.push(v.await.unwrap());
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        assert!(answered.windows(2).all(|w| w[0] == w[1]));
        // More respondents since: still the same read until it is no longer fresh.
        assert_eq!(view(&cache, &reads, 12).await, answered[0].clone());
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fewer_respondents_or_a_forgotten_study_is_read_again_at_once() {
        let (cache, reads) = counted(FRESH_FOR);
        let first = view(&cache, &reads, 10).await;
        let after_deletion = view(&cache, &reads, 7).await;
        assert_ne!(after_deletion, first);
        assert_eq!(reads.load(Ordering::SeqCst), 2);
        cache.forget(&StudyId::new("study"));
        let after_forget = view(&cache, &reads, 7).await;
        assert_ne!(after_forget, after_deletion);
        assert_eq!(reads.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stale_read_answers_at_once_while_one_new_read_replaces_it() {
        let (cache, reads) = counted(Duration::from_millis(500));
        let first = view(&cache, &reads, 10).await;
        tokio::time::sleep(Duration::from_millis(550)).await;
        // Stale: the next views are answered from the old read while a new read, held
        // back here until they have answered, runs behind them.
        let gate = Arc::new(tokio::sync::Notify::new());
        let (held, counter) = (gate.clone(), reads.clone());
        let answered = tokio::time::timeout(
            Duration::from_secs(5),
            cache.get_with(&StudyId::new("study"), 10, move || async move {
                counter.fetch_add(1, Ordering::SeqCst);
                held.notified().await;
                Ok(empty_dataset())
            }),
        )
        .await
        .expect("a stale read is answered without waiting for the new one")
        .unwrap();
        assert_eq!(Read(answered), first);
        assert_eq!(
            view(&cache, &reads, 10).await,
            first.clone(),
            "one new read, not two"
        );
        gate.notify_one();
        for _ in 0..100 {
            if view(&cache, &reads, 10).await != first {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_ne!(
            view(&cache, &reads, 10).await,
            first,
            "the new read is used"
        );
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stale_read_is_not_used_after_a_deletion() {
        let (cache, reads) = counted(Duration::from_millis(200));
        let first = view(&cache, &reads, 10).await;
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_ne!(view(&cache, &reads, 9).await, first);
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_study_no_view_uses_is_dropped() {
        let (cache, reads) = counted(Duration::from_millis(100));
        view(&cache, &reads, 10).await;
        assert_eq!(cache.slots().len(), 1);
        // Kept for three times the freshness, checked at every freshness.
        tokio::time::sleep(Duration::from_millis(550)).await;
        assert!(cache.slots().is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_read_is_not_kept_and_the_next_view_reads_again() {
        let (cache, reads) = counted(FRESH_FOR);
        let failed = cache
            .get_with(&StudyId::new("study"), 1, || async {
                Err::<Dataset, _>(AdminError::Internal("the database went away".to_owned()))
            })
            .await;
        assert!(failed.is_err());
        view(&cache, &reads, 1).await;
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }
}
