//! Following `nextToken` through every page of a list call.

use std::future::Future;

use super::Result;

/// A list request whose page token can be set.
pub(super) trait Paged: Clone {
    fn set_next_token(&mut self, token: String);
}

/// Calls `fetch` with `request`, then again with each page's `nextToken`, until a page comes
/// without one, and returns every item in order. `fetch` answers `(items, next_token)`.
pub(super) async fn all_pages<Request, Item, Page>(
    mut request: Request,
    mut fetch: impl FnMut(Request) -> Page,
) -> Result<Vec<Item>>
where
    Request: Paged,
    Page: Future<Output = Result<(Vec<Item>, String)>>,
{
    let mut items = Vec::new();
    loop {
        let (page, next_token) = fetch(request.clone()).await?;
        items.extend(page);
        if next_token.is_empty() {
            return Ok(items);
        }
        request.set_next_token(next_token);
    }
}

macro_rules! paged {
    ($($request:ty),* $(,)?) => {
        $(impl Paged for $request {
            fn set_next_token(&mut self, token: String) {
                self.next_token = token;
            }
        })*
    };
}

paged!(
    cairn_proto::v1::ListStateMachinesRequest,
    cairn_proto::v1::ListExecutionsRequest,
    cairn_proto::v1::GetExecutionHistoryRequest,
    cairn_proto::v1::ListActivitiesRequest,
);
