//! An export limited to one site holds no record of another.

use skafada_export::{ExportError, only_site};

use crate::{options, outcomes, pre_instrument, responses, sites};

#[test]
fn the_site_filter_leaves_no_record_of_another_site_in_any_format() {
    let instrument = pre_instrument();
    let data = responses(&instrument, 30, 3);
    let scoped = only_site(&data, &sites(), "LA02").unwrap();
    assert_eq!(scoped.len(), 10);
    assert!(scoped.site.iter().all(|&s| s == 1));
    let found = outcomes(&instrument, &scoped);
    assert_eq!(found.exclusions.len(), 10);
    let csv = skafada_export::to_csv(&instrument, &scoped, &sites(), &found).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("LA02"));
    assert!(!csv.contains("LA01") && !csv.contains("LA03"));
    let xlsx = skafada_export::to_xlsx(&instrument, &scoped, &sites(), &found, &options()).unwrap();
    let strings = crate::xlsx::part(&xlsx, "xl/sharedStrings.xml");
    assert!(strings.contains("LA02"));
    assert!(!strings.contains("LA01") && !strings.contains("LA03"));
    let sav = skafada_export::to_sav(&instrument, &scoped, &sites(), &found, &options()).unwrap();
    let sav = String::from_utf8_lossy(&sav);
    assert!(sav.contains("LA02"));
    assert!(!sav.contains("LA01") && !sav.contains("LA03"));
}

#[test]
fn an_unknown_site_is_an_error_not_an_empty_export() {
    let data = responses(&pre_instrument(), 3, 3);
    let error = only_site(&data, &sites(), "LA99").unwrap_err();
    assert!(matches!(error, ExportError::UnknownSite(code) if code == "LA99"));
}
