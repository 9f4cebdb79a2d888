//! The SPSS system file.

use skafada_analysis::data::{Responses, Site};
use skafada_instrument::Instrument;

use crate::{ExportError, ExportOptions};

/// Writes an SPSS system file (placeholder).
pub fn to_sav(
    _instrument: &Instrument,
    _responses: &Responses,
    _sites: &[Site],
    _options: &ExportOptions,
) -> Result<Vec<u8>, ExportError> {
    Err(ExportError::Sav("not yet".into()))
}
