//! The string to sign: `{algorithm}\n{x-amz-date}\n{scope}\n{hex(sha256(canonical request))}`,
//! the algorithm being `AWS4-HMAC-SHA256` (SigV4) or `AWS4-ECDSA-P256-SHA256` (SigV4a, whose
//! scope has no region).

use crate::ascii::Hex64;
use crate::time::AmzDate;

/// The algorithm name.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The string to sign's first line.
pub(crate) const ALGORITHM_LINE: &str = "AWS4-HMAC-SHA256\n";

/// The credential scope `date/region/service/aws4_request` (SigV4) or
/// `date/service/aws4_request` (SigV4a: `region` is `None`), written where it is needed.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'s> {
    pub(crate) date: &'s str,
    pub(crate) region: Option<&'s str>,
    pub(crate) service: &'s str,
    /// What follows the date (`/{region}/{service}/aws4_request`) when its owner (a signer)
    /// wrote it once; `None`: written from the parts.
    pub(crate) tail: Option<&'s str>,
}

const TERMINATOR: &str = "/aws4_request";

impl Scope<'_> {
    pub(crate) fn len(&self) -> usize {
        if let Some(tail) = self.tail {
            return self.date.len() + tail.len();
        }
        self.date.len()
            + self.region.map_or(0, |r| 1 + r.len())
            + 1
            + self.service.len()
            + TERMINATOR.len()
    }

    pub(crate) fn push_to(&self, out: &mut String) {
        out.push_str(self.date);
        if let Some(tail) = self.tail {
            out.push_str(tail);
            return;
        }
        if let Some(region) = self.region {
            out.push('/');
            out.push_str(region);
        }
        out.push('/');
        out.push_str(self.service);
        out.push_str(TERMINATOR);
    }

    /// The scope after its date, ending the string to sign's scope line:
    /// `/{region}/{service}/aws4_request\n` (or `/{service}/aws4_request\n`).
    pub(crate) fn tail_line(&self) -> String {
        let mut line = Scope {
            date: "",
            tail: None,
            ..*self
        }
        .owned();
        line.push('\n');
        line
    }

    pub(crate) fn owned(self) -> String {
        let mut s = String::with_capacity(self.len());
        self.push_to(&mut s);
        s
    }
}

/// The string to sign's first three lines (its "head") for `algorithm`, with room for the last
/// line.
pub(crate) fn sts_head(algorithm: &str, amz_date: &str, scope: Scope<'_>) -> String {
    let mut sts = String::with_capacity(sts_head_len(algorithm, scope) + 64);
    write_sts_head(&mut sts, algorithm, amz_date, scope);
    sts
}

/// The length of [`sts_head`].
pub(crate) fn sts_head_len(algorithm: &str, scope: Scope<'_>) -> usize {
    algorithm.len() + 1 + 16 + 1 + scope.len() + 1
}

/// Appends [`sts_head`] to `out`.
pub(crate) fn write_sts_head(out: &mut String, algorithm: &str, amz_date: &str, scope: Scope<'_>) {
    out.push_str(algorithm);
    out.push('\n');
    out.push_str(amz_date);
    out.push('\n');
    scope.push_to(out);
    out.push('\n');
}

/// A SigV4 string to sign for [`crate::key::SigningKey`]'s MAC, as a verifier builds it: on the
/// stack, from its first two lines and the scope's date (copied at fixed lengths), the scope
/// after its date (written once per verifier, [`Scope::tail_line`]) and the canonical request's
/// hash. A scope too long for the buffer is MACed in those three pieces instead.
pub(crate) struct StringToSign<'a> {
    /// The whole string (`len` bytes), or its first [`HEAD_LEN`] bytes when it does not fit.
    buf: [u8; STS_BUF],
    len: usize,
    scope_tail_line: &'a [u8],
    canonical_request_hash: &'a [u8],
}

/// `AWS4-HMAC-SHA256\n`, the amz date, `\n`, the scope's date.
const HEAD_LEN: usize = ALGORITHM_LINE.len() + 16 + 1 + 8;

/// Room for the head (42 bytes), a scope tail of up to 86 bytes and the hash: three SHA-256
/// blocks.
const STS_BUF: usize = 192;

impl<'a> StringToSign<'a> {
    /// `scope_tail_line` is [`Scope::tail_line`] of the scope whose date is `amz_date`'s.
    pub(crate) fn new(
        amz_date: &AmzDate,
        scope_tail_line: &'a str,
        canonical_request_hash: &'a Hex64,
    ) -> StringToSign<'a> {
        const AT: usize = ALGORITHM_LINE.len();
        let amz = amz_date.as_bytes();
        let (tail, hash) = (
            scope_tail_line.as_bytes(),
            canonical_request_hash.as_bytes(),
        );
        let mut buf = [0u8; STS_BUF];
        buf[..AT].copy_from_slice(ALGORITHM_LINE.as_bytes());
        buf[AT..AT + 16].copy_from_slice(amz);
        buf[AT + 16] = b'\n';
        buf[AT + 17..HEAD_LEN].copy_from_slice(&amz[..8]);
        let mut len = HEAD_LEN;
        if let Some(rest) = buf.get_mut(HEAD_LEN..HEAD_LEN + tail.len() + 64) {
            rest[..tail.len()].copy_from_slice(tail);
            rest[tail.len()..].copy_from_slice(hash);
            len += tail.len() + 64;
        }
        StringToSign {
            buf,
            len,
            scope_tail_line: tail,
            canonical_request_hash: hash,
        }
    }

    /// Calls `mac` with the string's pieces: one, or three when the scope was too long.
    pub(crate) fn with_parts<R>(&self, mac: impl FnOnce(&[&[u8]]) -> R) -> R {
        if self.len > HEAD_LEN {
            mac(&[&self.buf[..self.len]])
        } else {
            mac(&[
                &self.buf[..HEAD_LEN],
                self.scope_tail_line,
                self.canonical_request_hash,
            ])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    /// The pieces a verifier MACs are the string a signer writes, with and without a region.
    #[test]
    fn pieces_concatenate_to_the_written_string() {
        let amz = Timestamp::parse_amz_date("20150830T123600Z")
            .unwrap_or_else(|e| panic!("{e}"))
            .amz();
        let hash = Hex64::parse("816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0")
            .unwrap_or_else(|| panic!("hex"));
        for region in [Some("us-east-1"), None] {
            let scope = Scope {
                date: amz.date(),
                region,
                service: "service",
                tail: None,
            };
            // A tail written once gives the same scope.
            let tail = Scope { date: "", ..scope }.owned();
            let with_tail = Scope {
                tail: Some(&tail),
                ..scope
            };
            assert_eq!(with_tail.owned(), scope.owned());
            assert_eq!(with_tail.len(), scope.owned().len());
            let mut written = sts_head(ALGORITHM, amz.as_str(), scope);
            written.push_str(hash.as_str());
            let tail = scope.tail_line();
            let pieces = StringToSign::new(&amz, &tail, &hash);
            assert_eq!(pieces.with_parts(|p| p.concat()), written.as_bytes());
        }
        // A scope too long for the stack buffer: MACed in pieces, the same string.
        let service = "s".repeat(100);
        let scope = Scope {
            date: amz.date(),
            region: Some("us-east-1"),
            service: &service,
            tail: None,
        };
        let mut written = sts_head(ALGORITHM, amz.as_str(), scope);
        written.push_str(hash.as_str());
        let tail = scope.tail_line();
        let pieces = StringToSign::new(&amz, &tail, &hash);
        assert_eq!(pieces.with_parts(|p| p.len()), 3);
        assert_eq!(pieces.with_parts(|p| p.concat()), written.as_bytes());
        for (region, n) in [(Some("us-east-1"), 1), (None, 1)] {
            let scope = Scope {
                date: amz.date(),
                region,
                service: "service",
                tail: None,
            };
            let tail = scope.tail_line();
            assert_eq!(
                StringToSign::new(&amz, &tail, &hash).with_parts(|p| p.len()),
                n
            );
        }
    }
}
