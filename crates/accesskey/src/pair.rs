//! A key pair: an access key ID with its secret access key.
//!
//! ```
//! use iamkit_accesskey::{AccountId, KeyPair, Prefix};
//! let account: AccountId = "123456789012".parse().unwrap();
//! let pair = KeyPair::generate(Prefix::Akia, Some(account)).unwrap();
//! assert_eq!(pair.id.account_id(), Some(account));
//! // Serialising the pair never writes the secret ...
//! let public = serde_json::to_string(&pair).unwrap();
//! assert_eq!(public, format!(r#"{{"access_key_id":"{}"}}"#, pair.id));
//! // ... unless asked to, explicitly.
//! let both = serde_json::to_string(&pair.with_secret_exposed()).unwrap();
//! assert!(both.contains(pair.secret.expose_secret()));
//! ```

use serde::ser::SerializeStruct;
use zeroize::Zeroizing;

use crate::secret::SECRET_RANDOM_BYTES;
use crate::{AccessKeyId, AccountId, Error, Prefix, SecretAccessKey};

/// An access key ID and its secret access key.
///
/// `Debug` redacts the secret. `Serialize` writes only `{"access_key_id":"…"}`; to write the
/// secret too, serialise [`KeyPair::with_secret_exposed`].
#[derive(Debug, Clone)]
pub struct KeyPair {
    /// The access key ID (public).
    pub id: AccessKeyId,
    /// The secret access key.
    pub secret: SecretAccessKey,
}

impl KeyPair {
    /// A new key pair: [`AccessKeyId::generate`] and [`SecretAccessKey::generate`], with all the
    /// randomness drawn from the OS in one call.
    ///
    /// # Errors
    ///
    /// `Error::Rng` when the OS random number generator fails.
    pub fn generate(prefix: Prefix, account: Option<AccountId>) -> Result<KeyPair, Error> {
        let mut random = Zeroizing::new([0u8; 10 + SECRET_RANDOM_BYTES]);
        getrandom::fill(&mut random[..])?;
        let (id_random, secret_random) = random.split_at(10);
        Ok(KeyPair {
            id: AccessKeyId::from_random(prefix, account, id_random),
            secret: SecretAccessKey::from_random(secret_random),
        })
    }

    /// A view of this pair whose `Serialize` writes the secret:
    /// `{"access_key_id":"…","secret_access_key":"…"}`. Use it only where the secret must be
    /// written (e.g. handing a freshly minted key to its owner).
    pub fn with_secret_exposed(&self) -> ExposedKeyPair<'_> {
        ExposedKeyPair { pair: self }
    }
}

impl serde::Serialize for KeyPair {
    /// `{"access_key_id":"…"}` only: the secret is never serialised from here.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("KeyPair", 1)?;
        st.serialize_field("access_key_id", &self.id)?;
        st.end()
    }
}

/// A [`KeyPair`] whose `Serialize` writes the secret too (see [`KeyPair::with_secret_exposed`]).
/// Its `Debug` still redacts it.
#[derive(Debug, Clone, Copy)]
pub struct ExposedKeyPair<'a> {
    pair: &'a KeyPair,
}

impl serde::Serialize for ExposedKeyPair<'_> {
    /// `{"access_key_id":"…","secret_access_key":"…"}`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("KeyPair", 2)?;
        st.serialize_field("access_key_id", &self.pair.id)?;
        st.serialize_field("secret_access_key", self.pair.secret.expose_secret())?;
        st.end()
    }
}
