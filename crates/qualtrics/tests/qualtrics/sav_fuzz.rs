//! Mutated .sav files (bits flipped, bytes overwritten with extreme 4- and 8-byte
//! values, the file cut short): `Table::from_sav` always returns, and every file it
//! refuses is refused by the structural pre-scan or by the SPSS reader's own errors,
//! never by catching a panic of the reader (`ImportError::Unreadable`).

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::sav::{SAV, SAV_MAPPING, UNCOMPRESSED, ZSAV};
use super::*;
use skafada_qualtrics::check_sav;

const CASES: u32 = 2000;

/// 4-byte values that break lengths, counts, record types and codes.
const EXTREME_4: [i32; 16] = [
    0,
    -1,
    1,
    2,
    3,
    4,
    6,
    7,
    255,
    256,
    999,
    -2,
    i32::MAX,
    i32::MIN,
    0x7fff_0000,
    0x0101_0101,
];

/// 8-byte values: offsets, counts, and doubles (SPSS's system-missing, huge, NaN).
const EXTREME_8: [u64; 8] = [
    0,
    u64::MAX,
    i64::MAX as u64,
    i64::MIN as u64,
    0xffef_ffff_ffff_ffff, // -f64::MAX, system-missing
    0x7e37_e43c_8800_759c, // 1e300
    0x7ff8_0000_0000_0000, // NaN
    100,
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Byte(usize, u8),
    Put4(usize, usize),
    Put8(usize, usize),
    Truncate(usize),
}

/// A position: mostly inside the dictionary (where the pre-scan works), else anywhere,
/// in the 24 bytes after the dictionary (a .zsav's zlib header) or in the last 64 bytes
/// (its block index).
fn position(base: &'static [u8]) -> impl Strategy<Value = usize> {
    let dictionary = base
        .windows(8)
        .position(|w| w == [0xe7, 3, 0, 0, 0, 0, 0, 0])
        .unwrap()
        + 8;
    (0..8u8, any::<usize>()).prop_map(move |(region, at)| match region {
        0..=4 => at % dictionary,
        5 => at % base.len(),
        6 => dictionary + at % 24,
        _ => base.len() - 1 - at % 64,
    })
}

fn mutation(base: &'static [u8]) -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => (position(base), 0..8u8).prop_map(|(at, bit)| Mutation::Flip(at, bit)),
        1 => (position(base), any::<u8>()).prop_map(|(at, byte)| Mutation::Byte(at, byte)),
        3 => (position(base), 0..EXTREME_4.len()).prop_map(|(at, v)| Mutation::Put4(at, v)),
        2 => (position(base), 0..EXTREME_8.len()).prop_map(|(at, v)| Mutation::Put8(at, v)),
        1 => (0..base.len()).prop_map(Mutation::Truncate),
    ]
}

fn mutate(base: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = base.to_vec();
    let put = |bytes: &mut Vec<u8>, at: usize, value: &[u8]| {
        for (i, b) in value.iter().enumerate() {
            if let Some(slot) = bytes.get_mut(at + i) {
                *slot = *b;
            }
        }
    };
    for mutation in mutations {
        match *mutation {
            Mutation::Flip(at, bit) => {
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << bit;
                }
            }
            Mutation::Byte(at, byte) => put(&mut bytes, at, &[byte]),
            Mutation::Put4(at, v) => put(&mut bytes, at, &EXTREME_4[v].to_le_bytes()),
            Mutation::Put8(at, v) => put(&mut bytes, at, &EXTREME_8[v].to_le_bytes()),
            Mutation::Truncate(at) => bytes.truncate(at),
        }
    }
    bytes
}

#[test]
fn mutated_sav_files_are_read_or_refused_by_the_prescan_never_by_a_caught_panic() {
    fuzz("numeric-values.sav", SAV, CASES);
}

#[test]
fn mutated_zsav_and_uncompressed_files_are_read_or_refused_never_by_a_caught_panic() {
    fuzz("numeric-values.zsav", ZSAV, CASES / 2);
    fuzz("numeric-values-uncompressed.sav", UNCOMPRESSED, CASES / 4);
}

/// Runs `cases` mutations of `base` (times `SAV_FUZZ_SCALE` when set, for a longer
/// run by hand) and prints how they ended.
fn fuzz(name: &str, base: &'static [u8], cases: u32) {
    let cases = std::env::var("SAV_FUZZ_SCALE")
        .ok()
        .and_then(|scale| scale.parse::<u32>().ok())
        .map_or(cases, |scale| cases.saturating_mul(scale));
    let prescan = Cell::new(0u32);
    let reader = Cell::new(0u32);
    let short = Cell::new(0u32);
    let read = Cell::new(0u32);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = runner.run(&prop::collection::vec(mutation(base), 1..4), |mutations| {
        let bytes = mutate(base, &mutations);
        let checked = check_sav(&bytes, "export.sav");
        match (checked, Table::from_sav(&bytes, "export.sav")) {
            (_, Err(ImportError::Unreadable { .. })) => {
                prop_assert!(false, "the reader panicked and the catch was needed");
            }
            (Err(_), Err(ImportError::Export { message, .. })) => {
                prop_assert!(message.ends_with(
                    "the SPSS file is damaged or incomplete: export it from Qualtrics again"
                ));
                prescan.set(prescan.get() + 1);
            }
            (Err(error), Ok(_)) => {
                prop_assert!(false, "the pre-scan refused it ({error}) but it was read");
            }
            (Ok(()), Err(ImportError::Export { message, .. })) => {
                prop_assert!(
                    message.contains("export it from Qualtrics again"),
                    "{}",
                    message
                );
                if std::env::var_os("SAV_FUZZ_VERBOSE").is_some() {
                    eprintln!("refused by the reader: {message}");
                }
                if message.contains("could be read") {
                    short.set(short.get() + 1);
                } else {
                    reader.set(reader.get() + 1);
                }
            }
            (Ok(()), Ok(table)) => {
                // What is read goes through the importer, which refuses or imports.
                let (pre, post) = instruments();
                let mapping = Mapping::parse(SAV_MAPPING, "mapping-sav.toml").unwrap();
                let outcome = skafada_qualtrics::import(
                    &mapping,
                    "mapping-sav.toml",
                    &pre,
                    Some(&post),
                    &[Source {
                        file: "export.sav",
                        table: &table,
                        phase: None,
                    }],
                );
                if let Err(error) = outcome {
                    let message = error.to_string();
                    prop_assert!(
                        message.starts_with("export.sav")
                            || message.starts_with("mapping-sav.toml"),
                        "{}",
                        message
                    );
                }
                read.set(read.get() + 1);
            }
            (_, Err(other)) => prop_assert!(false, "unexpected error {other:?}"),
        }
        Ok(())
    });
    eprintln!(
        "{name} fuzz: {cases} cases: {} refused by the pre-scan, {} by the SPSS reader's own errors, {} for holding fewer cases than the header declares, {} read; 0 caught panics",
        prescan.get(),
        reader.get(),
        short.get(),
        read.get()
    );
    if let Err(error) = outcome {
        panic!("{error}");
    }
    assert_eq!(
        prescan.get() + reader.get() + short.get() + read.get(),
        cases
    );
    assert!(
        prescan.get() > cases / 4,
        "the mutations reach the pre-scan"
    );
}
