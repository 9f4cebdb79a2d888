//! Downloads sent from an unnamed temporary file instead of from memory.
//!
//! A whole study's export runs to tens or hundreds of megabytes at a national roll-out's
//! size. It is written to an unnamed temporary file (it has no name in any folder, and the
//! system frees it when it is closed, even if the server is killed, so no file holding the
//! records is left behind; the records are in the database anyway), and
//! the response's body reads the file a chunk at a time as the client takes it: the
//! server holds one chunk per download, not the file.

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use tokio::io::{AsyncRead, ReadBuf};

/// How much of the file one frame of the body carries.
const CHUNK: usize = 64 * 1024;

/// An unnamed temporary file to write a download into.
///
/// # Errors
/// When the system's temporary folder cannot be written.
pub(crate) fn temporary_file() -> std::io::Result<File> {
    tempfile::tempfile()
}

/// The whole of `file`, from its start, as a response body whose exact length is known
/// (so the response carries `Content-Length` and the browser can show progress).
///
/// # Errors
/// When the file cannot be measured or rewound.
pub(crate) fn file_body(mut file: File) -> std::io::Result<Body> {
    let length = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(0))?;
    Ok(Body::new(FileBody {
        file: tokio::fs::File::from_std(file),
        remaining: length,
        chunk: vec![0; CHUNK].into_boxed_slice(),
    }))
}

/// A file's bytes as they are read (each read on tokio's blocking threads, so a slow
/// client holds no thread while it is not reading).
struct FileBody {
    file: tokio::fs::File,
    /// Bytes not yet sent.
    remaining: u64,
    chunk: Box<[u8]>,
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let wanted = usize::try_from(this.remaining).map_or(CHUNK, |left| left.min(CHUNK));
        let mut buffer = ReadBuf::new(&mut this.chunk[..wanted]);
        ready!(Pin::new(&mut this.file).poll_read(cx, &mut buffer))?;
        let read = buffer.filled();
        if read.is_empty() {
            // The file is shorter than it was when the response's length was set.
            return Poll::Ready(Some(Err(std::io::ErrorKind::UnexpectedEof.into())));
        }
        this.remaining -= read.len() as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::copy_from_slice(read)))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use http_body::Body as _;

    use super::*;

    #[tokio::test]
    async fn a_file_body_sends_the_whole_file_in_chunks_with_its_exact_length() {
        // Three chunks and a part, so the last frame is a short one.
        let content: Vec<u8> = (0..CHUNK * 3 + 1234).map(|i| (i % 251) as u8).collect();
        let mut file = temporary_file().unwrap();
        file.write_all(&content).unwrap();
        let body = file_body(file).unwrap();
        assert_eq!(body.size_hint().exact(), Some(content.len() as u64));
        let mut frames = 0;
        let mut received = Vec::new();
        let mut body = body;
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            received.extend_from_slice(frame.unwrap().data_ref().unwrap());
            frames += 1;
        }
        assert_eq!(frames, 4);
        assert_eq!(received, content);
    }

    #[tokio::test]
    async fn an_empty_file_is_an_empty_body() {
        let body = file_body(temporary_file().unwrap()).unwrap();
        assert!(body.is_end_stream());
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        assert!(bytes.is_empty());
    }
}
