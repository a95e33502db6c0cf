//! The string to sign: `{algorithm}\n{x-amz-date}\n{scope}\n{hex(sha256(canonical request))}`,
//! the algorithm being `AWS4-HMAC-SHA256` (SigV4) or `AWS4-ECDSA-P256-SHA256` (SigV4a, whose
//! scope has no region).

use crate::time::AmzDate;

/// The algorithm name.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The credential scope `date/region/service/aws4_request` (SigV4) or
/// `date/service/aws4_request` (SigV4a: `region` is `None`), written where it is needed.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'s> {
    pub(crate) date: &'s str,
    pub(crate) region: Option<&'s str>,
    pub(crate) service: &'s str,
}

const TERMINATOR: &str = "/aws4_request";

impl Scope<'_> {
    pub(crate) fn len(&self) -> usize {
        self.date.len()
            + self.region.map_or(0, |r| 1 + r.len())
            + 1
            + self.service.len()
            + TERMINATOR.len()
    }

    pub(crate) fn push_to(&self, out: &mut String) {
        out.push_str(self.date);
        if let Some(region) = self.region {
            out.push('/');
            out.push_str(region);
        }
        out.push('/');
        out.push_str(self.service);
        out.push_str(TERMINATOR);
    }

    pub(crate) fn owned(self) -> String {
        let mut s = String::with_capacity(self.len());
        self.push_to(&mut s);
        s
    }
}

/// The string to sign's first three lines (its "head") for `algorithm`, with room for the last
/// line.
pub(crate) fn sts_head(algorithm: &str, amz_date: &AmzDate, scope: Scope<'_>) -> String {
    let head_len = algorithm.len() + 1 + amz_date.as_str().len() + 1 + scope.len() + 1;
    let mut sts = String::with_capacity(head_len + 64);
    sts.push_str(algorithm);
    sts.push('\n');
    sts.push_str(amz_date.as_str());
    sts.push('\n');
    scope.push_to(&mut sts);
    sts.push('\n');
    sts
}
