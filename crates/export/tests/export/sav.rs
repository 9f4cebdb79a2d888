//! The .sav file read back with ambers' own reader (the external tools check it too).

use ambers::{Measure, MissingSpec, Value};
use skafada_export::Codebook;

use crate::{options, outcomes, pre_instrument, responses, sites};

#[test]
fn the_sav_file_declares_every_label_missing_code_measure_and_response_set() {
    let instrument = pre_instrument();
    let data = responses(&instrument, 40, 9);
    let found = outcomes(&instrument, &data);
    let sav = skafada_export::to_sav(&instrument, &data, &sites(), &found, &options()).unwrap();
    let (batch, meta) = ambers::read_sav_from_reader(std::io::Cursor::new(sav)).unwrap();
    assert_eq!(batch.num_rows(), 40);
    let book = Codebook::new(&instrument, &found);
    assert_eq!(meta.variable_names.len(), book.entries.len());
    for entry in &book.entries {
        let name = entry.spss_name.as_str();
        assert_eq!(meta.label(name), Some(entry.text.as_str()), "{name}");
        let labels = meta.value_labels(name);
        for value in &entry.values {
            let label = labels.and_then(|l| l.get(&Value::Numeric(f64::from(value.code))));
            assert_eq!(label, Some(&value.label), "{name} {}", value.code);
        }
        let missing: Vec<f64> = meta
            .variable_missing_values
            .get(name)
            .map(|specs| {
                specs
                    .iter()
                    .map(|s| match s {
                        MissingSpec::Value(v) => *v,
                        other => panic!("{name}: {other:?}"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let expected: Vec<f64> = entry
            .missing_codes()
            .iter()
            .map(|&c| f64::from(c))
            .collect();
        assert_eq!(missing, expected, "{name}");
        let measure = match entry.measure {
            skafada_export::Measure::Nominal => Measure::Nominal,
            skafada_export::Measure::Ordinal => Measure::Ordinal,
            skafada_export::Measure::Scale => Measure::Scale,
        };
        assert_eq!(meta.measure(name), Some(measure), "{name}");
    }
    assert!(
        book.entries.iter().any(|e| !e.missing_codes().is_empty()),
        "the instrument has missing codes to declare"
    );
    for set in &book.sets {
        let read = meta.mr_sets.get(&set.spss_name).unwrap();
        assert_eq!(read.variables, set.members);
        assert_eq!(read.counted_value.as_deref(), Some("1"));
    }
    assert!(meta.notes.iter().any(|n| n.contains("SYNTHETIC")));
}
