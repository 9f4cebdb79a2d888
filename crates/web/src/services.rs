//! The support services shown on every page.

/// A support service as shown in the support panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceView {
    /// The service's name.
    pub name: String,
    /// Who it is for, if the service says.
    pub description: Option<String>,
    /// A phone number, if the service has one.
    pub phone: Option<Phone>,
    /// A website.
    pub url: Option<String>,
}

/// A service's phone number, as written and as a `tel:` link dials it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// As written, with its spaces.
    pub number: String,
    /// For the `tel:` link: the number without spaces.
    pub tel: String,
}

impl Phone {
    /// The number as written, and without its spaces for dialling.
    pub fn new(number: &str) -> Phone {
        Phone {
            number: number.to_owned(),
            tel: number.replace(' ', ""),
        }
    }
}

impl ServiceView {
    /// A service from a site's list or a training module's signpost, with its website
    /// only if `url_allowed` accepts it.
    pub(crate) fn of(
        service: &skafada_training::Service,
        url_allowed: impl Fn(&str) -> bool,
    ) -> ServiceView {
        ServiceView {
            name: service.name.clone(),
            description: service.description.clone(),
            phone: service.phone.as_deref().map(Phone::new),
            url: service.url.clone().filter(|u| url_allowed(u)),
        }
    }
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
            description: Some((*description).to_owned()),
            phone: Some(Phone::new(phone)),
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
        .iter()
        .map(|s| ServiceView::of(s, |u| u.starts_with("https://") || u.starts_with("http://")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_service_keeps_only_what_it_gives_and_dials_its_number_without_spaces() {
        let listed = local(
            r#"[{"name": "Hearth", "phone": "0161 496 0000", "url": "javascript:alert(1)"},
                {"name": "Drop-in", "description": "Tuesdays", "url": "https://example.org"}]"#,
        );
        assert_eq!(
            listed,
            vec![
                ServiceView {
                    name: "Hearth".to_owned(),
                    description: None,
                    phone: Some(Phone {
                        number: "0161 496 0000".to_owned(),
                        tel: "01614960000".to_owned(),
                    }),
                    url: None,
                },
                ServiceView {
                    name: "Drop-in".to_owned(),
                    description: Some("Tuesdays".to_owned()),
                    phone: None,
                    url: Some("https://example.org".to_owned()),
                },
            ]
        );
    }

    #[test]
    fn unreadable_local_services_show_none_and_the_national_ones_remain() {
        assert!(local("{not json").is_empty());
        assert!(national().iter().all(|s| s.phone.is_some()));
    }
}
