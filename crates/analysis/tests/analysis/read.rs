//! Reading response files from a stream: the same records as from text, whatever the
//! stream's pieces, the line count it was given, or the cells' forms.

use std::io::Read;

use skafada_analysis::data::{
    DataError, Dataset, ExportParts, FolderTexts, MISSING, ResponseFile, Responses,
};
use skafada_analysis::synthetic::{self, Options};

use skafada_analysis::data::Site;

use super::pre_instrument;

/// The sites of the synthetic study.
fn sites() -> Vec<Site> {
    synthetic::sites(Options::default().sites)
}

/// A synthetic export's header and its first record with no quoted cell, cut into cells.
fn header_and_plain_record(csv: &str) -> (String, Vec<String>) {
    let mut lines = csv.lines();
    let header = lines.next().unwrap().to_owned();
    let fields = header.split(',').count();
    let record = lines
        .find(|line| !line.contains('"') && line.split(',').count() == fields)
        .unwrap();
    (header, record.split(',').map(str::to_owned).collect())
}

/// A reader that hands out at most `piece` bytes a call, so that records and cells are
/// split across the CSV reader's refills.
struct Pieces<'a> {
    bytes: &'a [u8],
    piece: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.piece.min(out.len()).min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// A synthetic study of `records` pre-training responses on the SKAFADA instrument, with
/// every cleaning reason, routing and free text, as an export's `pre.csv`.
fn synthetic_pre(records: usize) -> (Responses, String) {
    let instrument = pre_instrument();
    let options = Options {
        responses: records,
        ..Options::default()
    };
    let data = synthetic::dataset(&instrument, None, "pre.toml", "post.toml", &options);
    let csv = data.pre.to_csv(&instrument, &data.sites).unwrap();
    (data.pre, csv)
}

#[test]
fn a_stream_in_small_pieces_with_a_wrong_line_count_reads_every_record_exactly() {
    // More than two batches of records between the reading threads (1,024 each) and
    // many blocks of pending cells (256 each), with a last part-batch and part-block.
    let (written, csv) = synthetic_pre(2_300);
    let instrument = pre_instrument();
    let sites = sites();
    let from_text = Responses::from_csv(&csv, "pre.csv", &instrument, &sites).unwrap();
    assert_eq!(from_text, written);
    for (piece, lines) in [(1, 0), (7, 3), (4096, 10_000)] {
        let stream = Pieces {
            bytes: csv.as_bytes(),
            piece,
        };
        let read = Responses::read_csv(
            ResponseFile::stream(stream, lines),
            "pre.csv",
            &instrument,
            &sites,
        )
        .unwrap();
        assert_eq!(read, written, "pieces of {piece} bytes, {lines} lines said");
    }
}

/// A reader that fails once it has handed out `good` bytes.
struct FailsAfter<'a> {
    bytes: &'a [u8],
    good: usize,
}

impl Read for FailsAfter<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.good == 0 {
            return Err(std::io::Error::other("the disk went away"));
        }
        let n = self.good.min(out.len()).min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        self.good -= n;
        Ok(n)
    }
}

#[test]
fn a_stream_that_fails_part_way_is_an_error_not_a_shorter_file() {
    let (_, csv) = synthetic_pre(3_000);
    let stream = FailsAfter {
        bytes: csv.as_bytes(),
        good: csv.len() / 2,
    };
    let error = Responses::read_csv(
        ResponseFile::stream(stream, 0),
        "pre.csv",
        &pre_instrument(),
        &sites(),
    )
    .unwrap_err();
    assert!(
        matches!(&error, DataError::Csv { message, .. } if message.contains("the disk went away")),
        "{error}"
    );
}

#[test]
fn the_first_bad_record_is_reported_though_later_batches_were_read_ahead() {
    let (_, csv) = synthetic_pre(3_000);
    let (header, record) = header_and_plain_record(&csv);
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    // Record 1,500 (in the second batch) has a field too few, and the file's bytes
    // then stop in an error, after a whole batch more has been read ahead.
    let mut short = record.clone();
    short.pop();
    lines[1_500] = short.join(",");
    let text = lines.join("\n");
    let stream = FailsAfter {
        bytes: text.as_bytes(),
        good: text.len() - 10,
    };
    let error = Responses::read_csv(
        ResponseFile::stream(stream, 0),
        "pre.csv",
        &pre_instrument(),
        &sites(),
    )
    .unwrap_err()
    .to_string();
    let fields = header.split(',').count();
    assert_eq!(
        error,
        format!(
            "pre.csv: record 1500 has {} fields, but the header has {fields}",
            fields - 1
        )
    );
}

#[test]
fn cells_that_are_not_plain_digits_are_read_as_text_was_read() {
    let instrument = pre_instrument();
    let (_, csv) = synthetic_pre(20);
    let (header, record) = header_and_plain_record(&csv);
    let names: Vec<&str> = header.split(',').collect();
    let at = |name: &str| names.iter().position(|n| *n == name).unwrap();
    let with = |column: &str, cell: &str| {
        let mut cells = record.clone();
        cells[at(column)] = cell.to_owned();
        format!("{header}\n{}\n", cells.join(","))
    };
    let read = |text: &str| Responses::from_csv(text, "pre.csv", &instrument, &sites());
    let disability =
        |text: &str| read(text).map(|r| r.values("disability").unwrap().get(0).unwrap());
    // Spaces round a code, a plus sign, leading zeros and a blank cell.
    assert_eq!(disability(&with("disability", " 2 ")), Ok(2));
    assert_eq!(disability(&with("disability", "+2")), Ok(2));
    assert_eq!(disability(&with("disability", "0002")), Ok(2));
    assert_eq!(disability(&with("disability", "  ")), Ok(MISSING));
    assert_eq!(
        read(&with("disability", "7")).unwrap_err().to_string(),
        "pre.csv: row 1, column `disability`: 7 is not a code of this question"
    );
    assert_eq!(
        read(&with("disability", "2.0")).unwrap_err().to_string(),
        "pre.csv: row 1, column `disability`: `2.0` is not a whole number"
    );
    assert_eq!(
        read(&with("disability", "99999999999"))
            .unwrap_err()
            .to_string(),
        "pre.csv: row 1, column `disability`: `99999999999` is not a whole number"
    );
    // A year is a number, not a code: any whole number but the missing marker.
    let cases = |text: &str| read(text).map(|r| r.values("cases-held").unwrap().get(0).unwrap());
    assert_eq!(cases(&with("cases-held", "-5")), Ok(-5));
    assert_eq!(cases(&with("cases-held", "123456789")), Ok(123_456_789));
}

#[test]
fn bytes_that_are_not_utf8_are_refused_with_their_row_and_column() {
    let instrument = pre_instrument();
    let (_, csv) = synthetic_pre(20);
    let (header, record) = header_and_plain_record(&csv);
    let names: Vec<&str> = header.split(',').collect();
    let broken = |column: &str| {
        let at = names.iter().position(|n| *n == column).unwrap();
        let mut bytes = header.as_bytes().to_vec();
        bytes.push(b'\n');
        for (i, cell) in record.iter().enumerate() {
            if i > 0 {
                bytes.push(b',');
            }
            if i == at {
                bytes.extend_from_slice(b"2\xff");
            } else {
                bytes.extend_from_slice(cell.as_bytes());
            }
        }
        bytes.push(b'\n');
        let lines = 3;
        Responses::read_csv(
            ResponseFile::stream(std::io::Cursor::new(bytes), lines),
            "pre.csv",
            &instrument,
            &sites(),
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        broken("disability"),
        "pre.csv: row 1, column `disability`: `2\u{fffd}` is not a whole number"
    );
    assert_eq!(
        broken("response_id"),
        "pre.csv: row 1, column `response_id`: is not valid UTF-8 text"
    );
}

#[test]
fn a_streamed_raw_qualtrics_export_is_refused_before_its_columns_are_checked() {
    let instrument = pre_instrument();
    let export = "StartDate,EndDate,Q1\nStart Date,End Date,Gender\n\
                  {\"ImportId\":\"startDate\"},{\"ImportId\":\"endDate\"},{\"ImportId\":\"QID1\"}\n\
                  2024-01-01,2024-01-01,1\n";
    let error = Responses::read_csv(
        ResponseFile::stream(export.as_bytes(), 4),
        "pre.csv",
        &instrument,
        &sites(),
    )
    .unwrap_err();
    assert!(matches!(error, DataError::RawQualtrics { .. }), "{error}");
}

#[test]
fn a_record_with_a_field_too_few_is_refused_with_its_number() {
    let instrument = pre_instrument();
    let (_, csv) = synthetic_pre(20);
    let (header, mut record) = header_and_plain_record(&csv);
    let fields = record.len();
    record.pop();
    let lines = [header, record.join(",")];
    let error = Responses::from_csv(&lines.join("\n"), "pre.csv", &instrument, &sites())
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        format!(
            "pre.csv: record 1 has {} fields, but the header has {fields}",
            fields - 1
        )
    );
}

#[test]
fn a_manifest_naming_a_follow_up_wave_twice_is_refused() {
    let (_, csv) = synthetic_pre(2);
    let manifest = "format = \"skafada-export\"\nversion = 1\nstudy = \"x\"\npre = \"pre.toml\"\n\
                    post = \"post.toml\"\nfollow-up = [\"six-months\", \"six-months\"]\n";
    let sites_csv = skafada_analysis::data::sites_csv(&sites()).unwrap();
    let follow_up = "response_id,respondent_id,site,status,returning,started_on\n";
    let error = Dataset::read(ExportParts {
        folder: FolderTexts {
            manifest,
            sites: &sites_csv,
            pre_instrument: super::PRE,
            post_instrument: Some(super::POST),
        },
        pre: ResponseFile::text(&csv),
        post: None,
        follow_up: vec![
            ("six-months".to_owned(), ResponseFile::text(follow_up)),
            ("six-months".to_owned(), ResponseFile::text(follow_up)),
        ],
        arms: None,
    })
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the manifest names the follow-up wave `six-months` twice"
    );
}
