//! Qualtrics' SPSS export: `numeric-values.sav` (made by `fixtures/make-sav.sps`, the
//! responses of `numeric-values.csv`) imports exactly as the CSV does, and damaged files
//! are refused by the pre-scan with a message, never a panic.

use super::*;
use skafada_qualtrics::{ImportError, check_sav, is_sav};

pub const SAV: &[u8] = include_bytes!("../fixtures/numeric-values.sav");
pub const ZSAV: &[u8] = include_bytes!("../fixtures/numeric-values.zsav");
pub const UNCOMPRESSED: &[u8] = include_bytes!("../fixtures/numeric-values-uncompressed.sav");
pub const SAV_MAPPING: &str = include_str!("../fixtures/mapping-sav.toml");

/// Imports the .sav fixture (or a variant of it) with a mapping's text.
pub fn import_sav(mapping: &str, bytes: &[u8]) -> Result<Imported, ImportError> {
    let (pre, post) = instruments();
    let mapping = Mapping::parse(mapping, "mapping-sav.toml")?;
    let table = Table::from_sav(bytes, "export.sav")?;
    skafada_qualtrics::import(
        &mapping,
        "mapping-sav.toml",
        &pre,
        Some(&post),
        &[Source {
            file: "export.sav",
            table: &table,
            phase: None,
        }],
    )
}

fn written(imported: &Imported) -> ExportText {
    let (pre, post) = instruments();
    imported
        .files(
            "Fixture study",
            (&pre, "instruments/skafada-pre.toml"),
            Some((&post, "instruments/skafada-post.toml")),
        )
        .unwrap()
}

/// The message of a refusal of damaged bytes.
fn refusal(bytes: &[u8]) -> String {
    match Table::from_sav(bytes, "damaged.sav") {
        Ok(table) => panic!("read {} rows of a damaged file", table.rows.len()),
        Err(error) => {
            assert!(
                matches!(error, ImportError::Export { .. }),
                "refused by the pre-scan, not by catching a panic: {error:?}"
            );
            assert!(
                check_sav(bytes, "damaged.sav").is_err(),
                "the pre-scan alone refuses it"
            );
            error.to_string()
        }
    }
}

fn find(bytes: &[u8], pattern: &[u8]) -> usize {
    bytes
        .windows(pattern.len())
        .position(|w| w == pattern)
        .unwrap()
}

fn put_i32(bytes: &mut [u8], at: usize, value: i32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

/// The offset of the fixture's integer info record (type 7, subtype 3, 8 items of 4 bytes).
fn integer_info() -> usize {
    find(SAV, &[7, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0])
}

/// The offset of the dictionary terminator (type 999 and its filler).
fn terminator() -> usize {
    find(SAV, &[0xe7, 3, 0, 0, 0, 0, 0, 0])
}

#[test]
fn the_sav_fixture_imports_to_the_same_response_files_as_the_numeric_csv() {
    let from_sav = import_sav(SAV_MAPPING, SAV).unwrap();
    let from_csv = import_with(&numeric_mapping(), NUMERIC, "numeric-values.csv").unwrap();
    let (sav, csv) = (written(&from_sav), written(&from_csv));
    assert_eq!(sav.manifest, csv.manifest);
    assert_eq!(sav.sites, csv.sites);
    assert_eq!(sav.pre, csv.pre);
    assert_eq!(sav.post, csv.post);
    assert_eq!(sav.codebook, csv.codebook);
    assert_eq!(from_sav.pre.len(), 4, "four pre-training responses");
    assert_eq!(from_sav.post.as_ref().map(|p| p.len()), Some(1));
    // The survey preview is skipped, named by its case number.
    let skipped: Vec<(u64, &str)> = from_sav
        .skipped
        .iter()
        .map(|s| (s.row, s.reason.as_str()))
        .collect();
    assert_eq!(skipped, vec![(3, "survey preview")]);
}

#[test]
fn the_sav_fixture_reads_as_the_cells_of_the_csv_with_numeric_values() {
    let sav = Table::from_sav(SAV, "export.sav").unwrap();
    let csv = Table::from_csv(NUMERIC, "numeric-values.csv").unwrap();
    assert_eq!(sav.format, skafada_qualtrics::FileFormat::Sav);
    assert_eq!(sav.rows.len(), csv.rows.len());
    assert_eq!(
        sav.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6],
        "rows are numbered by case"
    );
    assert!(sav.columns.iter().all(|c| c.import_id.is_none()));
    let mut compared = 0;
    for (position, column) in csv.columns.iter().enumerate() {
        let name = match column.name.as_str() {
            "Duration (in seconds)" => "Duration__in_seconds_",
            // Split into one column per choice in the .sav; compared through the import.
            "Q35a" => continue,
            name => name,
        };
        let at = sav
            .columns
            .iter()
            .position(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name} is a column of the .sav"));
        for (sav_row, csv_row) in sav.rows.iter().zip(&csv.rows) {
            // SPSS pads strings with spaces and the reader trims them.
            let expected = csv_row.cells[position].trim_end_matches(' ');
            assert_eq!(sav_row.cells[at], expected, "{name}, case {}", sav_row.line);
            compared += 1;
        }
    }
    assert_eq!(compared, 48 * 6);
    // Dates and times, numbers and the line break read as Qualtrics' CSV writes them.
    let cell = |name: &str, case: usize| {
        let at = sav.columns.iter().position(|c| c.name == name).unwrap();
        sav.rows[case].cells[at].clone()
    };
    assert_eq!(cell("StartDate", 0), "2023-05-15 09:12:03");
    assert_eq!(cell("Q40_2", 0), "-99");
    assert_eq!(cell("Q2d", 0), "Family support worker\nEarly help hub");
    assert_eq!(cell("Q35a_1", 0), "1");
    assert_eq!(cell("Q35a_2", 0), "");
    // A text longer than 255 bytes (an SPSS very long string) is read whole.
    let long = cell("Q99_TEXT", 0);
    assert!(long.len() > 255, "{}", long.len());
    assert!(long.starts_with("Thé training") && long.ends_with("useful later. End."));
}

#[test]
fn personal_columns_of_a_sav_export_are_dropped_and_listed_and_never_written() {
    let imported = import_sav(SAV_MAPPING, SAV).unwrap();
    assert_eq!(
        imported.dropped_columns("export.sav", true),
        vec![
            "IPAddress",
            "RecipientLastName",
            "RecipientFirstName",
            "RecipientEmail",
            "ExternalReference",
            "LocationLatitude",
            "LocationLongitude",
        ]
    );
    let other = imported.dropped_columns("export.sav", false);
    assert!(other.contains(&"Duration__in_seconds_") && other.contains(&"Q99_TEXT"));
    let files = written(&imported);
    let all = [
        files.manifest,
        files.sites,
        files.pre,
        files.post.unwrap_or_default(),
        files.codebook,
    ]
    .join("\n");
    for personal in [
        "81.2.69.160",
        "2001:db8",
        "jo.bloggs",
        "Bloggs",
        "EMP-0042",
        "53.7632",
        "-2.7044",
        "R_1qWx8dT2sLkP3aZ",
        "ks-7731",
    ] {
        assert!(!all.contains(personal), "{personal} was written");
    }
}

#[test]
fn a_sav_export_with_a_choice_text_mapping_is_refused_asking_for_codes() {
    let labels = SAV_MAPPING.replace("values = \"codes\"", "values = \"labels\"");
    let error = import_sav(&labels, SAV).unwrap_err().to_string();
    assert!(
        error.starts_with(
            "mapping-sav.toml: export.sav is an SPSS file, whose choice cells hold numeric values: set values = \"codes\" in the mapping"
        ),
        "{error}"
    );
    assert!(error.contains("cut to 120 bytes"), "{error}");
}

#[test]
fn spss_files_are_told_by_their_first_bytes() {
    assert!(is_sav(SAV));
    assert!(is_sav(b"$FL3...."));
    assert!(!is_sav(NUMERIC.as_bytes()));
    assert!(check_sav(SAV, "export.sav").is_ok());
}

#[test]
fn truncated_sav_files_are_refused_saying_where_the_file_ends() {
    let message = refusal(&SAV[..100]);
    assert!(
        message.starts_with("damaged.sav: the file is 100 bytes long, shorter than an SPSS file's 176-byte header; the SPSS file is damaged or incomplete: export it from Qualtrics again"),
        "{message}"
    );
    // Inside a variable record.
    let message = refusal(&SAV[..190]);
    assert!(
        message
            .contains("a variable record at byte 188 needs 4 bytes, but the file ends at byte 190"),
        "{message}"
    );
    // Just before the terminator.
    let message = refusal(&SAV[..terminator()]);
    assert!(
        message.contains("the dictionary has no terminator record (type 999)"),
        "{message}"
    );
    // Inside the cases: the header's case count no longer fits.
    let message = refusal(&SAV[..SAV.len() - 2000]);
    assert!(
        message.contains("the header says the file holds 6 cases, each needing at least 280 bytes, but only 864 bytes of data follow the dictionary"),
        "{message}"
    );
}

#[test]
fn a_sav_file_with_a_corrupted_header_is_refused() {
    let mut bytes = SAV.to_vec();
    bytes[..4].copy_from_slice(b"$FLX");
    assert!(refusal(&bytes).contains("does not start with `$FL2` or `$FL3`"));

    let mut bytes = SAV.to_vec();
    put_i32(&mut bytes, 64, 0x0101_0101);
    let message = refusal(&bytes);
    assert!(
        message.contains("the header's layout code (16843009) is neither 2 nor 3"),
        "{message}"
    );

    let mut bytes = SAV.to_vec();
    put_i32(&mut bytes, 72, 7);
    let message = refusal(&bytes);
    assert!(
        message.contains("the header's compression code (7) is not 0, 1 or 2"),
        "{message}"
    );

    let mut bytes = SAV.to_vec();
    put_i32(&mut bytes, 68, 1_000_000);
    let message = refusal(&bytes);
    assert!(
        message.contains(
            "the header says each case holds 1000000 values, but the dictionary defines 277"
        ),
        "{message}"
    );
}

#[test]
fn an_extension_record_whose_size_times_count_is_huge_is_refused() {
    let at = integer_info();
    let mut bytes = SAV.to_vec();
    put_i32(&mut bytes, at + 8, i32::MAX);
    put_i32(&mut bytes, at + 12, i32::MAX);
    let message = refusal(&bytes);
    assert!(
        message.contains(&format!(
            "the extension record (type 7, subtype 3) at byte {} needs 4611686014132420609 bytes, but the file ends at byte 16356",
            at + 16
        )),
        "{message}"
    );
    // A negative size: the SPSS reader (ambers 0.4.6) multiplies it, as a huge unsigned
    // number, by the count, and the overflow panics (checked by hand without the pre-scan).
    let mut bytes = SAV.to_vec();
    put_i32(&mut bytes, at + 8, -1);
    let message = refusal(&bytes);
    assert!(
        message.contains(&format!(
            "an extension record's item size at byte {} is negative (-1)",
            at + 8
        )),
        "{message}"
    );
    // Plausible lengths, but not those of its subtype: the reader would lose its place.
    let mut bytes = SAV.to_vec();
    put_i32(&mut bytes, at + 12, 4);
    let message = refusal(&bytes);
    assert!(
        message.contains("declares 4 items of 4 bytes where SPSS writes 8 of 4"),
        "{message}"
    );
}

#[test]
fn a_huge_case_count_is_refused_as_more_than_the_file_holds() {
    let mut bytes = SAV.to_vec();
    put_i32(&mut bytes, 80, i32::MAX);
    let message = refusal(&bytes);
    assert!(
        message.contains("the header says the file holds 2147483647 cases of 277 values each, more than the importer reads (1024 MiB of values)"),
        "{message}"
    );
    let mut bytes = SAV.to_vec();
    put_i32(&mut bytes, 80, 100_000);
    let message = refusal(&bytes);
    assert!(
        message.contains("the header says the file holds 100000 cases, each needing at least 280 bytes, but only 2864 bytes of data follow the dictionary"),
        "{message}"
    );
    let mut bytes = SAV.to_vec();
    put_i32(&mut bytes, 80, -1);
    let message = refusal(&bytes);
    assert!(
        message.contains("the header does not give the number of cases (it says -1)"),
        "{message}"
    );
    // More cases than the compressed data hold, though within the bound: the reader
    // finds fewer, and the import says so rather than dropping them silently.
    let mut bytes = SAV.to_vec();
    put_i32(&mut bytes, 80, 7);
    let message = Table::from_sav(&bytes, "damaged.sav")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("the header says the file holds 7 cases but 6 could be read"),
        "{message}"
    );
}

#[test]
fn a_length_running_past_the_end_of_the_file_is_refused() {
    // StartDate's label length (the first variable record, at byte 176, has a label).
    let mut bytes = SAV.to_vec();
    put_i32(&mut bytes, 208, 0x7fff_0000);
    let message = refusal(&bytes);
    assert!(
        message.contains(
            "a variable label at byte 212 needs 2147418112 bytes, but the file ends at byte 16356"
        ),
        "{message}"
    );
    let mut bytes = SAV.to_vec();
    put_i32(&mut bytes, 208, -8);
    assert!(refusal(&bytes).contains("a variable label's length at byte 208 is negative (-8)"));
    // A record type that does not exist, where the terminator was.
    let mut bytes = SAV.to_vec();
    let at = terminator();
    put_i32(&mut bytes, at, 5);
    let message = refusal(&bytes);
    assert!(
        message.contains(&format!(
            "the record at byte {at} has type 5, which is not an SPSS dictionary record"
        )),
        "{message}"
    );
}

/// The offset of a file's data: the end of its dictionary.
fn data_start(bytes: &[u8]) -> usize {
    find(bytes, &[0xe7, 3, 0, 0, 0, 0, 0, 0]) + 8
}

fn put_i64(bytes: &mut [u8], at: usize, value: i64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

#[test]
fn uncompressed_and_zlib_compressed_files_read_as_the_bytecode_compressed_one() {
    let sav = Table::from_sav(SAV, "export.sav").unwrap();
    for bytes in [UNCOMPRESSED, ZSAV] {
        let other = Table::from_sav(bytes, "export.sav").unwrap();
        assert_eq!(other, sav);
    }
}

#[test]
fn an_uncompressed_file_whose_size_does_not_fit_its_case_count_is_refused() {
    let mut longer = UNCOMPRESSED.to_vec();
    longer.extend_from_slice(&[0; 8]);
    let message = refusal(&longer);
    assert!(
        message.contains("8 bytes follow the last of the 6 cases the header declares"),
        "{message}"
    );
    let mut more = UNCOMPRESSED.to_vec();
    put_i32(&mut more, 80, 7);
    let message = refusal(&more);
    assert!(
        message.contains("the header says the file holds 7 cases, each needing at least 2216 bytes, but only 13296 bytes of data follow the dictionary"),
        "{message}"
    );
}

#[test]
fn a_zsav_whose_zlib_header_or_block_index_points_outside_the_file_is_refused() {
    let start = data_start(ZSAV);
    let trailer = i64::from_le_bytes(ZSAV[start + 8..start + 16].try_into().unwrap()) as usize;

    let mut bytes = ZSAV.to_vec();
    put_i64(&mut bytes, start + 8, i64::MAX);
    let message = refusal(&bytes);
    assert!(
        message.contains(&format!(
            "the zlib trailer's offset (9223372036854775807) lies outside the file ({} bytes)",
            ZSAV.len()
        )),
        "{message}"
    );

    let mut bytes = ZSAV.to_vec();
    put_i64(&mut bytes, start, 0);
    let message = refusal(&bytes);
    assert!(
        message.contains(&format!(
            "the zlib header at byte {start} gives its own offset as 0"
        )),
        "{message}"
    );

    // The first block's uncompressed size, past what its compressed bytes can hold.
    let mut bytes = ZSAV.to_vec();
    put_i32(&mut bytes, trailer + 24 + 16, i32::MAX);
    let message = refusal(&bytes);
    assert!(
        message.contains("declares 2147483647 bytes uncompressed, more than its"),
        "{message}"
    );

    // Its compressed bytes, past the block index.
    let mut bytes = ZSAV.to_vec();
    put_i32(&mut bytes, trailer + 24 + 20, 0x7fff_0000);
    let message = refusal(&bytes);
    assert!(
        message.contains("does not lie between the zlib header and trailer"),
        "{message}"
    );

    // A compression bias whose absolute value overflows: the SPSS reader (ambers 0.4.6)
    // panics on it; found by the fuzz test, whose catch_unwind caught the panic.
    let mut bytes = ZSAV.to_vec();
    put_i64(&mut bytes, trailer, i64::MIN);
    let message = refusal(&bytes);
    assert!(
        message.contains(&format!(
            "the zlib trailer at byte {trailer} gives a compression bias of -9223372036854775808"
        )),
        "{message}"
    );

    // A block count the trailer's length does not hold.
    let mut bytes = ZSAV.to_vec();
    put_i32(&mut bytes, trailer + 20, i32::MAX);
    let message = refusal(&bytes);
    assert!(
        message.contains("lists 2147483647 blocks but is"),
        "{message}"
    );
}
