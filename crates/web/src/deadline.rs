//! A deadline for reading a request's body.
//!
//! hyper's header read timeout (see [`crate::serve`]) ends connections that are slow to
//! send a request's headers; nothing in hyper or axum limits how slowly the body may
//! follow, so a client could hold a connection for days sending a form a byte at a time.
//! The body of every request is given a deadline: once it passes, reading the body fails,
//! the form is refused as a bad form (400), and hyper closes the connection because the
//! body was not read to its end.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};

/// Why a body stopped being read.
#[derive(Debug, thiserror::Error)]
#[error("the request body was not received in time")]
struct TooSlow;

/// A body that fails once its deadline has passed.
struct Deadline {
    inner: Body,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for Deadline {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        // The body first: a body that is all there is read even if the deadline is due.
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Pending => match this.sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(axum::Error::new(TooSlow)))),
                Poll::Pending => Poll::Pending,
            },
            ready => ready,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Gives the request's body `timeout` from now to arrive.
pub(crate) async fn body_deadline(
    State(timeout): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, inner) = request.into_parts();
    let body = Body::new(Deadline {
        inner,
        sleep: Box::pin(tokio::time::sleep(timeout)),
    });
    next.run(Request::from_parts(parts, body)).await
}
