//! The support services shown on every page.

/// A support service as shown in the support panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceView {
    /// The service's name.
    pub name: String,
    /// Who it is for.
    pub description: String,
    /// A phone number.
    pub phone: Option<String>,
    /// The phone number for a `tel:` link.
    pub tel: String,
    /// A website.
    pub url: Option<String>,
}

/// The national services listed at the end of the study's pre-training survey, with the
/// numbers they use today, and emergency help.
pub const NATIONAL_SERVICES: &[(&str, &str, &str)] = &[
    (
        "In an emergency",
        "If you cannot speak, stay on the line; from a mobile, press 55 when asked (the Silent Solution).",
        "999",
    ),
    (
        "National Domestic Abuse Helpline, run by Refuge",
        "Free, confidential support, 24 hours a day.",
        "0808 2000 247",
    ),
    (
        "Respect Men's Advice Line",
        "For men experiencing domestic abuse.",
        "0808 801 0327",
    ),
    (
        "Samaritans",
        "Someone to talk to about anything that is troubling you, 24 hours a day.",
        "116 123",
    ),
    (
        "Galop National LGBT+ Domestic Abuse Helpline",
        "For lesbian, gay, bisexual, trans and queer people. (The study listed Broken Rainbow, which has closed; Galop runs this helpline.)",
        "0800 999 5428",
    ),
];

/// The national services as views.
pub(crate) fn national() -> Vec<ServiceView> {
    NATIONAL_SERVICES
        .iter()
        .map(|(name, description, phone)| ServiceView {
            name: (*name).to_owned(),
            description: (*description).to_owned(),
            phone: Some((*phone).to_owned()),
            tel: phone.replace(' ', ""),
            url: None,
        })
        .collect()
}

/// A site's own services, from the JSON the store keeps (objects with the fields of
/// `skafada_training::Service`). Unreadable JSON is logged as an error and shows no
/// local services: the page still shows the national helplines, which never depend on
/// stored data.
pub(crate) fn local(json: &str) -> Vec<ServiceView> {
    let services: Vec<skafada_training::Service> = if json.trim().is_empty() {
        Vec::new()
    } else {
        serde_json::from_str(json).unwrap_or_else(|error| {
            tracing::error!(%error, "a site's local services cannot be read; only the national helplines are shown");
            Vec::new()
        })
    };
    services
        .into_iter()
        .map(|s| ServiceView {
            name: s.name,
            description: s.description.unwrap_or_default(),
            tel: s.phone.as_deref().unwrap_or_default().replace(' ', ""),
            phone: s.phone,
            url: s
                .url
                .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        })
        .collect()
}
