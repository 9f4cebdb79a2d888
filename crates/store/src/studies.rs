//! Studies and their sites.

use sqlx::Row;

use crate::date::today;
use crate::rows::{SITE_COLUMNS, STUDY_COLUMNS, site_from_row, study_from_row};
use crate::secret::{self, random_token};
use crate::write::Write;
use crate::{NewSite, NewStudy, Site, SiteId, SiteLink, Store, StoreError, Study, StudyId};

impl Store {
    /// Creates a study and returns its identifier.
    #[tracing::instrument(skip_all)]
    pub async fn create_study(&self, study: &NewStudy) -> Result<StudyId, StoreError> {
        let mut tx = self.write().await?;
        let id = insert_study(&mut tx, study, None).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a site to a study, with a new unguessable link token (160 bits from the
    /// operating system's CSPRNG).
    #[tracing::instrument(skip_all)]
    pub async fn add_site(&self, study_id: &StudyId, site: &NewSite) -> Result<Site, StoreError> {
        let added = new_site_row(study_id, site)?;
        let mut tx = self.write().await?;
        insert_site(&mut tx, &added).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Every study, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn studies(&self) -> Result<Vec<Study>, StoreError> {
        let rows = sqlx::query(&format!("{STUDY_COLUMNS} ORDER BY created_on, id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(study_from_row).collect()
    }

    /// The study with this identifier.
    #[tracing::instrument(skip_all)]
    pub async fn study(&self, id: &StudyId) -> Result<Option<Study>, StoreError> {
        let row = sqlx::query(&format!("{STUDY_COLUMNS} WHERE id = $1"))
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(study_from_row).transpose()
    }

    /// The site with this identifier.
    #[tracing::instrument(skip_all)]
    pub async fn site(&self, id: &SiteId) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query(&format!("{SITE_COLUMNS} WHERE id = $1"))
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(site_from_row).transpose()
    }

    /// The site whose link has this token.
    #[tracing::instrument(skip_all)]
    pub async fn site_by_token(&self, token: &str) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query(&format!("{SITE_COLUMNS} WHERE link_token = $1"))
            .bind(token)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(site_from_row).transpose()
    }

    /// The sites of a study, by code.
    #[tracing::instrument(skip_all)]
    pub async fn sites(&self, study_id: &StudyId) -> Result<Vec<Site>, StoreError> {
        let rows = sqlx::query(&format!("{SITE_COLUMNS} WHERE study_id = $1 ORDER BY code"))
            .bind(study_id.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(site_from_row).collect()
    }

    /// Every site's link, by study and site code.
    #[tracing::instrument(skip_all)]
    pub async fn links(&self) -> Result<Vec<SiteLink>, StoreError> {
        let rows = sqlx::query(
            "SELECT studies.name AS study, sites.code AS site_code, sites.name AS site_name, \
             sites.link_token AS token FROM sites \
             JOIN studies ON studies.id = sites.study_id \
             ORDER BY studies.created_on, studies.id, sites.code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SiteLink {
                    study: row.try_get("study")?,
                    site_code: row.try_get("site_code")?,
                    site_name: row.try_get("site_name")?,
                    token: row.try_get("token")?,
                })
            })
            .collect()
    }
}

/// A new site's row: random id and link token (160 bits from the OS CSPRNG each).
pub(crate) fn new_site_row(study_id: &StudyId, site: &NewSite) -> Result<Site, StoreError> {
    Ok(Site {
        id: SiteId::new(random_token()?),
        study_id: study_id.clone(),
        code: site.code.clone(),
        name: site.name.clone(),
        region: site.region.clone(),
        model_of_practice: site.model_of_practice.clone(),
        population: site.population.clone(),
        ethnicity: site.ethnicity.clone(),
        area_type: site.area_type.clone(),
        deprivation_quintile: site.deprivation_quintile,
        local_services: site.local_services.clone(),
        link_token: random_token()?,
    })
}

/// Inserts a site row inside the caller's transaction.
pub(crate) async fn insert_site(tx: &mut Write<'_>, site: &Site) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sites (id, study_id, code, name, region, model_of_practice, population, \
         ethnicity, area_type, deprivation_quintile, local_services, link_token) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(site.id.as_str())
    .bind(site.study_id.as_str())
    .bind(&site.code)
    .bind(&site.name)
    .bind(&site.region)
    .bind(&site.model_of_practice)
    .bind(&site.population)
    .bind(&site.ethnicity)
    .bind(&site.area_type)
    .bind(site.deprivation_quintile)
    .bind(&site.local_services)
    .bind(&site.link_token)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Inserts a study with its linking secret and returns its new id: the one INSERT of a
/// study. `min_cell_count` is the database's default (5) when `None`.
pub(crate) async fn insert_study(
    tx: &mut Write<'_>,
    study: &NewStudy,
    min_cell_count: Option<i64>,
) -> Result<StudyId, StoreError> {
    let id = StudyId::new(random_token()?);
    let sources = serde_json::to_string(&study.module_sources)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let (column, value) = if min_cell_count.is_some() {
        (", min_cell_count", ", $18")
    } else {
        ("", "")
    };
    let sql = format!(
        "INSERT INTO studies (id, name, pre_instrument, post_instrument, module_id, \
         module_sources, opens_on, closes_on, retain_until, created_on, analysis_plan, \
         training_needs, content_sha256, synthetic, framework, waves, \
         participant_information{column}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17{value})"
    );
    let mut query = sqlx::query(&sql)
        .bind(id.as_str())
        .bind(&study.name)
        .bind(&study.pre_instrument)
        .bind(&study.post_instrument)
        .bind(&study.module_id)
        .bind(sources)
        .bind(study.opens_on.to_string())
        .bind(study.closes_on.to_string())
        .bind(study.retain_until.to_string())
        .bind(today().to_string())
        .bind(&study.analysis_plan)
        .bind(&study.training_needs)
        .bind(study.content_sha256_json()?)
        .bind(i64::from(study.synthetic))
        .bind(&study.framework)
        .bind(&study.waves)
        .bind(&study.participant_information);
    if let Some(n) = min_cell_count {
        query = query.bind(n);
    }
    query.execute(&mut **tx).await?;
    secret::insert_linking_secret(tx, &id).await?;
    Ok(id)
}
