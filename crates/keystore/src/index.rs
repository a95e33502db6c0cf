//! The non-secret name index of keychain stores (keychains cannot list reliably).
//!
//! A JSON file `{"v":1,"mfa":[…],"creds":[…]}` in the store directory, rewritten atomically
//! under the directory lock.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fsutil::{ensure_private_dir, write_atomic};
use crate::{Error, RecordKind};

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Index {
    v: u32,
    #[serde(default)]
    mfa: BTreeSet<String>,
    #[serde(default)]
    creds: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    session: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    role: BTreeSet<String>,
}

impl Index {
    pub(crate) fn load(path: &Path) -> Result<Index, Error> {
        match std::fs::read(path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| Error::Corrupt {
                store: format!("index {}", path.display()),
                what: format!("not an iamkit index: {e}"),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Index {
                v: 1,
                ..Index::default()
            }),
            Err(e) => Err(Error::io("read", path, e)),
        }
    }

    pub(crate) fn save(&self, path: &Path) -> Result<(), Error> {
        if let Some(dir) = path.parent() {
            ensure_private_dir(dir)?;
        }
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::Corrupt {
            store: format!("index {}", path.display()),
            what: e.to_string(),
        })?;
        write_atomic(path, &bytes)
    }

    pub(crate) fn names(&self, kind: RecordKind) -> &BTreeSet<String> {
        match kind {
            RecordKind::Mfa => &self.mfa,
            RecordKind::Creds => &self.creds,
            RecordKind::Session => &self.session,
            RecordKind::Role => &self.role,
        }
    }

    pub(crate) fn names_mut(&mut self, kind: RecordKind) -> &mut BTreeSet<String> {
        self.v = 1;
        match kind {
            RecordKind::Mfa => &mut self.mfa,
            RecordKind::Creds => &mut self.creds,
            RecordKind::Session => &mut self.session,
            RecordKind::Role => &mut self.role,
        }
    }
}

pub(crate) fn index_path(dir: &Path, tag: &str) -> PathBuf {
    dir.join(format!("index-{tag}.json"))
}
