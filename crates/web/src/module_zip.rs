//! A training module's files as a ZIP archive: written when a study's module is
//! downloaded, read when a study is created from uploaded files.
//!
//! Reading never trusts the archive: paths that would leave the folder are refused, and
//! the number of files and their unpacked size are capped, so a small upload cannot
//! unpack into gigabytes.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::Component;

/// The most files a module archive may hold.
pub(crate) const MAX_FILES: usize = 2_000;
/// The most bytes a module archive may unpack to.
pub(crate) const MAX_UNPACKED: u64 = 32 * 1024 * 1024;

/// Why an uploaded archive was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum UnpackError {
    /// Not a ZIP archive, or a damaged one.
    #[error("The training module must be a ZIP file of the module's folder")]
    NotZip,
    /// A path that would be outside the folder.
    #[error("The training module's ZIP file has a file outside its folder: {0}")]
    OutsideFolder(String),
    /// Too many files or too large unpacked.
    #[error("The training module's ZIP file is too large: at most 2,000 files and 32 MB unpacked")]
    TooLarge,
    /// No `module.toml` at the top of the folder.
    #[error("The training module's ZIP file has no module.toml at the top of its folder")]
    NoManifest,
}

/// A module's name made safe as a folder and file name: the last part of what was sent
/// (a browser may send a whole path), keeping only letters, digits, `-`, `_` and inner
/// dots, so that it can never climb out of a folder when unzipped.
pub(crate) fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = last
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let trimmed = kept.trim_matches('.');
    if trimmed.is_empty() {
        "training-module".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The files of a module folder as a ZIP archive whose entries sit in folder `top`
/// (made safe with [`safe_name`]).
pub(crate) fn pack(top: &str, files: &BTreeMap<String, String>) -> std::io::Result<Vec<u8>> {
    let top = safe_name(top);
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (path, text) in files {
        writer
            .start_file(format!("{top}/{path}"), options)
            .map_err(std::io::Error::other)?;
        writer.write_all(text.as_bytes())?;
    }
    Ok(writer.finish().map_err(std::io::Error::other)?.into_inner())
}

/// A module folder from a ZIP archive: its name (the folder the archive holds, when it
/// holds one) and its text files by path within the folder, as
/// [`crate::read_module_folder`] reads a folder on disk. Files that are not UTF-8 text
/// and hidden files (starting with `.`, and macOS's `__MACOSX` folder) are left out.
pub(crate) fn unpack(
    bytes: &[u8],
) -> Result<(Option<String>, BTreeMap<String, String>), UnpackError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| UnpackError::NotZip)?;
    if archive.len() > MAX_FILES {
        return Err(UnpackError::TooLarge);
    }
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut unpacked: u64 = 0;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|_| UnpackError::NotZip)?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let Some(path) = entry.enclosed_name() else {
            return Err(UnpackError::OutsideFolder(name));
        };
        let parts: Vec<String> = path
            .components()
            .filter_map(|c| match c {
                Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        if entry.is_dir()
            || parts.is_empty()
            || parts.iter().any(|p| p.starts_with('.') || p == "__MACOSX")
        {
            continue;
        }
        let mut data = Vec::new();
        // Read one byte past what is left, to notice an entry larger than it says.
        let allowance = MAX_UNPACKED - unpacked;
        (&mut entry)
            .take(allowance + 1)
            .read_to_end(&mut data)
            .map_err(|_| UnpackError::NotZip)?;
        unpacked += data.len() as u64;
        if unpacked > MAX_UNPACKED {
            return Err(UnpackError::TooLarge);
        }
        if let Ok(text) = String::from_utf8(data) {
            files.insert(parts.join("/"), text);
        }
    }
    if files.contains_key("module.toml") {
        return Ok((None, files));
    }
    // A zipped folder: every path starts with the folder's name.
    let tops: std::collections::BTreeSet<&str> = files
        .keys()
        .filter_map(|path| path.split_once('/').map(|(top, _)| top))
        .collect();
    let [top] = tops.into_iter().collect::<Vec<_>>()[..] else {
        return Err(UnpackError::NoManifest);
    };
    let top = top.to_owned();
    let prefix = format!("{top}/");
    if files.keys().any(|path| !path.starts_with(&prefix)) {
        return Err(UnpackError::NoManifest);
    }
    let inner: BTreeMap<String, String> = files
        .into_iter()
        .filter_map(|(path, text)| Some((path.strip_prefix(&prefix)?.to_owned(), text)))
        .collect();
    if !inner.contains_key("module.toml") {
        return Err(UnpackError::NoManifest);
    }
    Ok((Some(top), inner))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn module() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("module.toml".to_owned(), "id = \"m\"\n".to_owned()),
            (
                "sections/one.md".to_owned(),
                "# One\n\nÀ bientôt.\n".to_owned(),
            ),
        ])
    }

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn a_module_name_never_climbs_out_of_its_folder() {
        assert_eq!(safe_name("../../etc/evil"), "evil");
        assert_eq!(safe_name("C:\\Users\\me\\my module.zip"), "mymodule.zip");
        assert_eq!(safe_name(".."), "training-module");
        assert_eq!(safe_name("skafada-prototype"), "skafada-prototype");
        let bytes = pack("../../x", &module()).unwrap();
        assert_eq!(unpack(&bytes).unwrap().0.as_deref(), Some("x"));
    }

    #[test]
    fn a_packed_module_unpacks_to_the_same_files_and_folder_name() {
        let bytes = pack("my-module", &module()).unwrap();
        assert_eq!(
            unpack(&bytes).unwrap(),
            (Some("my-module".to_owned()), module())
        );
    }

    #[test]
    fn an_archive_of_the_folder_contents_unpacks_without_a_folder_name() {
        let bytes = archive(&[
            ("module.toml", b"id = \"m\"\n"),
            ("sections/one.md", "# One\n\nÀ bientôt.\n".as_bytes()),
            ("__MACOSX/._module.toml", b"junk"),
            (".DS_Store", b"junk"),
        ]);
        assert_eq!(unpack(&bytes).unwrap(), (None, module()));
    }

    #[test]
    fn paths_outside_the_folder_and_archives_without_a_manifest_are_refused() {
        let escaping = archive(&[("../evil.md", b"x"), ("module.toml", b"")]);
        assert_eq!(
            unpack(&escaping),
            Err(UnpackError::OutsideFolder("../evil.md".to_owned()))
        );
        let no_manifest = archive(&[("a/sections/one.md", b"x")]);
        assert_eq!(unpack(&no_manifest), Err(UnpackError::NoManifest));
        assert_eq!(unpack(b"not a zip"), Err(UnpackError::NotZip));
    }

    #[test]
    fn an_archive_that_unpacks_past_the_limit_is_refused() {
        let big = vec![b'a'; usize::try_from(MAX_UNPACKED).unwrap() + 1];
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        writer.start_file("module.toml", options).unwrap();
        writer.write_all(&big).unwrap();
        let bytes = writer.finish().unwrap().into_inner();
        assert!(
            bytes.len() < 1024 * 1024,
            "compressed to {} bytes",
            bytes.len()
        );
        assert_eq!(unpack(&bytes), Err(UnpackError::TooLarge));
    }
}
